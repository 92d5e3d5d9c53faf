"""Runs the shipped int8 model through Vigil itself and reproduces the model card's int8 figures.

Writes every test-part input window (int8, quantized as the manifest says) back to back to one
file, runs `vigil model run vigil-risk.tflite --input IN --output OUT`, reads the int8 outputs and
recomputes the int8 test metrics (on the full test part, on its first VALIDATED_HOURS hours, and
for the alarm system with the NEWS2 fallback), which must equal those in evaluation.json (and so
in MODEL_CARD.md), and the outputs' SHA-256 must equal TFLM's.

    python check_with_vigil.py [--runner vigil|pipeline|tflm] [--vigil PATH]

`--runner pipeline` hands Vigil the test part's raw hourly rows instead (`vigil risk replay`):
the features are then computed by Vigil's own implementation of the manifest (VigilClinical), so
the check covers the whole path a monitor runs, from charted vitals to the model's output; Vigil's
hourly NEWS2 of the latest values and its alarm decisions (model within the validated range,
NEWS2 fallback beyond; with and without the hold-off) must also equal the evaluation's in every hour.
The Vigil binary is --vigil, else $VIGIL_BIN, else `.build/release/vigil` in the repository
(`swift build -c release`). `--runner tflm` uses tflm_runner.py, which has the same file contract.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from data import MODELS_DIR, REPO_DIR, DataMissing, load_splits
from evaluate import INT8_NAME, fallback_metrics, fallback_tables, point_metrics, same_figure, share_in_alarm
from features import quantize, window_features
from scores import cohort_news2


#: The raw columns `vigil risk replay` reads, as set A names them.
RAW_COLUMNS = ("HR", "O2Sat", "Temp", "SBP", "MAP", "DBP", "Resp", "FiO2", "Age", "Gender", "ICULOS")


def write_rows(cohort, path: Path) -> None:
    """The cohort's raw hourly rows as CSV with a patient column (repr round-trips every float)."""
    cols = [cohort.values[c] for c in RAW_COLUMNS]
    patients = np.repeat(cohort.patient_ids, np.diff(cohort.starts))
    with path.open("w") as f:
        f.write("patient," + ",".join(RAW_COLUMNS) + "\n")
        for i in range(cohort.n_rows):
            f.write(patients[i] + "," + ",".join("NaN" if np.isnan(c[i]) else repr(float(c[i])) for c in cols)
                    + "\n")


def replay(cohort, vigil: str, tmp: Path, options=()) -> tuple[np.ndarray, Path, str]:
    """Every hour of `cohort` through `vigil risk replay` (the shipped manifest; `options` such as
    --hold-off passed on): the int8 outputs, the path of the hourly assessment table it wrote, and
    its summary line."""
    rows, out, table = tmp / "rows.csv", tmp / "q.bin", tmp / "assessments.csv"
    if not rows.is_file():
        write_rows(cohort, rows)
    cmd = [vigil, "risk", "replay", str(rows), "--manifest", str(MODELS_DIR / "vigil-risk.manifest.json"),
           "--output-q", str(out), *options]
    print("running:", " ".join(cmd), f"({cohort.n_rows} hours)", flush=True)
    with table.open("w") as stdout:
        r = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"vigil risk replay failed with exit code {r.returncode}:\n{r.stderr[-4000:]}")
    q = np.fromfile(out, dtype=np.int8)
    if len(q) != cohort.n_rows:
        sys.exit(f"vigil risk replay wrote {len(q)} outputs for {cohort.n_rows} hours")
    return q, table, (r.stderr.strip().splitlines() or [""])[-1]


def alarm_condition(test, q: np.ndarray, news2: np.ndarray, threshold_q: int, vr: dict) -> np.ndarray:
    """The alarm system's condition hour by hour: q at or above `threshold_q` within the validated
    range, NEWS2 of the latest values at or above the fallback's threshold beyond it."""
    inside = test.values["ICULOS"] <= vr["hours_since_admission_max"]
    return np.where(inside, q >= threshold_q, news2 >= vr["fallback_news2_at_least"])


