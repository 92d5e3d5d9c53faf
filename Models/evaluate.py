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
from metrics import (FALLBACK_NEWS2, HOLD_OFF_HOURS, TREND_HOURS, TREND_WEIGHT, VALIDATED_HOURS, AlarmRuleTable,
                     AlarmTable, RankedScores, UtilityTable, bootstrap_weights, trend_adjusted,
                     with_news2_fallback)
from scores import cohort_news2, cohort_qsofa

BOOT_SEED = 7
INT8_NAME = "vigil-risk int8 (TFLM)"
#: The scores reported per subgroup and within the validated range.
COMPARED = (INT8_NAME, "NEWS2", "qSOFA (vitals)", "hours since admission")
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


def intervals(figures, n_patients, n_boot, seed) -> dict:
    """{figure: {"value", "ci95"}}: `figures(weights)` (a dict of numbers; weights None = the cohort
    itself) at the cohort and its 2.5/97.5 percentiles over patient-level bootstrap replicates."""
    point = figures(None)
    reps = [figures(w) for w in bootstrap_weights(n_patients, n_boot, seed)]
    out = {}
    for k, v in point.items():
        r = np.array([x[k] for x in reps], dtype=np.float64)
        r = r[np.isfinite(r)]
        lo, hi = (np.percentile(r, [2.5, 97.5]) if len(r) else (np.nan, np.nan))
        out[k] = {"value": v, "ci95": [float(lo), float(hi)]}
    return out


def with_intervals(scores, cohort, util_threshold, n_boot, seed) -> dict:
    tables = make_tables(scores, cohort)
    out = intervals(lambda w: point_metrics(scores, cohort, util_threshold, w, tables),
                    len(cohort.patient_ids), n_boot, seed)
    out["utility_threshold"] = util_threshold
    return out


def fallback_tables(scores, cohort):
    """The 80%-point tables (plain alarm hours, hold-off rule) of the alarm system that uses the
    score within the validated range and NEWS2 >= FALLBACK_NEWS2 beyond it."""
    labels = cohort.values["SepsisLabel"]
    c = with_news2_fallback(scores, cohort_news2(cohort), cohort.values["ICULOS"])
    return (("op80", AlarmTable(c, labels, cohort.starts)), ("rule80", AlarmRuleTable(c, labels, cohort.starts)))


def fallback_metrics(tables, weights=None) -> dict:
    out = {}
    for prefix, table in tables:
        out.update({f"{prefix}_{k}": v for k, v in table.operating_point(0.8, weights).items()})
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


def reference_scores(cohort) -> dict:
    """The scores the model is compared with, on a cohort's rows: NEWS2, qSOFA from vitals and
    hours since admission."""
    return {"NEWS2": cohort_news2(cohort).astype(np.float64),
            "qSOFA (vitals)": cohort_qsofa(cohort).astype(np.float64),
            "hours since admission": cohort.values["ICULOS"].astype(np.float64)}


def same_figure(a: float, b: float) -> bool:
    """Two reported figures are the same: equal to 1e-12, or both undefined (NaN)."""
    return bool((np.isnan(a) and np.isnan(b)) or abs(a - b) <= 1e-12)


def all_scores(parts, manifest):
    import tensorflow as tf
    q = int8_outputs(parts, manifest)
    keras = tf.keras.models.load_model(MODELS_DIR / "vigil-risk-float.keras")
    s = {INT8_NAME: {k: q[k].astype(np.float64) for k in q}}
    s["_int8_test_raw"] = q["test"].astype(np.int8)
    s["vigil-risk float"] = {k: keras.predict(window_features(parts[k], manifest["input"]).astype(np.float32),
                                              batch_size=8192, verbose=0)[:, 0].astype(np.float64)
                             for k in ("val", "test")}
    references = {k: reference_scores(parts[k]) for k in ("val", "test")}
    for name in references["test"]:
        s[name] = {k: references[k][name] for k in ("val", "test")}
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
        if name == INT8_NAME:
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
        for name in COMPARED:
            entry["scores"][name] = with_intervals(scores[name]["test"][rows], sub, thresholds[name],
                                                   args.boot_subgroup, BOOT_SEED)
        report["subgroups"][gname] = entry
        print(gname, len(ids), {k: round(v["value"], 3) for k, v in entry["scores"][INT8_NAME].items() if isinstance(v, dict)}, flush=True)
    report["validated_range"] = validated_range(scores, test, thresholds, report["scores"], args)
    print("validated range", json.dumps(report["validated_range"]["news2_fallback"]), flush=True)
    (MODELS_DIR / "evaluation.json").write_text(json.dumps(report, indent=1) + "\n")
    (MODELS_DIR / "EVALUATION.md").write_text(render_markdown(report, manifest))
    print("wrote evaluation.json and EVALUATION.md")


