"""Trains, quantizes and packages Vigil's early-deterioration model (vigil-risk).

Steps (all deterministic: fixed seeds, deterministic TF ops, 2 threads):
  1. set A divided by the committed patient lists (splits/*.txt);
  2. the input contract fitted on the patients the model is fitted on (features.manifest_input);
  3. a gradient-boosted teacher (LightGBM, training time only) on the same features; a small MLP
     trained to reproduce the teacher's log-odds (mean squared error on the teacher's logit, which
     keeps the teacher's ranking of low-risk hours that soft-target cross-entropy blurs);
     with --select, both are fitted on the training part and the teacher's rounds and the
     student's epoch are chosen by validation AUROC (how TEACHER_ROUNDS_FINAL was found;
     EPOCHS_FINAL came from distill_cv.py); without it (the shipped model) both are fitted on the
     training and validation parts together with those fixed counts;
  4. full int8 conversion with a representative data set of training windows, int8 input and
     int8 output (the output is the log-odds of risk; Vigil applies the logistic);
  5. op check against Vigil's supported op list, TFLM run and minimum-arena search;
  6. writes vigil-risk.tflite, vigil-risk-float.keras and vigil-risk.manifest.json.

Usage: VIGIL_DATA=/work/shared/data python train.py [--select]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np

from data import MODELS_DIR, DataMissing, load_splits
from features import manifest_input, quantize, window_features
from metrics import FALLBACK_NEWS2, HOLD_OFF_HOURS, TREND_HOURS, TREND_WEIGHT, VALIDATED_HOURS, auroc_auprc
from tflite_tools import SUPPORTED_OPS, model_ops, min_tflm_arena, tflm_run

SEED = 20240917
#: Feature blocks of the input contract (see features.feature_list).
BLOCKS = ("window6", "deltas", "rolling", "stay", "news2", "oxygen", "charting_temp")
HIDDEN = (64, 32)
DROPOUT = 0.3
EPOCHS = 14
TEACHER = dict(objective="binary", learning_rate=0.05, num_leaves=15, min_data_in_leaf=1000,
               feature_fraction=0.3, bagging_fraction=0.7, bagging_freq=1, lambda_l2=10.0,
               max_bin=63, num_threads=2, deterministic=True, force_row_wise=True, verbose=-1)
TEACHER_ROUNDS = 400
#: The teacher's rounds and the student's epochs of the shipped model, fitted on training and
#: validation together. 184 rounds: what --select chose by validation AUROC. 11 epochs: the count
#: with the best mean held-out AUROC over two folds of the training and validation patients
#: (distill_cv.py, which also shows the student matching its teacher there).
TEACHER_ROUNDS_FINAL = 184
EPOCHS_FINAL = 11
#: Students trained with seeds SEED, SEED+1, ...; more than one are folded into one MLP that outputs
#: their mean logit (`fold_members`). Two students (a 128-64 MLP, 58 KB) gave no validation gain
#: over one (AUROC 0.7941 vs 0.7941), so one ships.
MEMBERS = 1
BATCH = 512
LEARNING_RATE = 1e-3
REPRESENTATIVE_ROWS = 4000
MODEL_NAME = "vigil-risk"


def build_model(n_in: int):
    import tensorflow as tf
    layers = [tf.keras.Input((n_in,), name="features")]
    for h in HIDDEN:
        layers.append(tf.keras.layers.Dense(h, activation="relu"))
        layers.append(tf.keras.layers.Dropout(DROPOUT))
    layers.append(tf.keras.layers.Dense(1, name="logit"))
    return tf.keras.Sequential(layers)


def teacher_logits(Xtr, ytr, Xva, yva, log, select: bool):
    """LightGBM teacher (training time only): its logits on the rows it was fitted on. With
    `select`, fitted for up to TEACHER_ROUNDS and cut at the round of best validation AUROC;
    otherwise fitted for TEACHER_ROUNDS_FINAL (validation AUROC then in-sample if Xva is in Xtr)."""
    import lightgbm as lgb
    params = {**TEACHER, "seed": SEED, "metric": "auc"}
    dtr = lgb.Dataset(Xtr, ytr)
    dva = lgb.Dataset(Xva, yva, reference=dtr)
    record = {}
    booster = lgb.train(params, dtr, num_boost_round=TEACHER_ROUNDS if select else TEACHER_ROUNDS_FINAL,
                        valid_sets=[dva], callbacks=[lgb.record_evaluation(record)])
    aucs = np.array(record["valid_0"]["auc"])
    rounds = int(np.argmax(aucs)) + 1 if select else TEACHER_ROUNDS_FINAL
    log(f"teacher: {rounds} rounds (validation AUROC {aucs[rounds - 1]:.4f})")
    return booster.predict(Xtr, num_iteration=rounds, raw_score=True), rounds, float(aucs[rounds - 1])


def fit_teacher(x, y, rounds: int = TEACHER_ROUNDS_FINAL, **params):
    """The LightGBM teacher (TEACHER with seed SEED, and `params` over them) fitted on rows `x` with
    labels `y` for `rounds` rounds, without a validation set: what the diagnostics fit per fold."""
    import lightgbm as lgb
    return lgb.train({**TEACHER, "seed": SEED, **params}, lgb.Dataset(x, y), num_boost_round=rounds)


def fold_members(members):
    """One MLP equal to the mean of the members' logits: first layers side by side, hidden layers
    block-diagonal, output weights averaged (an exact rewrite; FULLY_CONNECTED ops only)."""
    import tensorflow as tf
    n_in = members[0].input_shape[-1] if hasattr(members[0], "input_shape") else members[0].inputs[0].shape[-1]
    ws = [m.get_weights() for m in members]  # [k0, b0, k1, b1, k2, b2]
    k = len(members)
    folded = [np.concatenate([w[0] for w in ws], axis=1), np.concatenate([w[1] for w in ws])]
    for layer in range(1, len(HIDDEN)):
        blocks = [w[2 * layer] for w in ws]
        r, c = blocks[0].shape
        kern = np.zeros((r * k, c * k), dtype=np.float32)
        for i, b in enumerate(blocks):
            kern[i * r:(i + 1) * r, i * c:(i + 1) * c] = b
        folded += [kern, np.concatenate([w[2 * layer + 1] for w in ws])]
    last = 2 * len(HIDDEN)
    folded += [np.concatenate([w[last] for w in ws], axis=0) / k, sum(w[last + 1] for w in ws) / k]
    layers = [tf.keras.Input((n_in,), name="features")]
    for h in HIDDEN:
        layers.append(tf.keras.layers.Dense(h * k, activation="relu"))
    layers.append(tf.keras.layers.Dense(1, name="logit"))
    model = tf.keras.Sequential(layers)
    model.set_weights([x.astype(np.float32) for x in folded])
    return model


def train(Xtr, target, Xva, yva, log, seed, select: bool):
    """The MLP student: with `select`, EPOCHS epochs and the epoch of best validation AUROC kept;
    otherwise EPOCHS_FINAL epochs and the last kept."""
    import tensorflow as tf
    tf.keras.utils.set_random_seed(seed)
    model = build_model(Xtr.shape[1])
    model.compile(tf.keras.optimizers.Adam(LEARNING_RATE), tf.keras.losses.MeanSquaredError())
    best_auc, best_weights, best_epoch = -1.0, None, -1
    epochs = EPOCHS if select else EPOCHS_FINAL
    for epoch in range(epochs):
        model.fit(Xtr, target, batch_size=BATCH, epochs=1, verbose=0, shuffle=True)
        s = model.predict(Xva, batch_size=8192, verbose=0)[:, 0]
        auc, ap = auroc_auprc(s, yva)
        log(f"epoch {epoch}: validation AUROC {auc:.4f} AUPRC {ap:.4f}")
        if auc > best_auc or not select:
            best_auc, best_weights, best_epoch = auc, model.get_weights(), epoch
    model.set_weights(best_weights)
    log(f"kept epoch {best_epoch} (validation AUROC {best_auc:.4f})")
    return model, best_epoch, best_auc


def convert_int8(model, representative: np.ndarray) -> bytes:
    import tensorflow as tf

    def rep():
        for row in representative:
            yield [row[None, :].astype(np.float32)]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    return conv.convert()


def lgb_version() -> str:
    import lightgbm
    return lightgbm.__version__


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--select", action="store_true",
                    help="fit on the training part only and choose the teacher's rounds and the "
                         "student's epoch by validation AUROC (writes the model like the default)")
    args = ap.parse_args()
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    t0 = time.time()
    log = lambda m: print(f"[{time.time() - t0:6.1f}s] {m}", flush=True)

    try:
        parts = load_splits()
    except DataMissing as e:
        sys.exit(str(e))
    tr, va = parts["train"] if args.select else parts["train+val"], parts["val"]
    fit_parts = ["train"] if args.select else ["train", "val"]
    log(f"fitting on {' + '.join(fit_parts)} ({len(tr.patient_ids)} patients)")
    spec = manifest_input(tr, BLOCKS)
    Xtr = window_features(tr, spec).astype(np.float32)
    Xva = window_features(va, spec).astype(np.float32)
    ytr = tr.values["SepsisLabel"].astype(np.float32)
    yva = va.values["SepsisLabel"]
    log(f"features: train {Xtr.shape}, validation {Xva.shape}")

    t_logit, t_rounds, t_auc = teacher_logits(Xtr, ytr, Xva, yva, log, args.select)
    target = t_logit.astype(np.float32)  # the student regresses the teacher's log-odds
    members, best_epochs = [], []
    for i in range(MEMBERS):
        m, e, a = train(Xtr, target, Xva, yva, log, SEED + i, args.select)
        members.append(m)
        best_epochs.append(e)
    model = fold_members(members) if MEMBERS > 1 else members[0]
    val_auc = auroc_auprc(model.predict(Xva, batch_size=8192, verbose=0)[:, 0], yva)[0]
    best_epoch = best_epochs if MEMBERS > 1 else best_epochs[0]
    log(f"shipped float model ({MEMBERS} student(s)): validation AUROC {val_auc:.4f}")
    model.save(MODELS_DIR / f"{MODEL_NAME}-float.keras")

    rng = np.random.default_rng(SEED)
    rep = Xtr[rng.choice(len(Xtr), REPRESENTATIVE_ROWS, replace=False)]
    tflite = convert_int8(model, rep)
    ops = model_ops(tflite)
    bad = sorted(set(ops) - SUPPORTED_OPS)
    if bad:
        sys.exit(f"int8 model uses ops Vigil does not support: {bad}")
    (MODELS_DIR / f"{MODEL_NAME}.tflite").write_bytes(tflite)
    log(f"int8 model: {len(tflite)} bytes, ops {ops}")

    interp = tf.lite.Interpreter(model_content=tflite)
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    in_scale, in_zp = inp["quantization"]
    out_scale, out_zp = out["quantization"]
    arena = min_tflm_arena(tflite)
    log(f"TFLM minimum arena: {arena} bytes")

    # Operating thresholds chosen on the validation part, as int8 output values.
    q_va = tflm_run(tflite, quantize(window_features(va, spec), in_scale, in_zp), arena_size=arena + 1024)[:, 0]
    logit_va = (q_va.astype(np.float64) - out_zp) * out_scale
    val_int8_auc = auroc_auprc(logit_va, yva)[0]
    from evaluate import choose_utility_threshold, fallback_tables, make_tables
    util_thr, util_val = choose_utility_threshold(q_va.astype(np.float64), yva, va.starts)
    # the evaluation's alarm tables (plain, hold-off, trend, trend with hold-off), on validation
    _, _, *alarm_tables = make_tables(q_va.astype(np.float64), va)
    op80, rule80, trend80, trend_rule80 = (t.operating_point(0.8) for t in alarm_tables)
    fallback80, fallback_rule80 = (t.operating_point(0.8) for _, t in fallback_tables(q_va.astype(np.float64), va))
    log(f"validation int8 AUROC {val_int8_auc:.4f}; utility threshold q >= {util_thr:.0f} "
        f"(utility {util_val:.4f}); 80% sensitivity threshold q >= {op80['threshold']:.0f}")

    manifest = {
        "name": MODEL_NAME,
        "version": 3,
        "model_file": f"{MODEL_NAME}.tflite",
        "model_sha256": hashlib.sha256(tflite).hexdigest(),
        "model_bytes": len(tflite),
        "tflm_min_arena_bytes": arena,
        "ops": ops,
        "purpose": "hourly early-deterioration (sepsis within 6 h) risk from bedside vitals; "
                   "decision support that prompts a clinical review, not a diagnosis",
        "input": {
            **spec,
            "rows": "one row per ICU hour, oldest first; hour t = 0 is the first monitored hour; "
                    "hour t's value of a vital is its latest measurement within that hour (the data "
                    "set's charted hourly value); HoursSinceAdmission is the hour's time since ICU "
                    "admission (equal to t + 1 when monitoring starts at admission)",
            "carry_forward": "a vital's value at hour t is its latest measurement at an hour s <= t "
                             "with t - s <= max_age_hours; otherwise it is missing; a derived "
                             "channel is its formula over the carried-forward vitals of hour t, "
                             "missing when an operand is",
            "channel_z": "z = min(max((x - mean) / std, -z_limit), z_limit) with the vital's or derived "
                         "channel's mean and std; a missing channel has no z (each kind says what "
                         "it does then)",
            "feature_value": "each entry of `features`, in order, is its kind's raw value (see "
                             "`kinds`) standardised as f = min(max((raw - mean) / std, -z_limit), "
                             "z_limit) with the entry's mean and std; arithmetic in IEEE binary64",
            "tensor": {"index": 0, "shape": [1, spec["feature_count"]], "dtype": "int8",
                       "scale": float(in_scale), "zero_point": int(in_zp),
                       "quantize": "q = clamp(round_half_away_from_zero(z / scale) + zero_point, "
                                   "-128, 127), in IEEE binary64"},
        },
        "output": {
            "tensor": {"index": 0, "shape": [1, 1], "dtype": "int8", "scale": float(out_scale),
                       "zero_point": int(out_zp)},
            "meaning": "log-odds of SepsisLabel = 1 at this hour: logit = (q - zero_point) * scale; "
                       "risk = 1 / (1 + exp(-logit))",
            "thresholds": {
                "utility_optimal_q": int(util_thr),
                "utility_optimal_note": "q >= this maximised the Challenge utility on the validation part",
                "alarm_80pct_sensitivity_q": int(op80["threshold"]),
                "alarm_note": "q >= this detected 80% of the validation part's septic patients "
                              "(alarm 12 h before to 3 h after onset)",
                "alarm_rule": {
                    "hold_off_hours": HOLD_OFF_HOURS,
                    "threshold_q": int(rule80["threshold"]),
                    "definition": "an alarm fires at hour t when q(t) >= threshold_q and no alarm "
                                  "fired for this patient at hours t - hold_off_hours + 1 .. t - 1; "
                                  "the nurse acknowledges it, and it re-fires at most every "
                                  "hold_off_hours while q stays at or above the threshold",
                    "note": "threshold_q detected 80% of the validation part's septic patients "
                            "under this rule (an alarm fired 12 h before to 3 h after onset)",
                },
                "trend_alarm": {
                    "baseline_hours": TREND_HOURS,
                    "baseline_weight": TREND_WEIGHT,
                    "score": "a(t) = q(t) - baseline_weight * b(t) in IEEE binary64, where b(t) = "
                             "(sum of the patient's q at hours max(0, t - baseline_hours) .. t - 1) / "
                             "(their count), and b(0) = q(0) at the patient's first hour",
                    "threshold": trend80["threshold"],
                    "threshold_note": "an alarm hour when a(t) >= threshold; it detected 80% of the "
                                      "validation part's septic patients (alarm 12 h before to 3 h "
                                      "after onset)",
                    "hold_off_threshold": trend_rule80["threshold"],
                    "hold_off_note": "with the alarm_rule's hold-off on a(t) instead of q(t) "
                                     "(fires when a(t) >= hold_off_threshold and none fired in "
                                     "the previous hold_off_hours - 1 hours), this threshold "
                                     "detected 80% of the validation part's septic patients",
                    "purpose": "alarms on a rise of the risk above the patient's own last hours "
                               "rather than on its level: fewer alarm hours at the same share of "
                               "septic patients detected; MODEL_CARD.md gives its figures beside "
                               "NEWS2's under the same rule",
                },
            },
        },
        "validated_range": {
            "hours_since_admission_max": VALIDATED_HOURS,
            "why": f"in the training data no non-septic ICU record goes past hour {VALIDATED_HOURS} (apart "
                   "from a few cut at the data set's 336-hour cap) while septic records run until a few "
                   "hours after onset, so beyond that hour the model learnt from septic patients only and "
                   "its risk rises with the length of the stay whatever the vitals (curation_check.py)",
            "beyond": "the risk is shown as outside the validated range and the alarm follows NEWS2: an "
                      "alarm hour when NEWS2 >= fallback_news2_at_least",
            "fallback_news2_at_least": FALLBACK_NEWS2,
            "fallback_news2": "the NEWS2 total of input.news2_bands from each vital's latest measurement "
                              "in the stay (no age limit), plus oxygen_points when the latest FiO2 "
                              "recorded in the stay is > 0.21 (values > 1 are percent), consciousness "
                              "not measured (0)",
            "alarm_80pct_sensitivity_q": int(fallback80["threshold"]),
            "alarm_rule_threshold_q": int(fallback_rule80["threshold"]),
            "note": "with the fallback beyond the range, q >= alarm_80pct_sensitivity_q within it (and "
                    "the alarm_rule's hold-off with alarm_rule_threshold_q) detected 80% of the "
                    "validation part's septic patients (alarm 12 h before to 3 h after onset)",
        },
        "training": {
            "data": "PhysioNet/CinC Challenge 2019 training set A (CC BY 4.0)",
            "split": "Models/splits/{train,val,test}.txt (patient-level)",
            "fitted_on": fit_parts,
            "in_sample_note": None if args.select else
                "the model was fitted on the validation part too: its validation AUROCs and the "
                "thresholds chosen on the validation part are in-sample; the test part is held out",
            "seed": SEED, "blocks": list(BLOCKS), "hidden": list(HIDDEN), "members": MEMBERS,
            "shipped_hidden": [h * MEMBERS for h in HIDDEN], "dropout": DROPOUT,
            "teacher": {"library": f"lightgbm {lgb_version()}", "params": TEACHER, "rounds": t_rounds,
                        "validation_auroc": round(t_auc, 4), "student_target": "teacher logit, mean squared error"},
            "epochs": EPOCHS if args.select else EPOCHS_FINAL, "kept_epoch": best_epoch, "batch": BATCH,
            "learning_rate": LEARNING_RATE, "validation_auroc_float": round(val_auc, 4),
            "validation_auroc_int8": round(val_int8_auc, 4),
            "tensorflow": tf.__version__,
        },
    }
    (MODELS_DIR / f"{MODEL_NAME}.manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    log("wrote model, float model and manifest")


if __name__ == "__main__":
    main()
