"""Evaluates vigil-risk (float and int8) against NEWS2, qSOFA and hours since admission.

All figures are on the held-out test part of set A (splits/test.txt) with 95% patient-level
bootstrap intervals (percentile method). Thresholds for the utility score are chosen on the
validation part; the 80%-sensitivity operating point is found on the data it is reported on (and
re-found in every bootstrap replicate). The int8 figures come from TFLM running the shipped
`vigil-risk.tflite` on int8 inputs quantized as the manifest says.

Usage: VIGIL_DATA=/work/shared/data python evaluate.py [--boot 500]
Writes evaluation.json and EVALUATION.md beside this file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np

from data import MODELS_DIR, DataMissing, load_splits
from features import quantize, window_features
from metrics import (HOLD_OFF_HOURS, TREND_HOURS, TREND_WEIGHT, AlarmRuleTable, AlarmTable, RankedScores,
                     UtilityTable, bootstrap_weights, trend_adjusted)
from scores import cohort_news2, cohort_qsofa

BOOT_SEED = 7
AGE_BANDS = [(18, 45, "18-44"), (45, 65, "45-64"), (65, 80, "65-79"), (80, 200, "80+")]


def candidate_thresholds(scores: np.ndarray) -> np.ndarray:
    u = np.unique(scores)
    if len(u) <= 400:
        return u
    return np.unique(np.quantile(scores, np.linspace(0.5, 0.9995, 400)))


def choose_utility_threshold(scores, labels, starts) -> tuple[float, float]:
    """Threshold (predict 1 when score >= it) maximising the normalized utility on this cohort."""
    table = UtilityTable(np.asarray(labels), np.asarray(starts))
    best = (-np.inf, None)
    for thr in candidate_thresholds(np.asarray(scores)):
        u = table.normalized(scores >= thr)
        if u > best[0]:
            best = (u, float(thr))
    return best[1], best[0]


def point_metrics(scores, cohort, util_threshold, weights=None, tables=None) -> dict:
    """All test figures for one score on one cohort (optionally a bootstrap replicate)."""
    labels = cohort.values["SepsisLabel"]
    if tables is None:
        tables = make_tables(scores, cohort)
    ranked, util, alarms, rule, trend, trend_rule = tables
    auroc, auprc = ranked.auroc_auprc(weights)
    out = {
        "auroc": auroc,
        "auprc": auprc,
        "utility": util.normalized(scores >= util_threshold, weights),
        "sens_at_90_spec": ranked.sensitivity_at_specificity(0.90, weights),
    }
    # each 80% operating point's figures, keyed "<prefix>_<figure>" (e.g. op80_threshold)
    points = (("op80", alarms), ("rule80", rule), ("trend80", trend), ("trendrule80", trend_rule))
    for prefix, table in points:
        out.update({f"{prefix}_{k}": v for k, v in table.operating_point(0.8, weights).items()})
    return out


def make_tables(scores, cohort):
    labels = cohort.values["SepsisLabel"]
    trend = trend_adjusted(scores, cohort.starts)
    return (RankedScores(scores, labels, cohort.row_patient()), UtilityTable(labels, cohort.starts),
            AlarmTable(scores, labels, cohort.starts), AlarmRuleTable(scores, labels, cohort.starts),
            AlarmTable(trend, labels, cohort.starts), AlarmRuleTable(trend, labels, cohort.starts))


def with_intervals(scores, cohort, util_threshold, n_boot, seed) -> dict:
    tables = make_tables(scores, cohort)
    point = point_metrics(scores, cohort, util_threshold, None, tables)
    W = bootstrap_weights(len(cohort.patient_ids), n_boot, seed)
    reps = [point_metrics(scores, cohort, util_threshold, w, tables) for w in W]
    out = {}
    for k, v in point.items():
        r = np.array([x[k] for x in reps], dtype=np.float64)
        r = r[np.isfinite(r)]
        lo, hi = (np.percentile(r, [2.5, 97.5]) if len(r) else (np.nan, np.nan))
        out[k] = {"value": v, "ci95": [float(lo), float(hi)]}
    out["utility_threshold"] = util_threshold
    return out


def int8_outputs(parts, manifest, runner=None):
    """TFLM's int8 outputs for the validation and test windows (runner: inputs -> outputs)."""
    from tflite_tools import tflm_run
    tfl = (MODELS_DIR / manifest["model_file"]).read_bytes()
    t = manifest["input"]["tensor"]
    run = runner or (lambda x: tflm_run(tfl, x, arena_size=manifest["tflm_min_arena_bytes"] + 1024))
    return {k: run(quantize(window_features(parts[k], manifest["input"]), t["scale"], t["zero_point"]))[:, 0]
            for k in ("val", "test")}


