"""Judges the shipped model on another hospital's patients, through the runtime that ships.

Reads data in the PhysioNet/CinC 2019 layout (a folder of per-patient `.psv` files such as the
Challenge's training set B, or a CSV, optionally gzipped, with a `patient` column as set A here),
runs every hour through `vigil risk replay` (Vigil computes the features from the manifest, runs
the int8 model and applies the alarm policy), and reports the model card's figures for the model
beside NEWS2, qSOFA and hours since admission on the same rows, with 95% patient-level bootstrap
intervals: whole stays, the first 59 ICU hours (the model's validated range), the alarm system with
the NEWS2 fallback beyond them, how the site's data were curated (do non-septic records end early,
as set A's do at hour 59?) and how often each vital is charted.

    VIGIL_BIN=.build/release/vigil python evaluate_site.py --psv-dir training_setB --name "hospital B"
    python evaluate_site.py --csv setA.csv.gz --patients splits/test.txt --name "set A test part" \\
        --compare-with-evaluation

Utility thresholds are the ones the model card used (from evaluation.json: the manifest's for the
model, set A's validation part's for the references); the 80%-sensitivity points are found on the
site's data. Writes site-evaluation.json and SITE-EVALUATION.md to --out (default: a folder named
after the site under /tmp). `--compare-with-evaluation` checks that every figure equals
evaluation.json's, which holds when the site is set A's test part: the self-check of this script.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

from check_with_vigil import replay
from data import MODELS_DIR, REPO_DIR, DataMissing, parse_csv, read_psv_folder
from evaluate import (BOOT_SEED, COMPARED, INT8_NAME, fallback_metrics, fallback_tables, fmt, intervals,
                      reference_scores, same_figure, share_in_alarm, with_intervals)
from metrics import VALIDATED_HOURS

CHARTED = ("HR", "O2Sat", "Temp", "SBP", "MAP", "DBP", "Resp", "FiO2")


def load_site(args):
    if args.psv_dir:
        cohort = read_psv_folder(Path(args.psv_dir))
    else:
        path = Path(args.csv)
        if not path.is_file():
            raise DataMissing(f"{path} not found")
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("ascii")
        cohort = parse_csv(text, str(path))
    if args.patients:
        ids = [l.strip() for l in Path(args.patients).read_text().splitlines()
               if l.strip() and not l.startswith("#")]
        cohort = cohort.subset(ids)
    return cohort


def curation(cohort) -> dict:
    """How the site's records end: set A ends every non-septic record by ICU hour 59 (or at the
    336-hour cap) while septic ones run to a few hours after onset, so beyond hour 59 the stay's
    length alone predicts the label."""
    septic = cohort.ever_septic()
    last = cohort.values["ICULOS"][cohort.starts[1:] - 1]
    beyond = cohort.values["ICULOS"] > VALIDATED_HOURS
    labels = cohort.values["SepsisLabel"]
    row_septic = septic[cohort.row_patient()]
    return {
        "non_septic_records": int((~septic).sum()),
        "non_septic_records_ending_by_hour_59": float(np.mean(last[~septic] <= VALIDATED_HOURS)),
        "septic_records_ending_by_hour_59": float(np.mean(last[septic] <= VALIDATED_HOURS)) if septic.any() else None,
        "rows_beyond_hour_59": int(beyond.sum()),
        "rows_beyond_hour_59_from_septic_patients": float(row_septic[beyond].mean()) if beyond.any() else None,
        "positive_rows_beyond_hour_59_share": float(labels[beyond].sum() / labels.sum()) if labels.sum() else None,
    }


def charting(cohort) -> dict:
    """Share of hours in which each vital (and FiO2) was recorded."""
    return {c: float(np.mean(~np.isnan(cohort.values[c]))) for c in CHARTED}


def scores_for(cohort, q) -> dict:
    return {INT8_NAME: q.astype(np.float64), **reference_scores(cohort)}


def evaluate(cohort, q, thresholds, boot, boot_first) -> dict:
    s = scores_for(cohort, q)
    first, keep = cohort.first_hours(VALIDATED_HOURS)
    out = {"patients": int(len(cohort.patient_ids)), "rows": int(cohort.n_rows),
           "septic_patients": int(cohort.ever_septic().sum()), "curation": curation(cohort),
           "charting": charting(cohort), "scores": {},
           "first_hours": {"hours": VALIDATED_HOURS, "patients": int(len(first.patient_ids)),
                           "septic_patients": int(first.ever_septic().sum()), "scores": {}},
           "share_of_hours_beyond_in_alarm_at_80": {}}
    for name in COMPARED:
        out["scores"][name] = with_intervals(s[name], cohort, thresholds[name], boot, BOOT_SEED)
        out["first_hours"]["scores"][name] = with_intervals(s[name][keep], first, thresholds[name], boot_first,
                                                            BOOT_SEED)
        if (~keep).any():
            out["share_of_hours_beyond_in_alarm_at_80"][name] = share_in_alarm(
                s[name][~keep], out["scores"][name]["op80_threshold"]["value"])
        print(name, {k: round(v["value"], 4) for k, v in out["scores"][name].items() if isinstance(v, dict)},
              flush=True)
    tables = fallback_tables(s[INT8_NAME], cohort)
    out["news2_fallback"] = intervals(lambda w: fallback_metrics(tables, w), len(cohort.patient_ids), boot,
                                      BOOT_SEED)
    return out


def compare_with_evaluation(site, report) -> list[str]:
    """Every figure of `site` against evaluation.json's for the same score and part."""
    vr = report["validated_range"]
    pairs = [("", site["scores"], report["scores"]),
             (f"first {VALIDATED_HOURS} h: ", site["first_hours"]["scores"], vr["first_hours"]["scores"])]
    failures, compared = [], 0
    for prefix, got_all, want_all in pairs:
        for name in COMPARED:
            for k, v in got_all[name].items():
                if not isinstance(v, dict):
                    continue
                w = want_all[name][k]
                for a, b in [(v["value"], w["value"])] + list(zip(v["ci95"], w["ci95"])):
                    compared += 1
                    if not same_figure(a, b):
                        failures.append(f"{prefix}{name} {k}: {a} != {b}")
    for k, v in site["news2_fallback"].items():
        compared += 1
        if not same_figure(v["value"], vr["news2_fallback"][INT8_NAME][k]["value"]):
            failures.append(f"NEWS2 fallback {k}: {v['value']} != {vr['news2_fallback'][INT8_NAME][k]['value']}")
    for name, v in site["share_of_hours_beyond_in_alarm_at_80"].items():
        compared += 1
        if not same_figure(v, vr["share_of_hours_beyond_in_alarm_at_80"][name]):
            failures.append(f"share beyond in alarm {name}: {v}")
    print(f"compared {compared} figures (values and interval ends) with evaluation.json")
    return failures


