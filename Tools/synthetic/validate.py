#!/usr/bin/env python3
"""Measure `vigil signal analyze` on synthetic two-channel PPG with known values.

Generates N recordings (default 200, fixed seed) of red and infrared raw intensity at 100 Hz,
40 s each, with heart rate, SpO2, perfusion index, respiratory rate and noise drawn at random
from physiological ranges, using the same model as Tests/VigilSignalTests/SyntheticPPG.swift:
a fast cosine upstroke (120 ms, at most 30 % of the cycle) and exponential decline with a dicrotic wave, breathing modulating beat
interval (sinus arrhythmia), pulse amplitude and baseline; intensity = DC·(1 − k·v(t)) with
k = PI/100 for infrared and k·R for red, where R = (110 − SpO2)/25 inverts the calibration.
Each recording is analysed in 32 s windows every 8 s; the script prints the mean absolute error
and the share of windows estimated for each value, overall and by noise level, and with
--write puts the table into docs/signal-validation.md.

Only the Python standard library is used; all signal processing is in Sources/VigilSignal.
"""

import argparse
import csv
import io
import math
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RATE = 100.0
DURATION = 40.0


def pulse(theta, rise):
    tau = 0.25
    if theta < rise:
        return (1 - math.cos(math.pi * theta / rise)) / 2
    end = math.exp(-(1 - rise) / tau)
    decay = (math.exp(-(theta - rise) / tau) - end) / (1 - end)
    return decay + 0.12 * math.exp(-(((theta - 0.45) / 0.05) ** 2))


def synthesize(p, rng):
    n = int(DURATION * RATE)
    k_ir = p["pi"] / 100
    k_red = k_ir * (110 - p["spo2"]) / 25
    phase = 0.0
    ir, red = [], []
    for i in range(n):
        t = i / RATE
        breath = math.sin(2 * math.pi * p["rr"] / 60 * t + p["phase"])
        theta = phase - math.floor(phase)
        v = (1 + p["am"] * breath) * pulse(theta, min(0.3, 0.12 * p["hr"] / 60)) + p["bw"] * breath
        ir.append(p["ir_dc"] * (1 - k_ir * v) + p["noise"] * p["ir_dc"] * k_ir * rng.gauss(0, 1))
        red.append(p["red_dc"] * (1 - k_red * v)
                   + p["noise"] * p["red_dc"] * k_red * rng.gauss(0, 1))
        phase += p["hr"] / 60 * (1 + p["fm"] * breath) / RATE
    return ir, red


def draw(rng):
    hr = rng.uniform(40, 180)
    return {
        "hr": hr,
        "spo2": rng.uniform(70, 100),
        "pi": math.exp(rng.uniform(math.log(0.3), math.log(10))),
        # Breathing at most 45 % of the heart rate: slower beats cannot carry faster breathing.
        "rr": rng.uniform(6, min(40, 0.45 * hr)),
        "phase": rng.uniform(0, 2 * math.pi),
        "am": rng.uniform(0.05, 0.3),
        "bw": rng.uniform(0.05, 0.4),
        "fm": rng.uniform(0.0, 0.06),
        "noise": rng.choice([0.02, 0.05, 0.1]),
        "ir_dc": rng.uniform(50_000, 200_000),
        "red_dc": rng.uniform(40_000, 150_000),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vigil", default=str(REPO / ".build" / "release" / "vigil"))
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not Path(args.vigil).is_file():
        print(f"validate.py: vigil executable not found at {args.vigil}", file=sys.stderr)
        sys.exit(2)
    rng = random.Random(args.seed)
    results = []  # (params, row)
    with tempfile.TemporaryDirectory() as workdir:
        for k in range(args.count):
            p = draw(rng)
            ir, red = synthesize(p, rng)
            path = Path(workdir) / f"s{k}.csv"
            with open(path, "w") as f:
                f.write("ir,red\n")
                f.writelines(f"{a:.3f},{b:.3f}\n" for a, b in zip(ir, red))
            out = subprocess.run(
                [args.vigil, "signal", "analyze", str(path), "--rate", str(RATE)],
                capture_output=True, text=True)
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                sys.exit(1)
            for row in csv.DictReader(io.StringIO(out.stdout)):
                results.append((p, row))

    def summary(subset, column, truth):
        errors = [abs(float(r[column]) - truth(p)) for p, r in subset if r[column]]
        mae = sum(errors) / len(errors) if errors else float("nan")
        worst = max(errors) if errors else float("nan")
        return mae, 100 * len(errors) / len(subset), worst

    quantities = [
        ("heart rate (bpm)", "hr_bpm", lambda p: p["hr"]),
        ("SpO2 (%)", "spo2_pct", lambda p: p["spo2"]),
        ("perfusion index (%, relative error %)", "perfusion_index", None),
        ("respiratory rate (breaths/min)", "rr_bpm", lambda p: p["rr"]),
    ]
    lines = ["| value | noise | windows | MAE | max error | estimated % |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for name, column, truth in quantities:
        for noise in (None, 0.02, 0.05, 0.1):
            subset = [(p, r) for p, r in results if noise is None or p["noise"] == noise]
            if truth is None:
                errors = [100 * abs(float(r[column]) - p["pi"]) / p["pi"]
                          for p, r in subset if r[column]]
                mae = sum(errors) / len(errors) if errors else float("nan")
                worst = max(errors) if errors else float("nan")
                est = 100 * len(errors) / len(subset)
            else:
                mae, est, worst = summary(subset, column, truth)
            label = "all" if noise is None else f"{noise:g}"
            lines.append(f"| {name} | {label} | {len(subset)} | {mae:.2f} | {worst:.2f} | {est:.1f} |")
    header = (f"{args.count} synthetic recordings (seed {args.seed}), 100 Hz, 40 s, two 32 s windows "
              "each; heart rate 40-180 bpm, SpO2 70-100 %, PI 0.3-10 %, respiratory rate "
              "6-40 breaths/min (at most 0.45 × heart rate); noise = white-noise standard deviation "
              "as a fraction of the pulse amplitude.")
    print(header)
    print("\n".join(lines))
    if args.write:
        path = REPO / "docs" / "signal-validation.md"
        text = path.read_text() if path.exists() else ""
        begin, end = "<!-- synthetic-results:begin -->", "<!-- synthetic-results:end -->"
        block = "\n".join([begin, header, "", *lines, end])
        if begin in text and end in text:
            text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
        else:
            text += ("\n" if text else "") + block + "\n"
        path.write_text(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
