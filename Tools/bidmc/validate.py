#!/usr/bin/env python3
"""Validate `vigil signal analyze` on the BIDMC PPG and Respiration Dataset.

For every record `bidmc_NN` found in ${VIGIL_DATA:-../shared/data}/bidmc (relative to the
repository root), this script
  1. converts the record's PLETH column to the `ir` CSV that `vigil signal analyze` reads,
  2. runs `vigil signal analyze FILE --rate 125 --window 32 --step 8 --details`,
  3. computes the reference values for each window,
  4. prints per-record and overall mean absolute error (MAE) and percentage of windows
     estimated for heart rate (HR) and respiratory rate (RR), and writes them to
     docs/signal-validation.md (with --write).

Reference values per window [end - 32 s, end):
  HR: mean of the monitor's 1 Hz PULSE values whose time stamp t satisfies start <= t < end,
      skipping NaN; no reference when all are NaN.
  RR: for each of the two annotators, the breaths (sample index / 125 Hz) with
      start <= t < end give a rate 60 * (k - 1) / (t_last - t_first) (the reciprocal of the
      mean breath interval); the reference is the mean of the annotators' rates (one
      annotator's when only one has at least two intervals); no reference when neither has
      two intervals in the window.
"Estimated" means the window's output row has a value in that column. % estimated counts
windows that have a reference; MAE is over windows with both a reference and an estimate.

Only the Python standard library is used. Python here is tooling: all signal processing is
in the Swift package (Sources/VigilSignal).
"""

import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

RATE = 125.0
WINDOW = 32.0
STEP = 8.0
REPO = Path(__file__).resolve().parents[2]


def fail(message):
    print(f"validate.py: {message}", file=sys.stderr)
    sys.exit(2)


def data_directory():
    base = os.environ.get("VIGIL_DATA", "../shared/data")
    path = Path(base)
    if not path.is_absolute():
        path = (REPO / path).resolve()
    bidmc = path / "bidmc"
    if not bidmc.is_dir():
        fail(
            f"BIDMC data not found at {bidmc}. Set VIGIL_DATA to the folder that holds "
            "bidmc/ (the CSV release of https://physionet.org/content/bidmc/1.0.0/)."
        )
    return bidmc