ROWS = [("auroc", "hourly AUROC", 3), ("auprc", "hourly AUPRC", 3), ("utility", "normalized utility", 3),
        ("sens_at_90_spec", "sensitivity at 90% specificity", 3),
        ("op80_alarm_hours_per_patient_day", "alarm hours/patient-day at 80% of septic patients", 2),
        ("op80_median_lead_hours", "median lead time at 80% (h)", 0),
        ("rule80_alarms_per_patient_day", "alarms fired/patient-day, 6 h hold-off, at 80%", 2)]


def set_a_curation() -> tuple[float, float]:
    """Set A's training data (curation_check.json): the share of non-septic records ending by hour
    59 and the share of the hours beyond it that belong to septic patients."""
    f = json.loads((MODELS_DIR / "curation_check.json").read_text())["facts"]
    non_septic = f["patients"] - f["septic_patients"]
    return 1 - f["non_septic_stays_beyond"] / non_septic, f["rows_beyond_from_septic_patients"]


def render(site, name, manifest) -> str:
    c, ch = site["curation"], site["charting"]
    a_ending, a_beyond = set_a_curation()
    lines = [f"# vigil-risk on {name}", "",
             f"Model sha256 `{manifest['model_sha256']}`, run through `vigil risk replay` (Vigil's own features, "
             "int8 model and alarm policy). 95% patient-level bootstrap intervals.", "",
             f"{site['patients']} patients ({site['septic_patients']} ever septic), {site['rows']} hours.", "",
             "## Curation and charting", "",
             f"- non-septic records ending by ICU hour {VALIDATED_HOURS}: "
             f"{100 * c['non_septic_records_ending_by_hour_59']:.1f}% (set A's training data: {100 * a_ending:.2f}%)",
             f"- hours beyond hour {VALIDATED_HOURS}: {c['rows_beyond_hour_59']}, of which from septic patients: "
             + (f"{100 * c['rows_beyond_hour_59_from_septic_patients']:.1f}% (set A's training data: {100 * a_beyond:.1f}%)"
                if c["rows_beyond_hour_59_from_septic_patients"] is not None else "none"),
             "- share of hours with a charted value: " + ", ".join(f"{k} {100 * v:.0f}%" for k, v in ch.items()),
             "", "If most non-septic records end by hour 59 here too, the whole-stay figures reward the stay's "
             "length as set A's do; the first-59-hour figures are then the ones to judge the model by.", ""]
    for title, scores in (("Whole stays", site["scores"]),
                          (f"First {VALIDATED_HOURS} ICU hours (the validated range)", site["first_hours"]["scores"])):
        shown = ["vigil-risk int8 (through Vigil)" if n == INT8_NAME else n for n in COMPARED]
        lines += [f"## {title}", "", "| figure | " + " | ".join(shown) + " |",
                  "| --- |" + " --- |" * len(COMPARED)]
        for key, label, digits in ROWS:
            lines.append(f"| {label} | " + " | ".join(fmt(scores[n], key, digits) for n in COMPARED) + " |")
        lines.append("")
    fb = site["news2_fallback"]
    lines += ["## The alarm system as shipped (model up to hour 59, NEWS2 ≥ 5 of the latest values beyond)", "",
              f"- alarm hours/patient-day at 80% of septic patients: {fmt(fb, 'op80_alarm_hours_per_patient_day', 2)}"
              f" (NEWS2 alone: {fmt(site['scores']['NEWS2'], 'op80_alarm_hours_per_patient_day', 2)})",
              f"- median lead time: {fmt(fb, 'op80_median_lead_hours', 0)} h",
              f"- alarms fired/patient-day with the 6 h hold-off: {fmt(fb, 'rule80_alarms_per_patient_day', 2)}", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--psv-dir", help="folder of PhysioNet 2019 per-patient .psv files")
    src.add_argument("--csv", help="CSV or CSV.gz with a patient column (set A's layout)")
    ap.add_argument("--patients", help="file of patient ids to keep (one per line)")
    ap.add_argument("--name", required=True, help="the site's name, for the report")
    ap.add_argument("--out", help="folder for site-evaluation.json and SITE-EVALUATION.md")
    ap.add_argument("--boot", type=int, default=500)
    ap.add_argument("--boot-first", type=int, default=200, help="replicates for the first-59-hour figures")
    ap.add_argument("--vigil", default=os.environ.get("VIGIL_BIN", str(REPO_DIR / ".build" / "release" / "vigil")))
    ap.add_argument("--compare-with-evaluation", action="store_true",
                    help="require every figure to equal evaluation.json's (when the site is set A's test part)")
    args = ap.parse_args()
    if not Path(args.vigil).is_file():
        sys.exit(f"vigil binary not found at {args.vigil}; build it (swift build -c release --product vigil) "
                 "or pass --vigil PATH / set VIGIL_BIN")
    try:
        cohort = load_site(args)
    except (DataMissing, ValueError, KeyError) as e:
        sys.exit(e.args[0] if isinstance(e, KeyError) else str(e))
    print(f"{args.name}: {len(cohort.patient_ids)} patients, {cohort.n_rows} hours", flush=True)
    manifest = json.loads((MODELS_DIR / "vigil-risk.manifest.json").read_text())
    report = json.loads((MODELS_DIR / "evaluation.json").read_text())
    thresholds = {n: report["scores"][n]["utility_threshold"] for n in COMPARED}
    with tempfile.TemporaryDirectory(prefix="vigil-site-") as tmp:
        q, _, summary = replay(cohort, args.vigil, Path(tmp))
    print("  " + summary, flush=True)
    site = evaluate(cohort, q, thresholds, args.boot, args.boot_first)
    site.update({"site": args.name, "model_sha256": manifest["model_sha256"], "bootstrap": args.boot,
                 "bootstrap_first_hours": args.boot_first})
    out = Path(args.out or Path(tempfile.gettempdir()) / ("vigil-site-" + re.sub(r"\W+", "-", args.name)))
    out.mkdir(parents=True, exist_ok=True)
    (out / "site-evaluation.json").write_text(json.dumps(site, indent=1) + "\n")
    (out / "SITE-EVALUATION.md").write_text(render(site, args.name, manifest))
    print(f"wrote {out / 'site-evaluation.json'} and {out / 'SITE-EVALUATION.md'}")
    if args.compare_with_evaluation:
        failures = compare_with_evaluation(site, report)
        if failures:
            sys.exit("differs from evaluation.json:\n  " + "\n  ".join(failures[:40]))
        print("every figure equals evaluation.json's")


if __name__ == "__main__":
    main()
