"""How much the test figures depend on which 20% of set A is the test part.

The committed split (splits/*.txt) is fixed and is the one every reported figure uses. This
diagnostic asks how typical its test part is: set A's patients are dealt into 5 folds (stratified
by ever-septic, seed SEED), and for each fold the LightGBM teacher of train.py (same parameters,
the shipped teacher's 184 rounds, no early stopping) is fitted on the other four folds and scored
on it, beside NEWS2 on the same rows. The same is done once more with the committed split's test
part as the held-out fold (teacher fitted on the training and validation parts), which places the
committed test part among the random ones. Reported per fold: hourly AUROC of both, and alarm hours
per patient-day at the 80% point, plain and on the trend score (metrics.trend_adjusted).

This is the teacher, not the shipped MLP distilled from it, with features standardised by the
training part's constants (a tree does not depend on them beyond the z clamp). Nothing here
chooses anything about the shipped model.

Usage: VIGIL_DATA=/work/shared/data python split_variance.py   (about 5 minutes on 2 cores)
Writes split_variance.json beside this file.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from data import MODELS_DIR, DataMissing, load_set_a, load_splits, read_split, stratified_folds
from features import manifest_input, window_features
from metrics import AlarmTable, auroc_auprc, trend_adjusted
from scores import cohort_news2

SEED = 12345
FOLDS = 5


def main():
    import train

    t0 = time.time()
    log = lambda m: print(f"[{time.time() - t0:6.1f}s] {m}", flush=True)
    try:
        spec = manifest_input(load_splits()["train"], train.BLOCKS)
        cohort = load_set_a()
    except DataMissing as e:
        sys.exit(str(e))
    x = window_features(cohort, spec).astype(np.float32)
    y = cohort.values["SepsisLabel"]
    news2 = cohort_news2(cohort).astype(np.float64)
    starts = cohort.starts
    n_patients = len(cohort.patient_ids)
    row_patient = cohort.row_patient()
    septic = cohort.ever_septic()
    log(f"features {x.shape} for {n_patients} patients")

    fold = stratified_folds(septic, FOLDS, SEED)
    committed_test = set(read_split("test"))
    committed = np.array([p in committed_test for p in cohort.patient_ids])

    results = []
    for f in list(range(FOLDS)) + ["committed test part"]:
        in_fold = committed if f == "committed test part" else fold == f
        held = in_fold[row_patient]
        booster = train.fit_teacher(x[~held], y[~held])
        gbm = booster.predict(x[held], raw_score=True)
        lengths = np.diff(starts)[in_fold]  # held-out rows are in patient order
        held_starts = np.concatenate([[0], np.cumsum(lengths)])
        entry = {"fold": f, "patients": int(np.sum(in_fold)), "septic_patients": int(np.sum(septic & in_fold))}
        for name, s in (("teacher", gbm), ("NEWS2", news2[held])):
            plain = AlarmTable(s, y[held], held_starts).operating_point(0.8)
            trend = AlarmTable(trend_adjusted(s, held_starts), y[held], held_starts).operating_point(0.8)
            entry[name] = {"auroc": auroc_auprc(s, y[held])[0],
                           "alarm_hours_per_patient_day": plain["alarm_hours_per_patient_day"],
                           "trend_alarm_hours_per_patient_day": trend["alarm_hours_per_patient_day"]}
        results.append(entry)
        t, n = entry["teacher"], entry["NEWS2"]
        log(f"fold {f}: AUROC teacher {t['auroc']:.4f} NEWS2 {n['auroc']:.4f}; alarm h/day at 80% "
            f"teacher {t['alarm_hours_per_patient_day']:.2f} NEWS2 {n['alarm_hours_per_patient_day']:.2f} "
            f"(trend score: teacher {t['trend_alarm_hours_per_patient_day']:.2f} "
            f"NEWS2 {n['trend_alarm_hours_per_patient_day']:.2f})")
    report = {"seed": SEED, "folds": FOLDS, "teacher_rounds": train.TEACHER_ROUNDS_FINAL, "results": results}
    (MODELS_DIR / "split_variance.json").write_text(json.dumps(report, indent=1) + "\n")
    log("wrote split_variance.json")


if __name__ == "__main__":
    main()