def read_columns(path):
    """Returns {stripped column name: list of floats (NaN for empty/'NaN')}."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader)]
        columns = {h: [] for h in header}
        for row in reader:
            if not row:
                continue
            for h, cell in zip(header, row):
                cell = cell.strip()
                try:
                    columns[h].append(float(cell) if cell else math.nan)
                except ValueError:
                    columns[h].append(math.nan)
    return columns


def convert(signals_path, out_path):
    columns = read_columns(signals_path)
    if "PLETH" not in columns:
        fail(f"{signals_path} has no PLETH column")
    pleth = columns["PLETH"]
    with open(out_path, "w") as f:
        f.write("ir\n")
        for v in pleth:
            if math.isnan(v):
                fail(f"{signals_path}: PLETH has a missing sample")
            f.write(f"{v!r}\n")
    return len(pleth)


def run_vigil(vigil, csv_path, extra):
    command = [
        str(vigil), "signal", "analyze", str(csv_path), "--rate", str(int(RATE)),
        "--window", str(int(WINDOW)), "--step", str(int(STEP)), "--details",
    ] + extra
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{' '.join(command)} failed: {result.stderr.strip()}")
    rows = list(csv.DictReader(result.stdout.splitlines()))
    return rows


def value(cell):
    return float(cell) if cell not in ("", None) else None


def hr_reference(numerics, start, end):
    times = numerics["Time [s]"]
    pulse = numerics["PULSE"]
    values = [p for t, p in zip(times, pulse) if start <= t < end and not math.isnan(p)]
    return sum(values) / len(values) if values else None


def rr_reference(breaths, start, end):
    rates = []
    for annotator in breaths:
        times = [b / RATE for b in annotator if start <= b / RATE < end]
        if len(times) >= 3 and times[-1] > times[0]:
            rates.append(60.0 * (len(times) - 1) / (times[-1] - times[0]))
    return sum(rates) / len(rates) if rates else None


def read_breaths(path):
    annotators = [[], []]
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            for i in range(2):
                if i < len(row) and row[i].strip() not in ("", "NaN", "nan"):
                    annotators[i].append(float(row[i]))
    return [sorted(a) for a in annotators]


def evaluate_record(vigil, bidmc, record, workdir, extra):
    signals = bidmc / f"{record}_Signals.csv"
    ir_csv = Path(workdir) / f"{record}_ir.csv"
    convert(signals, ir_csv)
    rows = run_vigil(vigil, ir_csv, extra)
    numerics = read_columns(bidmc / f"{record}_Numerics.csv")
    breaths = read_breaths(bidmc / f"{record}_Breaths.csv")
    windows = []
    for row in rows:
        end = float(row["time_s"])
        start = end - WINDOW
        windows.append({
            "end": end,
            "hr": value(row["hr_bpm"]),
            "rr": value(row["rr_bpm"]),
            "quality": value(row["quality"]),
            "hr_spectral": value(row.get("hr_spectral")),
            "status": row.get("status", ""),
            "hr_ref": hr_reference(numerics, start, end),
            "rr_ref": rr_reference(breaths, start, end),
        })
    return windows


def summarize(windows, key):
    with_ref = [w for w in windows if w[key + "_ref"] is not None]
    estimated = [w for w in with_ref if w[key] is not None]
    errors = [abs(w[key] - w[key + "_ref"]) for w in estimated]
    return {
        "windows": len(with_ref),
        "estimated": len(estimated),
        "percent": 100.0 * len(estimated) / len(with_ref) if with_ref else math.nan,
        "mae": sum(errors) / len(errors) if errors else math.nan,
        "errors": errors,
    }


def fmt(x, digits=2):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def report(results):
    lines = []
    lines.append("| record | HR windows | HR estimated % | HR MAE (bpm) | RR windows | RR estimated % | RR MAE (breaths/min) |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    all_windows = []
    for record, windows in results:
        hr = summarize(windows, "hr")
        rr = summarize(windows, "rr")
        all_windows += windows
        lines.append(
            f"| {record} | {hr['windows']} | {fmt(hr['percent'], 1)} | {fmt(hr['mae'])} | "
            f"{rr['windows']} | {fmt(rr['percent'], 1)} | {fmt(rr['mae'])} |")
    hr = summarize(all_windows, "hr")
    rr = summarize(all_windows, "rr")
    lines.append(
        f"| **all** | {hr['windows']} | **{fmt(hr['percent'], 1)}** | **{fmt(hr['mae'])}** | "
        f"{rr['windows']} | **{fmt(rr['percent'], 1)}** | **{fmt(rr['mae'])}** |")
    per_record_hr = [summarize(w, "hr")["mae"] for _, w in results]
    per_record_rr = [summarize(w, "rr")["mae"] for _, w in results]
    per_record_hr = [x for x in per_record_hr if not math.isnan(x)]
    per_record_rr = [x for x in per_record_rr if not math.isnan(x)]
    spectral = [abs(w["hr_spectral"] - w["hr_ref"]) for w in all_windows
                if w["hr_ref"] is not None and w["hr_spectral"] is not None]
    summary = {
        "hr": hr, "rr": rr,
        "hr_spectral_mae": sum(spectral) / len(spectral) if spectral else math.nan,
        "hr_record_mean": sum(per_record_hr) / len(per_record_hr) if per_record_hr else math.nan,
        "rr_record_mean": sum(per_record_rr) / len(per_record_rr) if per_record_rr else math.nan,
    }
    return lines, summary


def percentile(values, p):
    if not values:
        return math.nan
    s = sorted(values)
    k = (len(s) - 1) * p
    lo = int(math.floor(k))
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vigil", default=os.environ.get("VIGIL_BIN"),
                        help="path of the vigil executable (default: .build/release/vigil)")
    parser.add_argument("--records", nargs="*", help="record numbers to run (default: all found)")
    parser.add_argument("--write", action="store_true",
                        help="write the tables into docs/signal-validation.md")
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[],
                        help="further options passed to vigil signal analyze")
    args = parser.parse_args()

    vigil = Path(args.vigil) if args.vigil else REPO / ".build" / "release" / "vigil"
    if not vigil.is_file():
        fail(f"vigil executable not found at {vigil}; build it with `swift build -c release` "
             "or pass --vigil PATH")
    bidmc = data_directory()
    records = sorted(p.name[: -len("_Signals.csv")] for p in bidmc.glob("bidmc_*_Signals.csv"))
    if args.records:
        wanted = {f"bidmc_{int(r):02d}" for r in args.records}
        records = [r for r in records if r in wanted]
    if not records:
        fail(f"no bidmc_NN_Signals.csv files in {bidmc}")

    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for record in records:
            results.append((record, evaluate_record(vigil, bidmc, record, workdir, args.extra)))

    lines, summary = report(results)
    print("\n".join(lines))
    hr, rr = summary["hr"], summary["rr"]
    print()
    print(f"HR: MAE {fmt(hr['mae'])} bpm over {hr['estimated']} of {hr['windows']} windows "
          f"({fmt(hr['percent'], 1)} % estimated); mean of per-record MAEs {fmt(summary['hr_record_mean'])}; "
          f"90th percentile error {fmt(percentile(hr['errors'], 0.9))}")
    print(f"HR baseline (largest spectral peak of every window, no gating): MAE "
          f"{fmt(summary['hr_spectral_mae'])} bpm")
    print(f"RR: MAE {fmt(rr['mae'])} breaths/min over {rr['estimated']} of {rr['windows']} windows "
          f"({fmt(rr['percent'], 1)} % estimated); mean of per-record MAEs {fmt(summary['rr_record_mean'])}; "
          f"90th percentile error {fmt(percentile(rr['errors'], 0.9))}")
    if args.write:
        write_document(lines, summary, records)


def write_document(lines, summary, records):
    path = REPO / "docs" / "signal-validation.md"
    text = path.read_text() if path.exists() else ""
    begin, end = "<!-- bidmc-results:begin -->", "<!-- bidmc-results:end -->"
    hr, rr = summary["hr"], summary["rr"]
    block = "\n".join([
        begin,
        f"Records: {records[0]} to {records[-1]} ({len(records)} records); "
        f"32 s windows every 8 s at 125 Hz.",
        "",
        f"- Heart rate: MAE **{fmt(hr['mae'])} bpm** against the monitor's PULSE, "
        f"**{fmt(hr['percent'], 1)} %** of {hr['windows']} windows estimated "
        f"(mean of per-record MAEs {fmt(summary['hr_record_mean'])}; 90th percentile of "
        f"absolute error {fmt(percentile(hr['errors'], 0.9))}; for scale, the largest spectral "
        f"peak of every window gives {fmt(summary['hr_spectral_mae'])} bpm).",
        f"- Respiratory rate: MAE **{fmt(rr['mae'])} breaths/min** against the annotated "
        f"breaths, **{fmt(rr['percent'], 1)} %** of {rr['windows']} windows estimated "
        f"(mean of per-record MAEs {fmt(summary['rr_record_mean'])}; 90th percentile of "
        f"absolute error {fmt(percentile(rr['errors'], 0.9))}).",
        "",
        *lines,
        end,
    ])
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text += ("\n" if text else "") + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