#: Vitals a bedside monitor measures continuously or on a cycle (stress test below).
MONITOR_VITALS = ("HR", "O2Sat", "Temp", "SBP", "MAP", "DBP", "Resp")


def monitor_shift(cohort):
    """The cohort as a monitor that reports every vital every hour would see it: after a vital's
    first measurement, each hour without one gets the last value (no age limit). This removes the
    charting pattern of hospital A (missing flags, temperature charting frequency)."""
    from data import Cohort
    from scores import carry_forward
    values = dict(cohort.values)
    for c in MONITOR_VITALS:
        values[c] = carry_forward(cohort.values[c], cohort.starts)
    return Cohort(cohort.patient_ids, cohort.starts, values)


def subgroups(cohort):
    first = cohort.starts[:-1]
    sex = cohort.values["Gender"][first]
    age = cohort.values["Age"][first]
    groups = {"female": cohort.patient_ids[sex == 0], "male": cohort.patient_ids[sex == 1]}
    for lo, hi, name in AGE_BANDS:
        groups[f"age {name}"] = cohort.patient_ids[(age >= lo) & (age < hi)]
    return groups


def load_manifest():
    return json.loads((MODELS_DIR / "vigil-risk.manifest.json").read_text())


def all_scores(parts, manifest):
    import tensorflow as tf
    q = int8_outputs(parts, manifest)
    keras = tf.keras.models.load_model(MODELS_DIR / "vigil-risk-float.keras")
    s = {"vigil-risk int8 (TFLM)": {k: q[k].astype(np.float64) for k in q}}
    s["_int8_test_raw"] = q["test"].astype(np.int8)
    s["vigil-risk float"] = {k: keras.predict(window_features(parts[k], manifest["input"]).astype(np.float32),
                                              batch_size=8192, verbose=0)[:, 0].astype(np.float64)
                             for k in ("val", "test")}
    s["NEWS2"] = {k: cohort_news2(parts[k]).astype(np.float64) for k in ("val", "test")}
    s["qSOFA (vitals)"] = {k: cohort_qsofa(parts[k]).astype(np.float64) for k in ("val", "test")}
    s["hours since admission"] = {k: parts[k].values["ICULOS"].astype(np.float64) for k in ("val", "test")}
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boot", type=int, default=500)
    ap.add_argument("--boot-subgroup", type=int, default=200)
    args = ap.parse_args()
    try:
        parts = load_splits()
    except DataMissing as e:
        sys.exit(str(e))
    manifest = load_manifest()
    scores = all_scores(parts, manifest)
    raw_int8 = scores.pop("_int8_test_raw")
    test = parts["test"]
    report = {"model_sha256": manifest["model_sha256"], "bootstrap": args.boot,
              "bootstrap_subgroup": args.boot_subgroup,
              "test_patients": int(len(test.patient_ids)), "test_rows": int(test.n_rows),
              "test_septic_patients": int(test.ever_septic().sum()),
              "int8_test_outputs_sha256": hashlib.sha256(raw_int8.tobytes()).hexdigest(),
              "scores": {}, "subgroups": {}}
    thresholds = {}
    for name, s in scores.items():
        if name.startswith("vigil-risk int8"):
            thr = float(manifest["output"]["thresholds"]["utility_optimal_q"])
        else:
            thr, _ = choose_utility_threshold(s["val"], parts["val"].values["SepsisLabel"], parts["val"].starts)
        thresholds[name] = thr
        report["scores"][name] = with_intervals(s["test"], test, thr, args.boot, BOOT_SEED)
        print(name, {k: round(v["value"], 4) for k, v in report["scores"][name].items() if isinstance(v, dict)}, flush=True)
    shifted = int8_outputs({"val": monitor_shift(parts["val"]), "test": monitor_shift(test)}, manifest)
    report["monitor_shift"] = with_intervals(shifted["test"].astype(np.float64), test,
                                             float(manifest["output"]["thresholds"]["utility_optimal_q"]),
                                             args.boot, BOOT_SEED)
    print("monitor shift", {k: round(v["value"], 4) for k, v in report["monitor_shift"].items() if isinstance(v, dict)}, flush=True)
    index = {p: i for i, p in enumerate(test.patient_ids)}
    for gname, ids in subgroups(test).items():
        sub = test.subset(list(ids))
        rows = np.concatenate([np.arange(test.starts[index[p]], test.starts[index[p] + 1]) for p in ids])
        n_septic = int(sub.ever_septic().sum())
        entry = {"patients": int(len(ids)), "septic_patients": n_septic, "scores": {}}
        for name in ("vigil-risk int8 (TFLM)", "NEWS2", "qSOFA (vitals)", "hours since admission"):
            entry["scores"][name] = with_intervals(scores[name]["test"][rows], sub, thresholds[name],
                                                   args.boot_subgroup, BOOT_SEED)
        report["subgroups"][gname] = entry
        print(gname, len(ids), {k: round(v["value"], 3) for k, v in entry["scores"]["vigil-risk int8 (TFLM)"].items() if isinstance(v, dict)}, flush=True)
    (MODELS_DIR / "evaluation.json").write_text(json.dumps(report, indent=1) + "\n")
    (MODELS_DIR / "EVALUATION.md").write_text(render_markdown(report, manifest))
    print("wrote evaluation.json and EVALUATION.md")


