"""Runs the shipped int8 model through Vigil itself and reproduces the model card's int8 figures.

Writes every test-part input window (int8, quantized as the manifest says) back to back to one
file, runs `vigil model run vigil-risk.tflite --input IN --output OUT`, reads the int8 outputs and
recomputes the int8 test metrics (on the full test part, on its first VALIDATED_HOURS hours, and
for the alarm system with the NEWS2 fallback), which must equal those in evaluation.json (and so
in MODEL_CARD.md), and the outputs' SHA-256 must equal TFLM's.

    python check_with_vigil.py [--runner vigil|tflm] [--vigil PATH]

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
from evaluate import INT8_NAME, fallback_metrics, fallback_tables, point_metrics, share_in_alarm
from features import quantize, window_features


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runner", choices=("vigil", "tflm"), default="vigil")
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
    t = manifest["input"]["tensor"]
    x = quantize(window_features(test, manifest["input"]), t["scale"], t["zero_point"])
    if x.shape[1] != int(np.prod(t["shape"])):
        sys.exit(f"feature windows have {x.shape[1]} values, the input tensor {t['shape']}")

    with tempfile.TemporaryDirectory(prefix="vigil-check-") as tmp:
        inp, out = Path(tmp) / "in.bin", Path(tmp) / "out.bin"
        x.tofile(inp)
        if args.runner == "vigil":
            if not Path(args.vigil).is_file():
                sys.exit(f"vigil binary not found at {args.vigil}; build it (swift build -c release) "
                         "or pass --vigil PATH / set VIGIL_BIN")
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

    failures = []
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
            same = (np.isnan(v) and np.isnan(e)) or abs(v - e) <= 1e-12
            print(f"  {prefix + k:52s} {v:.6f}  model card {e:.6f}  {'ok' if same else 'DIFFERS'}")
            if not same:
                failures.append(f"{prefix}{k}: {v} != {e}")
    if failures:
        sys.exit("int8 check FAILED:\n  " + "\n  ".join(failures))
    print(f"int8 check passed with runner {args.runner}: {len(q)} outputs identical to TFLM's, "
          "metrics equal the model card's")


if __name__ == "__main__":
    main()
