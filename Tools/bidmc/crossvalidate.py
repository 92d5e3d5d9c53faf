#!/usr/bin/env python3
"""Leave-one-record-out cross-validation of the respiratory-rate choices on BIDMC.

The respiratory rate has three choices that were made by looking at data: the fusion method
(consensus, Karlen's Smart Fusion, or spectral peak-conditioned averaging), the minimum support
(how many of the nine per-variation estimates must agree) and the minimum quality index. This
script checks that choosing them on records 01-26 does not flatter the result: for each record
in turn it picks the combination with the lowest pooled MAE on the *other* records among those
that estimate at least 90 % of the other records' windows, and scores that choice on the
held-out record only. It also prints what every combination gives on all records.

The fusion method is chosen by running `vigil signal analyze --rr-fusion ... --details`; the
two gates are applied to the `rr_fused`, `rr_support` and `quality` columns, which is what
the analyser does internally (except that the quality column is rounded to two decimals, so a
window at 0.695 passes a 0.7 gate here but not in the analyser: a difference of a few windows). Uses validate.py's data location, conversion and references.
"""

import argparse
import itertools
import math
import tempfile
from pathlib import Path

import validate as v

FUSIONS = ["consensus", "smart", "spectral-average"]
SUPPORTS = [3, 4, 5]
QUALITIES = [0.5, 0.6, 0.7, 0.8]
MIN_COVERAGE = 0.90
DEFAULT = ("consensus", 3, 0.7)


def collect(vigil, bidmc, records):
    """{fusion: {record: [(fused, support, quality, reference)]}} over windows with a reference."""
    data = {}
    with tempfile.TemporaryDirectory() as workdir:
        for record in records:
            ir_csv = Path(workdir) / f"{record}_ir.csv"
            v.convert(bidmc / f"{record}_Signals.csv", ir_csv)
            breaths = v.read_breaths(bidmc / f"{record}_Breaths.csv")
            for fusion in FUSIONS:
                rows = v.run_vigil(vigil, ir_csv, ["--rr-fusion", fusion])
                windows = []
                for row in rows:
                    end = float(row["time_s"])
                    reference = v.rr_reference(breaths, end - v.WINDOW, end)
                    if reference is None:
                        continue
                    windows.append((v.value(row["rr_fused"]), int(row["rr_support"]),
                                    float(row["quality"]), reference))
                data.setdefault(fusion, {})[record] = windows
    return data


def score(data, config, records):
    fusion, support, quality = config
    errors, total = [], 0
    for record in records:
        for fused, s, q, reference in data[fusion][record]:
            total += 1
            if fused is not None and s >= support and q >= quality:
                errors.append(abs(fused - reference))
    mae = sum(errors) / len(errors) if errors else math.inf
    return mae, (len(errors) / total if total else 0.0), errors, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vigil", default=None, help="path of the vigil executable")
    parser.add_argument("--write", action="store_true", help="write into docs/signal-validation.md")
    args = parser.parse_args()
    vigil = Path(args.vigil) if args.vigil else v.REPO / ".build" / "release" / "vigil"
    if not vigil.is_file():
        v.fail(f"vigil executable not found at {vigil}; pass --vigil PATH")
    bidmc = v.data_directory()
    records = sorted(p.name[: -len("_Signals.csv")] for p in bidmc.glob("bidmc_*_Signals.csv"))
    data = collect(vigil, bidmc, records)
    configs = list(itertools.product(FUSIONS, SUPPORTS, QUALITIES))

    lines = ["| held-out record | chosen (fusion, support, quality) | RR MAE | RR estimated % |",
             "| --- | --- | ---: | ---: |"]
    pooled, pooled_total, chosen = [], 0, {}
    for record in records:
        train = [r for r in records if r != record]
        feasible = [(score(data, c, train)[0], c) for c in configs
                    if score(data, c, train)[1] >= MIN_COVERAGE]
        best = min(feasible)[1]
        chosen[best] = chosen.get(best, 0) + 1
        mae, coverage, errors, total = score(data, best, [record])
        pooled += errors
        pooled_total += total
        lines.append(f"| {record} | {best} | {v.fmt(mae)} | {v.fmt(100 * coverage, 1)} |")
    loro = (f"Leave-one-record-out: pooled RR MAE **{v.fmt(sum(pooled) / len(pooled))}** "
            f"breaths/min with **{v.fmt(100 * len(pooled) / pooled_total, 1)} %** of windows "
            f"estimated; choices made: "
            + ", ".join(f"{c} ×{n}" for c, n in sorted(chosen.items(), key=lambda x: -x[1])))

    table = ["| fusion | min support | min quality | RR MAE (all records) | estimated % |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for c in configs:
        mae, coverage, _, _ = score(data, c, records)
        mark = " (default)" if c == DEFAULT else ""
        table.append(f"| {c[0]}{mark} | {c[1]} | {c[2]} | {v.fmt(mae)} | {v.fmt(100 * coverage, 1)} |")

    print("\n".join(lines))
    print()
    print(loro)
    print()
    print("\n".join(table))
    if args.write:
        path = v.REPO / "docs" / "signal-validation.md"
        text = path.read_text() if path.exists() else ""
        begin, end = "<!-- bidmc-crossvalidation:begin -->", "<!-- bidmc-crossvalidation:end -->"
        block = "\n".join([begin, loro, "", *lines, "", "All combinations on all records:", "",
                           *table, end])
        if begin in text and end in text:
            text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
        else:
            text += ("\n" if text else "") + block + "\n"
        path.write_text(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