METRIC_ROWS = [
    ("auroc", "hourly AUROC", 3), ("auprc", "hourly AUPRC", 3), ("utility", "normalized utility", 3),
    ("sens_at_90_spec", "sensitivity at 90% specificity", 3),
    ("op80_sensitivity", "patients detected at the 80% point", 3),
    ("op80_alarm_hours_per_patient_day", "alarm hours per patient-day at 80%", 2),
    ("op80_median_lead_hours", "median lead time (h) at 80%", 1),
    ("rule80_sensitivity", f"patients detected at the 80% point, {HOLD_OFF_HOURS} h hold-off rule", 3),
    ("rule80_alarms_per_patient_day", f"alarms fired per patient-day at 80%, {HOLD_OFF_HOURS} h hold-off rule", 2),
    ("trend80_sensitivity", "patients detected at the 80% point, trend score", 3),
    ("trend80_alarm_hours_per_patient_day", "alarm hours per patient-day at 80%, trend score", 2),
    ("trend80_median_lead_hours", "median lead time (h) at 80%, trend score", 1),
    ("trendrule80_alarms_per_patient_day",
     f"alarms fired per patient-day at 80%, trend score with the {HOLD_OFF_HOURS} h hold-off rule", 2),
]


def fmt(entry, key, digits):
    v = entry[key]
    return f"{v['value']:.{digits}f} ({v['ci95'][0]:.{digits}f}–{v['ci95'][1]:.{digits}f})"