def check_hold_off(table: Path, test, q: np.ndarray, news2: np.ndarray, manifest: dict) -> list[str]:
    """`vigil risk replay --hold-off`: an alarm fires at hour t when the condition (q at or above
    the validated range's hold-off threshold within the range, NEWS2 fallback beyond) holds and none
    fired for the patient in the previous hold_off_hours - 1 hours (metrics.AlarmRuleTable's rule)."""
    vr = manifest["validated_range"]
    hold_off = manifest["output"]["thresholds"]["alarm_rule"]["hold_off_hours"]
    fires = np.genfromtxt(table, delimiter=",", names=True, dtype=None, encoding="utf-8", usecols=("fires",))["fires"]
    condition = alarm_condition(test, q, news2, vr["alarm_rule_threshold_q"], vr)
    expected = np.zeros(test.n_rows, dtype=bool)
    for a, b in zip(test.starts[:-1], test.starts[1:]):
        last = -hold_off
        for t in range(b - a):
            if condition[a + t] and t - last >= hold_off:
                expected[a + t] = True
                last = t
    differ = int(np.sum((fires == 1) != expected))
    print(f"  {'alarms fired with the hold-off':52s} {'equal in every hour' if differ == 0 else f'DIFFERS in {differ} hours'}"
          f" ({int(expected.sum())} alarms)")
    return [f"alarms fired with the hold-off: differ in {differ} hours"] if differ else []


