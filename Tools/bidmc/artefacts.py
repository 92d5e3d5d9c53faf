#!/usr/bin/env python3
"""Robustness check: BIDMC records with motion-like artefact injected.

Records 01-26 are clean for most of their length, so they say little about how the quality
index copes with movement. This script adds, to each record's PLETH, three bursts of 15 s of
band-limited noise (white Gaussian noise through a 0.2 s moving average, scaled to `--amplitude`
times the record's PLETH standard deviation) at random places (fixed seed), runs
`vigil signal analyze --rate 125 --window 32 --step 8 --details`, and prints heart-rate and
respiratory-rate MAE and percentage estimated, separately for windows that overlap a burst and
windows that do not. References as in validate.py.

Only the Python standard library is used.
"""

import argparse
import csv
import io
import math
import random
import subprocess
import tempfile
from pathlib import Path

import validate as v

BURSTS = 3
BURST_S = 15.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vigil", default=str(v.REPO / ".build" / "release" / "vigil"))
    parser.add_argument("--amplitude", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not Path(args.vigil).is_file():
        v.fail(f"vigil executable not found at {args.vigil}")
    bidmc = v.data_directory()
    records = sorted(p.name[: -len("_Signals.csv")] for p in bidmc.glob("bidmc_*_Signals.csv"))
    rng = random.Random(args.seed)
    width = int(0.2 * v.RATE)
    length = int(BURST_S * v.RATE)
    tallies = {(key, hit): [[], 0] for key in ("hr", "rr") for hit in (True, False)}
    with tempfile.TemporaryDirectory() as workdir:
        for record in records:
            x = v.read_columns(bidmc / f"{record}_Signals.csv")["PLETH"]
            mean = sum(x) / len(x)
            sd = math.sqrt(sum((a - mean) ** 2 for a in x) / len(x))
            bursts = []
            for _ in range(BURSTS):
                start = rng.randrange(0, len(x) - length)
                white = [rng.gauss(0, 1) for _ in range(length + width)]
                window = sum(white[:width])
                for k in range(length):
                    x[start + k] += args.amplitude * sd * window / math.sqrt(width)
                    window += white[k + width] - white[k]
                bursts.append((start / v.RATE, (start + length) / v.RATE))
            path = Path(workdir) / f"{record}.csv"
            path.write_text("ir\n" + "\n".join(repr(a) for a in x) + "\n")
            rows = v.run_vigil(args.vigil, path, [])
            numerics = v.read_columns(bidmc / f"{record}_Numerics.csv")
            breaths = v.read_breaths(bidmc / f"{record}_Breaths.csv")
            for row in rows:
                end = float(row["time_s"])
                start = end - v.WINDOW
                hit = any(a < end and b > start for a, b in bursts)
                for key, column, reference in (
                    ("hr", "hr_bpm", v.hr_reference(numerics, start, end)),
                    ("rr", "rr_bpm", v.rr_reference(breaths, start, end)),
                ):
                    if reference is None:
                        continue
                    tally = tallies[(key, hit)]
                    tally[1] += 1
                    if row[column]:
                        tally[0].append(abs(float(row[column]) - reference))
    print(f"{BURSTS} bursts of {BURST_S:g} s per record, amplitude {args.amplitude:g} × PLETH SD, "
          f"seed {args.seed}")
    print("| value | windows | count | MAE | estimated % |")
    print("| --- | --- | ---: | ---: | ---: |")
    for key in ("hr", "rr"):
        for hit in (True, False):
            errors, total = tallies[(key, hit)]
            mae = sum(errors) / len(errors) if errors else math.nan
            label = "overlapping a burst" if hit else "clean"
            print(f"| {key.upper()} | {label} | {total} | {v.fmt(mae)} | "
                  f"{v.fmt(100 * len(errors) / total if total else math.nan, 1)} |")


if __name__ == "__main__":
    main()
