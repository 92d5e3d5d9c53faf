"""Does the MLP student match its LightGBM teacher on patients neither has seen? (training only)

The training and validation parts (what the shipped model is fitted on) are dealt into 4 folds
(stratified by ever-septic, seed SEED); on each of the first two, the teacher (train.TEACHER,
TEACHER_ROUNDS_FINAL rounds) and students are fitted on the other three folds, and the hourly AUROC
on the held-out fold is printed for the teacher and for every epoch of each student:

- `soft`: version 2's student, binary cross-entropy on 0.3 * label + 0.7 * teacher probability;
- `logit`: version 3's, mean squared error on the teacher's logit (train.py).

This is what chose the student's target and EPOCHS_FINAL (the epoch count with the best mean
held-out AUROC of `logit` over the two folds). With --teachers it instead fits the teacher
variants of TEACHER_VARIANTS on all 4 folds and prints their mean held-out AUROC per round (about
12 minutes). The test part is not read.

Usage: VIGIL_DATA=/work/shared/data python distill_cv.py [--teachers]   (about 6 minutes on 2 cores)
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np

from data import DataMissing, load_splits, stratified_folds
from features import manifest_input, window_features
from metrics import auroc_auprc

SEED = 99
FOLDS = 4
FOLDS_RUN = 2
#: Teacher variants compared with --teachers: (parameters over train.TEACHER, rounds fitted).
TEACHER_VARIANTS = {
    "shipped (15 leaves, learning rate 0.05)": ({}, 184),
    "31 leaves, learning rate 0.02": ({"num_leaves": 31, "learning_rate": 0.02}, 600),
    "feature fraction 0.5": ({"feature_fraction": 0.5}, 300),
    "15 leaves, learning rate 0.02": ({"learning_rate": 0.02}, 800),
}


def compare_teachers(x, y, held_of_fold, log):
    """Mean held-out AUROC over all folds for every round of each teacher variant."""
    import lightgbm as lgb

    import train

    for name, (extra, rounds) in TEACHER_VARIANTS.items():
        curves = []
        for f in range(FOLDS):
            held = held_of_fold(f)
            record = {}
            fit = lgb.Dataset(x[~held], y[~held])
            lgb.train({**train.TEACHER, "seed": train.SEED, "metric": "auc", **extra}, fit,
                      num_boost_round=rounds, valid_sets=[lgb.Dataset(x[held], y[held], reference=fit)],
                      callbacks=[lgb.record_evaluation(record)])
            curves.append(record["valid_0"]["auc"])
        mean = np.mean(curves, axis=0)
        best = int(np.argmax(mean))
        log(f"teacher {name}: mean held-out AUROC {mean[best]:.4f} at its best round {best + 1}, "
            f"{mean[min(183, rounds - 1)]:.4f} at round 184, {mean[-1]:.4f} at round {rounds}")


def main():
    import argparse

    import tensorflow as tf

    import train

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teachers", action="store_true", help="compare the teacher variants instead")
    args = ap.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    t0 = time.time()
    try:
        cohort = load_splits()["train+val"]
    except DataMissing as e:
        sys.exit(str(e))
    x = window_features(cohort, manifest_input(cohort, train.BLOCKS)).astype(np.float32)
    y = cohort.values["SepsisLabel"].astype(np.float32)
    row_patient = cohort.row_patient()
    fold = stratified_folds(cohort.ever_septic(), FOLDS, SEED)
    if args.teachers:
        compare_teachers(x, y, lambda f: fold[row_patient] == f,
                         lambda m: print(f"[{time.time() - t0:5.0f}s] {m}", flush=True))
        return
    for f in range(FOLDS_RUN):
        held = fold[row_patient] == f
        booster = train.fit_teacher(x[~held], y[~held])
        logit = booster.predict(x[~held], raw_score=True)
        auc = auroc_auprc(booster.predict(x[held], raw_score=True), y[held])[0]
        print(f"[{time.time() - t0:5.0f}s] fold {f}: teacher AUROC {auc:.4f}", flush=True)
        for name in ("soft", "logit"):
            tf.keras.utils.set_random_seed(train.SEED)
            model = train.build_model(x.shape[1])
            if name == "soft":
                target = 0.3 * y[~held] + 0.7 / (1.0 + np.exp(-logit))
                loss = tf.keras.losses.BinaryCrossentropy(from_logits=True)
            else:
                target, loss = logit, tf.keras.losses.MeanSquaredError()
            model.compile(tf.keras.optimizers.Adam(train.LEARNING_RATE), loss)
            aucs = []
            for _ in range(train.EPOCHS):
                model.fit(x[~held], target.astype(np.float32), batch_size=train.BATCH, epochs=1,
                          verbose=0, shuffle=True)
                s = model.predict(x[held], batch_size=8192, verbose=0)[:, 0]
                aucs.append(auroc_auprc(s, y[held])[0])
            print(f"[{time.time() - t0:5.0f}s]   student {name}, AUROC after epochs 1..{train.EPOCHS}: "
                  + " ".join(f"{a:.4f}" for a in aucs), flush=True)


if __name__ == "__main__":
    main()