def render_markdown(report, manifest) -> str:
    names = list(report["scores"])
    lines = [
        "# vigil-risk evaluation (held-out test part of PhysioNet 2019 set A)",
        "",
        f"Generated by `evaluate.py` for model sha256 `{report['model_sha256']}`. Test part: "
        f"{report['test_patients']} patients, {report['test_rows']} hourly rows, "
        f"{report['test_septic_patients']} septic patients. Values are point estimates with 95% "
        f"patient-level bootstrap intervals ({report['bootstrap']} replicates; subgroups "
        f"{report['bootstrap_subgroup']}).",
        "",
        "Definitions: AUROC/AUPRC over all hourly rows (label = SepsisLabel). Normalized utility: "
        "the Challenge's score at a threshold chosen on the validation part. The 80% point is the "
        "highest threshold at which at least 80% of septic patients have an alarm hour between 12 h "
        "before and 3 h after onset (onset = first SepsisLabel hour + 6); alarm hours per "
        "patient-day count every test row at or above it; lead time = onset minus the first alarm "
        "hour in that window. NEWS2 and qSOFA use last observation carried forward; consciousness "
        "and mentation are unavailable (0). Hold-off rule (a deployable alarm, the same for every "
        f"score): an alarm fires at hour t when the score is at or above the threshold and no alarm "
        f"fired at hours t-{HOLD_OFF_HOURS - 1} .. t-1 (the nurse acknowledges it; it re-fires at most "
        f"every {HOLD_OFF_HOURS} h while the score stays high); a septic patient is detected when an "
        "alarm fires between 12 h before and 3 h after onset; the burden is alarms fired per "
        "patient-day; its 80% point is searched separately (highest threshold detecting >= 80%). "
        f"Trend score (a second deployable alarm, the same for every score): the score minus "
        f"{TREND_WEIGHT:g} times the mean of the patient's previous {TREND_HOURS} hourly scores (at "
        "the first hour, minus that fraction of its own score); its 80% points (plain hours and "
        "with the hold-off rule) are searched on it as for the score itself.",
        "",
        "| metric | " + " | ".join(names) + " |",
        "| --- | " + " | ".join("---" for _ in names) + " |",
    ]
    for key, label, d in METRIC_ROWS:
        lines.append(f"| {label} | " + " | ".join(fmt(report["scores"][n], key, d) for n in names) + " |")
    lines.append("| utility threshold (validation) | " + " | ".join(
        f"{report['scores'][n]['utility_threshold']:g}" for n in names) + " |")
    if "monitor_shift" in report:
        ms = report["monitor_shift"]
        lines += ["", "## Stress test: every vital reported every hour (int8, test part)", "",
                  "Hospital A charts vitals irregularly; a monitor reports them every hour. Here each "
                  "vital, once first measured, is carried forward into every later hour without a "
                  "time limit, so no vital is ever missing and temperature counts as measured hourly "
                  "(the charting pattern the model could have learnt is removed). Same int8 model, "
                  "same thresholds.", "",
                  "| metric | vigil-risk int8, as charted | vigil-risk int8, every vital hourly |",
                  "| --- | --- | --- |"]
        for key, label, d in METRIC_ROWS:
            lines.append(f"| {label} | {fmt(report['scores'][names[0]], key, d)} | {fmt(ms, key, d)} |")
    lines += ["", "## Subgroups (bias check)", ""]
    sub_names = ["vigil-risk int8 (TFLM)", "NEWS2", "qSOFA (vitals)", "hours since admission"]
    for key, label, d in METRIC_ROWS[:4] + METRIC_ROWS[5:6] + METRIC_ROWS[8:9] + METRIC_ROWS[10:11]:
        lines += [f"### {label}", "", "| group | patients (septic) | " + " | ".join(sub_names) + " |",
                  "| --- | --- | " + " | ".join("---" for _ in sub_names) + " |"]
        for g, e in report["subgroups"].items():
            lines.append(f"| {g} | {e['patients']} ({e['septic_patients']}) | "
                         + " | ".join(fmt(e["scores"][n], key, d) for n in sub_names) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