def check_assessments(table: Path, test, q: np.ndarray, news2: np.ndarray, manifest: dict) -> list[str]:
    """`vigil risk replay`'s hourly decisions against the evaluation's: NEWS2 of the latest values
    (scores.cohort_news2), the basis (model up to the validated hour, NEWS2 beyond) and the alarm
    condition of the manifest's validated-range threshold with the NEWS2 fallback."""
    vr = manifest["validated_range"]
    cols = np.genfromtxt(table, delimiter=",", names=True, dtype=None, encoding="utf-8",
                         usecols=("news2_latest", "basis", "alarm"))
    if len(cols) != test.n_rows or len(q) != test.n_rows:
        return [f"vigil risk replay gave {len(cols)} rows and {len(q)} outputs for {test.n_rows} hours"]
    inside = test.values["ICULOS"] <= vr["hours_since_admission_max"]
    alarm = alarm_condition(test, q, news2, vr["alarm_80pct_sensitivity_q"], vr)
    checks = {
        "NEWS2 of the latest values": (cols["news2_latest"], news2),
        "basis (model within the validated range)": (cols["basis"] == "model", inside),
        "alarm condition (model, NEWS2 fallback beyond)": (cols["alarm"] == 1, alarm),
    }
    failures = []
    for name, (got, want) in checks.items():
        differ = int(np.sum(np.asarray(got) != np.asarray(want)))
        print(f"  {name:52s} {'equal in every hour' if differ == 0 else f'DIFFERS in {differ} hours'}")
        if differ:
            failures.append(f"{name}: differs in {differ} of {test.n_rows} hours")
    print(f"  alarm hours of the alarm system (plain threshold):   {int(alarm.sum())}")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runner", choices=("vigil", "pipeline", "tflm"), default="vigil")
    ap.add_argument("--vigil", default=os.environ.get("VIGIL_BIN", str(REPO_DIR / ".build" / "release" / "vigil")))
    args = ap.parse_args()

    manifest = json.loads((MODELS_DIR / "vigil-risk.manifest.json").read_text())
    report = json.loads((MODELS_DIR / "evaluation.json").read_text())
    model = MODELS_DIR / manifest["model_file"]
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    if digest != manifest["model_sha256"] or digest != report["model_sha256"]:
        sys.exit(f"{model} has sha256 {digest}; manifest says {manifest['model_sha256']}, "
                 f"evaluation.json {report['model_sha256']}")
    try:
        test = load_splits()["test"]
    except DataMissing as e:
        sys.exit(str(e))
    with tempfile.TemporaryDirectory(prefix="vigil-check-") as tmp:
        if args.runner in ("vigil", "pipeline") and not Path(args.vigil).is_file():
            sys.exit(f"vigil binary not found at {args.vigil}; build it (swift build -c release) "
                     "or pass --vigil PATH / set VIGIL_BIN")
        failures_pipeline = []
        if args.runner == "pipeline":
            q, table, summary = replay(test, args.vigil, Path(tmp))
            print("  " + summary)
            news2 = cohort_news2(test)
            failures_pipeline = check_assessments(table, test, q, news2, manifest)
            q_rule, table, _ = replay(test, args.vigil, Path(tmp), ("--hold-off",))
            failures_pipeline += check_hold_off(table, test, q_rule, news2, manifest)
        else:
            t = manifest["input"]["tensor"]
            x = quantize(window_features(test, manifest["input"]), t["scale"], t["zero_point"])
            if x.shape[1] != int(np.prod(t["shape"])):
                sys.exit(f"feature windows have {x.shape[1]} values, the input tensor {t['shape']}")
            inp, out = Path(tmp) / "in.bin", Path(tmp) / "out.bin"
            x.tofile(inp)
            if args.runner == "vigil":
                cmd = [args.vigil, "model", "run", str(model), "--input", str(inp), "--output", str(out)]
            else:
                cmd = [sys.executable, str(MODELS_DIR / "tflm_runner.py"), str(model), "--input", str(inp),
                       "--output", str(out), "--arena", str(manifest["tflm_min_arena_bytes"] + 1024)]
            print("running:", " ".join(cmd), f"({len(x)} invocations)", flush=True)
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"runner failed with exit code {r.returncode}:\n{r.stderr[-4000:]}")
            raw = out.read_bytes()
            if len(raw) != len(x):
                sys.exit(f"runner wrote {len(raw)} output bytes for {len(x)} invocations (expected one int8 each)")
            q = np.frombuffer(raw, dtype=np.int8)

    failures = failures_pipeline
    out_digest = hashlib.sha256(q.tobytes()).hexdigest()
    if out_digest != report["int8_test_outputs_sha256"]:
        failures.append(f"outputs sha256 {out_digest} != TFLM's {report['int8_test_outputs_sha256']}")
    s = q.astype(np.float64)
    utility_q = float(manifest["output"]["thresholds"]["utility_optimal_q"])
    vr = report["validated_range"]
    first, keep = test.first_hours(vr["hours"])
    whole = point_metrics(s, test, utility_q)

    def recorded(entry):  # {figure: {"value", "ci95"}} -> {figure: value}
        return {k: v["value"] for k, v in entry.items() if isinstance(v, dict)}

    checks = [
        ("", whole, recorded(report["scores"][INT8_NAME])),
        (f"first {vr['hours']} h: ", point_metrics(s[keep], first, utility_q),
         recorded(vr["first_hours"]["scores"][INT8_NAME])),
        ("NEWS2 fallback: ", fallback_metrics(fallback_tables(s, test)), recorded(vr["news2_fallback"][INT8_NAME])),
        ("", {"share of hours beyond in alarm": share_in_alarm(s[~keep], whole["op80_threshold"])},
         {"share of hours beyond in alarm": vr["share_of_hours_beyond_in_alarm_at_80"][INT8_NAME]}),
    ]
    for prefix, got, expected in checks:
        for k, v in got.items():
            e = expected[k]
            same = same_figure(v, e)
            print(f"  {prefix + k:52s} {v:.6f}  model card {e:.6f}  {'ok' if same else 'DIFFERS'}")
            if not same:
                failures.append(f"{prefix}{k}: {v} != {e}")
    if failures:
        sys.exit("int8 check FAILED:\n  " + "\n  ".join(failures))
    print(f"int8 check passed with runner {args.runner}: {len(q)} outputs identical to TFLM's, "
          "metrics equal the model card's")


if __name__ == "__main__":
    main()