def share_in_alarm(scores, threshold) -> float:
    """Share of the given scores (rows) at or above a threshold (the score's 80% point)."""
    return float(np.mean(scores >= threshold))


def validated_range(scores, test, thresholds, whole, args) -> dict:
    """The test part's rows beyond the validated range (metrics.VALIDATED_HOURS); every compared
    score's figures on the first VALIDATED_HOURS hours of each stay; the share of hours beyond the
    range in alarm at each score's 80% point; the int8 model's alarm system with the NEWS2
    fallback beyond the range. `whole`: each score's figures on the whole test part."""
    labels = test.values["SepsisLabel"]
    first, keep = test.first_hours(VALIDATED_HOURS)
    beyond = ~keep
    out = {
        "hours": VALIDATED_HOURS, "fallback_news2_at_least": FALLBACK_NEWS2,
        "test_rows_beyond": int(beyond.sum()),
        "test_rows_beyond_from_septic_patients": float(test.ever_septic()[test.row_patient()][beyond].mean()),
        "test_positive_rows_beyond_share": float(labels[beyond].sum() / labels.sum()),
        "share_of_hours_beyond_in_alarm_at_80": {},
        "first_hours": {"patients": int(len(first.patient_ids)), "septic_patients": int(first.ever_septic().sum()),
                        "rows": first.n_rows, "scores": {}},
        "news2_fallback": {},
    }
    for name in COMPARED:
        s = scores[name]["test"]
        out["share_of_hours_beyond_in_alarm_at_80"][name] = share_in_alarm(
            s[beyond], whole[name]["op80_threshold"]["value"])
        out["first_hours"]["scores"][name] = with_intervals(s[keep], first, thresholds[name], args.boot_subgroup,
                                                            BOOT_SEED)
    tables = fallback_tables(scores[INT8_NAME]["test"], test)
    out["news2_fallback"][INT8_NAME] = intervals(lambda w: fallback_metrics(tables, w), len(test.patient_ids),
                                                 args.boot, BOOT_SEED)
    return out


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


def render_validated_range(report) -> list[str]:
    vr = report["validated_range"]
    h = vr["hours"]
    fh = vr["first_hours"]
    lines = ["", f"## Within the validated range (the first {h} ICU hours) and the NEWS2 fallback beyond it", "",
             f"In set A no non-septic record goes past ICU hour {h} (apart from a few cut at the data set's "
             "336-hour cap), while septic records run until a few hours after onset (`curation_check.py`). "
             f"Of the test part's {vr['test_rows_beyond']} rows beyond hour {h}, "
             f"{100 * vr['test_rows_beyond_from_septic_patients']:.1f}% belong to septic patients, and they hold "
             f"{100 * vr['test_positive_rows_beyond_share']:.1f}% of all positive rows: there, time in the ICU "
             "alone predicts the label, which no ward's data would. The figures below are restricted to each "
             f"stay's first {h} hours ({fh['patients']} patients, {fh['rows']} rows, {fh['septic_patients']} "
             "septic patients whose labelled hours start within them), with the thresholds of the full table.", "",
             "| metric | " + " | ".join(COMPARED) + " |", "| --- | " + " | ".join("---" for _ in COMPARED) + " |"]
    for key, label, d in METRIC_ROWS:
        lines.append(f"| {label} | " + " | ".join(fmt(fh["scores"][n], key, d) for n in COMPARED) + " |")
    lines += ["", f"Share of the test part's hours beyond hour {h} in alarm at each score's 80% point (full "
              "table): " + "; ".join(f"{n} {100 * v:.1f}%" for n, v in vr["share_of_hours_beyond_in_alarm_at_80"].items())
              + ".", "",
              f"The alarm system with the fallback (the int8 model's score up to hour {h}, NEWS2 >= "
              f"{vr['fallback_news2_at_least']} beyond it; `metrics.with_news2_fallback`), 80% points searched "
              "on the full test part as above:", "",
              "| metric | int8 model with the NEWS2 fallback | int8 model alone | NEWS2 alone |", "| --- | --- | --- | --- |"]
    fb = vr["news2_fallback"][INT8_NAME]
    for key, label, d in METRIC_ROWS:
        if key in fb:
            lines.append(f"| {label} | {fmt(fb, key, d)} | {fmt(report['scores'][INT8_NAME], key, d)} | "
                         f"{fmt(report['scores']['NEWS2'], key, d)} |")
    return lines


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
    if "validated_range" in report:
        lines += render_validated_range(report)
    lines += ["", "## Subgroups (bias check)", ""]
    sub_names = list(COMPARED)
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
