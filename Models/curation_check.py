"""How set A's curation makes time in the ICU predict sepsis, and what the model learns from it.

Set A is not a plain census of ICU stays: a non-septic patient's record ends by the 59th ICU hour
(apart from a handful cut at the data set's 336-hour cap), while a septic patient's record runs
until a few hours after onset, however late that is. Beyond hour VALIDATED_HOURS (59) nearly every
row therefore belongs to a septic patient, and any feature that grows with the stay (hours since
admission, statistics since admission, full 48-hour windows) can predict the label there without
looking at the vitals. On a ward, where non-septic patients also stay for days, that would raise
the risk of every long stay and alarm on it hour after hour.

This diagnostic reads only the training and validation parts (never the test part) and writes
`curation_check.json`:

- the facts of the curation: when non-septic and septic records end, which share of the rows and of
  the positive rows lies beyond hour VALIDATED_HOURS, the label rate per band of ICU hours;
- out-of-fold LightGBM teachers (train.TEACHER, 184 rounds, 4 patient folds stratified by
  ever-septic, seed SEED) for three feature sets: the shipped 332 features; without hours since
  admission and the since-admission statistics; the same fitted on rows up to hour 48 only. For
  each, and for NEWS2: hourly AUROC on all rows and on rows within the first VALIDATED_HOURS hours,
  alarm hours per patient-day at the 80% point, and the share of hours beyond VALIDATED_HOURS in
  alarm at that point, for every patient and for the few non-septic patients whose record goes on.

Usage: VIGIL_DATA=/work/shared/data python curation_check.py   (about 5 minutes on 2 cores)
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from data import MODELS_DIR, DataMissing, load_splits, stratified_folds
from features import feature_list, manifest_input, window_features
from metrics import VALIDATED_HOURS, AlarmTable, auroc_auprc
from scores import cohort_news2

SEED = 99
FOLDS = 4
#: Hour bands (ICULOS, right-inclusive) for the label rate.
BANDS = [(0, 24), (24, 48), (48, VALIDATED_HOURS), (VALIDATED_HOURS, 96), (96, 10_000)]


def curation_facts(cohort) -> dict:
    """When records end, and where the rows and positive rows lie, by ever-septic."""
    y = cohort.values["SepsisLabel"]
    icu = cohort.values["ICULOS"]
    starts = cohort.starts
    septic = cohort.ever_septic()
    last = icu[starts[1:] - 1]
    row_septic = septic[cohort.row_patient()]
    beyond = icu > VALIDATED_HOURS
    first_label = np.array([np.argmax(y[a:b]) for a, b in zip(starts[:-1], starts[1:])])
    rows_after_first_label = (np.diff(starts) - first_label)[septic]
    return {
        "patients": int(len(septic)), "septic_patients": int(septic.sum()),
        "non_septic_last_hour_counts": {str(int(h)): int(n) for h, n in
                                        zip(*np.unique(last[~septic], return_counts=True))
                                        if h > VALIDATED_HOURS - 5},
        "non_septic_stays_beyond": int(np.sum(last[~septic] > VALIDATED_HOURS)),
        "septic_stays_beyond": int(np.sum(last[septic] > VALIDATED_HOURS)),
        "septic_rows_from_first_label_to_end": [int(rows_after_first_label.min()),
                                                 int(rows_after_first_label.max())],
        "rows_beyond": int(beyond.sum()),
        "rows_beyond_share": float(beyond.mean()),
        "rows_beyond_from_septic_patients": float(row_septic[beyond].mean()),
        "positive_rows_beyond_share": float(y[beyond].sum() / y.sum()),
        "label_rate_by_band": {f"({lo},{hi}]": float(y[(icu > lo) & (icu <= hi)].mean()) for lo, hi in BANDS},
    }


def alarm_figures(score, cohort, long_non_septic_rows) -> dict:
    y = cohort.values["SepsisLabel"]
    icu = cohort.values["ICULOS"]
    early = icu <= VALIDATED_HOURS
    point = AlarmTable(score, y, cohort.starts).operating_point(0.8)
    alarm = score >= point["threshold"]
    return {
        "auroc": auroc_auprc(score, y)[0],
        "auroc_first_hours": auroc_auprc(score[early], y[early])[0],
        "alarm_hours_per_patient_day_80": point["alarm_hours_per_patient_day"],
        "septic_detected_80": point["sensitivity"],
        "share_in_alarm_beyond": float(alarm[~early].mean()),
        "share_in_alarm_beyond_non_septic": float(alarm[~early & long_non_septic_rows].mean()),
        "share_in_alarm_first_hours_label_0": float(alarm[early & (y == 0)].mean()),
    }


def main():
    import train

    t0 = time.time()
    log = lambda m: print(f"[{time.time() - t0:6.1f}s] {m}", flush=True)
    try:
        cohort = load_splits()["train+val"]
    except DataMissing as e:
        sys.exit(str(e))
    facts = curation_facts(cohort)
    log(json.dumps(facts))
    x = window_features(cohort, manifest_input(cohort, train.BLOCKS)).astype(np.float32)
    y = cohort.values["SepsisLabel"].astype(np.float32)
    icu = cohort.values["ICULOS"]
    row_patient = cohort.row_patient()
    septic = cohort.ever_septic()
    long_non_septic = ~septic & (cohort.values["ICULOS"][cohort.starts[1:] - 1] > VALIDATED_HOURS)
    long_non_septic_rows = long_non_septic[row_patient]
    fold = stratified_folds(septic, FOLDS, SEED)
    feats = feature_list(train.BLOCKS)
    time_free = [j for j, f in enumerate(feats)
                 if not f["kind"].startswith("stay_") and f.get("static") != "HoursSinceAdmission"]
    variants = {
        "shipped features": (np.arange(x.shape[1]), None),
        "without hours since admission and since-admission statistics": (np.array(time_free), None),
        "the same, fitted on rows up to hour 48 only": (np.array(time_free), icu <= 48),
    }
    results = {"NEWS2": alarm_figures(cohort_news2(cohort).astype(np.float64), cohort, long_non_septic_rows)}
    log(f"NEWS2: {results['NEWS2']}")
    for name, (columns, rows) in variants.items():
        out_of_fold = np.zeros(len(y))
        for f in range(FOLDS):
            held = fold[row_patient] == f
            fit = ~held if rows is None else ~held & rows
            booster = train.fit_teacher(x[fit][:, columns], y[fit])
            out_of_fold[held] = booster.predict(x[held][:, columns], raw_score=True)
        results[name] = {"features": int(len(columns)),
                         **alarm_figures(out_of_fold, cohort, long_non_septic_rows)}
        log(f"{name}: {results[name]}")
    report = {"validated_hours": VALIDATED_HOURS, "cohort": "training + validation parts",
              "folds": FOLDS, "seed": SEED, "teacher_rounds": train.TEACHER_ROUNDS_FINAL,
              "long_non_septic_patients": int(long_non_septic.sum()), "facts": facts,
              "out_of_fold": results}
    (MODELS_DIR / "curation_check.json").write_text(json.dumps(report, indent=1) + "\n")
    log("wrote curation_check.json")


if __name__ == "__main__":
    main()
