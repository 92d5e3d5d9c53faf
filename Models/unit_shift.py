"""How much the model loses when the unit it runs in is not the unit it was trained in.

The issue asks for a model that generalises to another hospital, whose data are not here. Set A
records, for about half of its patients, whether the stay was in the medical (MICU, `Unit1`) or the
surgical ICU (`Unit2`): two populations of one hospital with different case mix and sepsis rates.
This diagnostic uses them as the nearest available stand-in for a site shift. The unit columns are
read here only, never by the model's features.

For each seed, each unit's training + validation patients are dealt into two halves (stratified by
ever-septic); the LightGBM teacher of train.py (train.TEACHER, 184 rounds, the shipped 332 features)
is fitted on the first half of each unit, both cut to the same number of septic and of non-septic
patients (so that the units differ in case mix, not in how many septic patients each teacher saw),
and every teacher is scored on the second half of both units. On the same evaluation rows the in-unit
teacher is then compared with the other unit's: hourly AUROC on all rows and on the first
VALIDATED_HOURS hours, with NEWS2 beside them; the difference in-unit minus cross-unit has a 95%
patient-level bootstrap interval (paired: same rows, same replicates). The test part is not read.

Usage: VIGIL_DATA=/work/shared/data python unit_shift.py   (about 3 minutes on 2 cores)
Writes unit_shift.json beside this file.
"""

from __future__ import annotations

import gzip
import json
import sys
import time

import numpy as np

from data import MODELS_DIR, DataMissing, load_splits, set_a_path, stratified_folds
from features import window_features
from metrics import VALIDATED_HOURS, RankedScores, bootstrap_weights
from scores import cohort_news2

SEEDS = (1, 2, 3)
N_BOOT = 200
UNITS = {"MICU": "Unit1", "SICU": "Unit2"}


def read_units() -> dict[str, str]:
    """Patient id -> "MICU" or "SICU" from the first row of each stay (absent when not recorded)."""
    out = {}
    with gzip.open(set_a_path(), "rt") as f:
        header = f.readline().strip().split(",")
        columns = {name: header.index(column) for name, column in UNITS.items()}
        for line in f:
            fields = line.split(",", max(columns.values()) + 1)
            patient = fields[0]
            if patient in out:
                continue
            units = [name for name, j in columns.items() if fields[j] == "1"]
            out[patient] = units[0] if len(units) == 1 else None
    return out


def main():
    import train
    from evaluate import load_manifest

    t0 = time.time()
    log = lambda m: print(f"[{time.time() - t0:6.1f}s] {m}", flush=True)
    try:
        cohort = load_splits()["train+val"]
        units = read_units()
    except DataMissing as e:
        sys.exit(str(e))
    x = window_features(cohort, load_manifest()["input"]).astype(np.float32)
    y = cohort.values["SepsisLabel"]
    news2 = cohort_news2(cohort).astype(np.float64)
    row_patient = cohort.row_patient()
    septic = cohort.ever_septic()
    unit_of = np.array([units.get(p) for p in cohort.patient_ids])
    log(f"features {x.shape}; patients per unit: " +
        ", ".join(f"{u} {np.sum(unit_of == u)} ({np.sum(septic & (unit_of == u))} septic)" for u in UNITS))

    results = []
    for seed in SEEDS:
        halves = {}
        for u in UNITS:
            members = np.flatnonzero(unit_of == u)
            half = stratified_folds(septic[members], 2, seed)
            halves[u] = (members[half == 0], members[half == 1])
        # the same number of septic and of non-septic patients from each unit's first half
        n_septic = min(int(septic[halves[u][0]].sum()) for u in UNITS)
        n_other = min(int((~septic[halves[u][0]]).sum()) for u in UNITS)
        models = {}
        for u in UNITS:
            first = halves[u][0]
            fit_patients = np.zeros(len(septic), dtype=bool)
            fit_patients[first[septic[first]][:n_septic]] = True
            fit_patients[first[~septic[first]][:n_other]] = True
            rows = fit_patients[row_patient]
            models[u] = train.fit_teacher(x[rows], y[rows])
        for u in UNITS:
            other = next(v for v in UNITS if v != u)
            eval_patients = np.zeros(len(septic), dtype=bool)
            eval_patients[halves[u][1]] = True
            entry = {"seed": seed, "evaluated_on": u, "fit_patients_per_unit": n_septic + n_other,
                     "fit_septic_patients_per_unit": n_septic,
                     "eval_patients": int(eval_patients.sum()),
                     "eval_septic_patients": int(np.sum(septic & eval_patients))}
            for part, hours in (("all hours", None), (f"first {VALIDATED_HOURS} h", VALIDATED_HOURS)):
                rows = eval_patients[row_patient]
                if hours is not None:
                    rows &= cohort.values["ICULOS"] <= hours
                index = np.flatnonzero(rows)
                local_patient = np.unique(row_patient[index], return_inverse=True)[1]
                ranked = {name: RankedScores(s, y[index], local_patient) for name, s in (
                    ("in-unit", models[u].predict(x[index], raw_score=True)),
                    ("cross-unit", models[other].predict(x[index], raw_score=True)),
                    ("NEWS2", news2[index]))}
                point = {name: r.auroc_auprc()[0] for name, r in ranked.items()}
                diffs = [ranked["in-unit"].auroc_auprc(w)[0] - ranked["cross-unit"].auroc_auprc(w)[0]
                         for w in bootstrap_weights(local_patient.max() + 1, N_BOOT, seed)]
                entry[part] = {**{f"auroc {k}": v for k, v in point.items()},
                               "in minus cross": point["in-unit"] - point["cross-unit"],
                               "in minus cross ci95": [float(v) for v in np.percentile(diffs, [2.5, 97.5])]}
            results.append(entry)
            log(json.dumps(entry))
    summary = {}
    for u in UNITS:
        for part in ("all hours", f"first {VALIDATED_HOURS} h"):
            rows = [r[part] for r in results if r["evaluated_on"] == u]
            summary[f"{u}, {part}"] = {k: float(np.mean([r[k] for r in rows]))
                                       for k in ("auroc in-unit", "auroc cross-unit", "auroc NEWS2", "in minus cross")}
    report = {"cohort": "training + validation parts, patients with a recorded unit", "seeds": list(SEEDS),
              "teacher_rounds": train.TEACHER_ROUNDS_FINAL, "bootstrap": N_BOOT, "mean_over_seeds": summary, "runs": results}
    (MODELS_DIR / "unit_shift.json").write_text(json.dumps(report, indent=1) + "\n")
    log(json.dumps(summary, indent=1))
    log("wrote unit_shift.json")


if __name__ == "__main__":
    main()
