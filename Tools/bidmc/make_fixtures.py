#!/usr/bin/env python3
"""Cut the small BIDMC excerpts that Tests/VigilSignalTests use as real-data fixtures.

Each excerpt is 40 s (samples 25000-29999, i.e. seconds 200-240 of the record) of one record's
PLETH column, written as an `ir` CSV exactly as the release prints the values. Alongside,
references.csv gives, for the two 32 s windows of the excerpt that end 8 s apart (at 32 s and
40 s of the excerpt), the reference values defined in validate.py: the mean of the monitor's
1 Hz PULSE and the mean of the two annotators' breath-interval-based rates.

Reads ${VIGIL_DATA:-../shared/data}/bidmc; uses only the Python standard library.
"""

from pathlib import Path

import validate as v

RECORDS = ["bidmc_01", "bidmc_08", "bidmc_16"]
START_S = 200
LENGTH_S = 40
OUT = v.REPO / "Tests" / "VigilSignalTests" / "Fixtures"


def main():
    bidmc = v.data_directory()
    OUT.mkdir(parents=True, exist_ok=True)
    lines = ["record,window_end_s,pulse_bpm,rr_breaths_per_min"]
    for record in RECORDS:
        with open(bidmc / f"{record}_Signals.csv") as f:
            header = [h.strip() for h in f.readline().split(",")]
            column = header.index("PLETH")
            rows = f.read().splitlines()
        first = int(START_S * v.RATE)
        count = int(LENGTH_S * v.RATE)
        cells = [row.split(",")[column].strip() for row in rows[first:first + count]]
        (OUT / f"{record}_excerpt.csv").write_text("ir\n" + "\n".join(cells) + "\n")
        numerics = v.read_columns(bidmc / f"{record}_Numerics.csv")
        breaths = v.read_breaths(bidmc / f"{record}_Breaths.csv")
        for end in (START_S + 32, START_S + 40):
            pulse = v.hr_reference(numerics, end - 32, end)
            rr = v.rr_reference(breaths, end - 32, end)
            lines.append(f"{record},{end - START_S},{pulse:.3f},{rr:.3f}")
    (OUT / "references.csv").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(RECORDS)} excerpts and references.csv to {OUT}")


if __name__ == "__main__":
    main()
