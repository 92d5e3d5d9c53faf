"""Makes the fixed patient-level split of set A (60% train, 20% validation, 20% test).

Run once; the lists in `splits/` are committed and every other script reads them. The split is
stratified by whether a patient ever has SepsisLabel = 1, with a fixed seed, so rerunning it
reproduces the committed lists exactly (checked by `--check`).
"""

import argparse
import sys

import numpy as np

from data import SPLIT_DIR, DataMissing, load_set_a

SEED = 20190101
FRACTIONS = {"train": 0.6, "val": 0.2, "test": 0.2}


def make_split(cohort):
    septic = cohort.ever_septic()
    rng = np.random.default_rng(SEED)
    parts = {k: [] for k in FRACTIONS}
    for group in (np.flatnonzero(septic), np.flatnonzero(~septic)):
        order = rng.permutation(group)
        n_train = int(round(FRACTIONS["train"] * len(order)))
        n_val = int(round(FRACTIONS["val"] * len(order)))
        parts["train"].extend(order[:n_train])
        parts["val"].extend(order[n_train:n_train + n_val])
        parts["test"].extend(order[n_train + n_val:])
    return {k: sorted(cohort.patient_ids[v].tolist()) for k, v in parts.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="verify the committed lists instead of writing")
    args = ap.parse_args()
    try:
        cohort = load_set_a()
    except DataMissing as e:
        sys.exit(str(e))
    parts = make_split(cohort)
    SPLIT_DIR.mkdir(exist_ok=True)
    for name, ids in parts.items():
        text = (f"# PhysioNet 2019 set A patients in the {name} part (make_split.py, seed {SEED})\n"
                + "\n".join(ids) + "\n")
        path = SPLIT_DIR / f"{name}.txt"
        if args.check:
            if not path.is_file() or path.read_text() != text:
                sys.exit(f"{path} differs from the split make_split.py produces")
        else:
            path.write_text(text)
        print(name, len(ids), "patients")


if __name__ == "__main__":
    main()
