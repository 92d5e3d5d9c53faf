"""Loading PhysioNet/CinC Challenge 2019 training set A and the fixed patient-level split.

The data set is not part of the repository. Its folder is taken from the environment variable
VIGIL_DATA (the folder that holds `physionet2019/setA.csv.gz`), or `../shared/data` relative to the
repository root. Source and licence: see `physionet2019/SOURCE.md` in that folder (CC BY 4.0;
Reyna et al., Crit Care Med 2020;48(2):210-217; Goldberger et al., Circulation 2000).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODELS_DIR = Path(__file__).resolve().parent
REPO_DIR = MODELS_DIR.parent
SPLIT_DIR = MODELS_DIR / "splits"
SET_A_SHA256 = "8f085c16412f3e94718cb25c50d536cf56387d6bc9d616e4d48157c8ef2ad442"

#: Columns read from the CSV (the bedside vitals, FiO2, demographics, time and label).
#: Laboratory values are never read.
COLUMNS = ["HR", "O2Sat", "Temp", "SBP", "MAP", "DBP", "Resp", "FiO2", "Age", "Gender", "ICULOS", "SepsisLabel"]


class DataMissing(RuntimeError):
    """The PhysioNet 2019 set A file is not where VIGIL_DATA (or the default) says."""


def data_root() -> Path:
    env = os.environ.get("VIGIL_DATA")
    return Path(env) if env else (REPO_DIR / ".." / "shared" / "data").resolve()


def set_a_path() -> Path:
    path = data_root() / "physionet2019" / "setA.csv.gz"
    if not path.is_file():
        raise DataMissing(
            f"PhysioNet 2019 set A not found at {path}. Set VIGIL_DATA to the folder that holds "
            "physionet2019/setA.csv.gz (default: ../shared/data relative to the repository).")
    return path


@dataclass
class Cohort:
    """Hourly rows of a set of patients, rows of one patient contiguous and in time order."""

    patient_ids: np.ndarray  # (P,) str, e.g. "p000001"
    starts: np.ndarray  # (P+1,) row offsets: patient k owns rows starts[k]:starts[k+1]
    values: dict  # column name -> (N,) float64 array (NaN = missing)

    @property
    def n_rows(self) -> int:
        return int(self.starts[-1])

    def row_patient(self) -> np.ndarray:
        """Index of the patient owning each row."""
        return np.repeat(np.arange(len(self.patient_ids)), np.diff(self.starts))

    def ever_septic(self) -> np.ndarray:
        """(P,) bool: whether each patient has SepsisLabel = 1 in some row."""
        label = self.values["SepsisLabel"]
        return np.array([label[a:b].max() > 0 for a, b in zip(self.starts[:-1], self.starts[1:])])

    def first_hours(self, hours: int) -> tuple["Cohort", np.ndarray]:
        """Every patient's rows up to ICU hour `hours` (ICULOS <= hours), as a cohort, and the
        boolean mask of the kept rows; patients with no such row are left out."""
        keep = self.values["ICULOS"] <= hours
        lengths = np.array([int(keep[a:b].sum()) for a, b in zip(self.starts[:-1], self.starts[1:])])
        for k, (a, n) in enumerate(zip(self.starts[:-1], lengths)):
            if not keep[a:a + n].all():
                raise ValueError(f"patient {self.patient_ids[k]}: the rows with ICULOS <= {hours} "
                                 "are not the first rows of the stay")
        present = lengths > 0
        starts = np.concatenate([[0], np.cumsum(lengths[present])])
        return Cohort(self.patient_ids[present], starts, {c: v[keep] for c, v in self.values.items()}), keep

    def subset(self, ids) -> "Cohort":
        """The cohort restricted to the given patient ids, in the order given."""
        index = {p: k for k, p in enumerate(self.patient_ids)}
        try:
            ks = [index[p] for p in ids]
        except KeyError as e:
            raise KeyError(f"patient {e.args[0]} is not in the data read") from None
        rows = np.concatenate([np.arange(self.starts[k], self.starts[k + 1]) for k in ks])
        lengths = np.array([self.starts[k + 1] - self.starts[k] for k in ks])
        starts = np.concatenate([[0], np.cumsum(lengths)])
        return Cohort(np.array(ids), starts, {c: v[rows] for c, v in self.values.items()})


def _cache_path() -> Path:
    cache = Path(os.environ.get("VIGIL_CACHE", "/tmp/vigil-model-cache"))
    cache.mkdir(parents=True, exist_ok=True)
    return cache / "setA-bedside.npz"


def load_set_a(verify_hash: bool = True) -> Cohort:
    """Reads set A (bedside columns only), caching a parsed copy outside the repository."""
    path = set_a_path()
    cache = _cache_path()
    if cache.is_file() and cache.stat().st_mtime >= path.stat().st_mtime:
        z = np.load(cache, allow_pickle=False)
        return Cohort(z["patient_ids"], z["starts"], {c: z[c] for c in COLUMNS})
    raw = path.read_bytes()
    if verify_hash:
        digest = hashlib.sha256(raw).hexdigest()
        if digest != SET_A_SHA256:
            raise DataMissing(f"{path} has sha256 {digest}, expected {SET_A_SHA256} (see SOURCE.md)")
    cohort = parse_csv(gzip.decompress(raw).decode("ascii"), str(path))
    np.savez(cache, patient_ids=cohort.patient_ids, starts=cohort.starts, **cohort.values)
    return cohort


def parse_csv(text: str, where: str) -> Cohort:
    """A cohort from CSV text whose first column is `patient` (set A's layout): each patient's
    rows contiguous and in time order; 'NaN' = not measured."""
    lines = text.splitlines()
    header = lines[0].split(",")
    if header[0] != "patient":
        raise ValueError(f"{where}: first column is {header[0]!r}, expected 'patient'")
    col_index = []
    for c in COLUMNS:
        if c not in header:
            raise ValueError(f"{where}: column {c!r} missing from the header")
        col_index.append(header.index(c))
    n = len(lines) - 1
    out = np.empty((n, len(COLUMNS)), dtype=np.float64)
    pid = []
    for i, line in enumerate(lines[1:]):
        f = line.split(",")
        if len(f) != len(header):
            raise ValueError(f"{where}: line {i + 2} has {len(f)} fields, expected {len(header)}")
        pid.append(f[0])
        out[i] = [float(f[j]) for j in col_index]  # 'NaN' parses to nan
    pid = np.array(pid)
    change = np.flatnonzero(pid[1:] != pid[:-1]) + 1
    starts = np.concatenate([[0], change, [n]])
    patient_ids = pid[starts[:-1]]
    if len(np.unique(patient_ids)) != len(patient_ids):
        raise ValueError(f"{where}: a patient's rows are not contiguous")
    return Cohort(patient_ids, starts, {c: out[:, j].copy() for j, c in enumerate(COLUMNS)})


def read_psv_folder(folder: Path) -> Cohort:
    """A cohort from a folder of PhysioNet 2019 per-patient files (`p000001.psv`, pipe-separated,
    one row per ICU hour), patients in file-name order; the file stem is the patient id."""
    files = sorted(Path(folder).glob("*.psv"))
    if not files:
        raise DataMissing(f"no .psv files in {folder}")
    ids, blocks, starts = [], [], [0]
    for path in files:
        lines = path.read_text().splitlines()
        header = lines[0].split("|")
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{path}: columns {missing} missing from the header")
        index = [header.index(c) for c in COLUMNS]
        rows = np.array([[float(f[j]) for j in index] for f in (l.split("|") for l in lines[1:] if l)],
                        dtype=np.float64).reshape(-1, len(COLUMNS))
        if len(rows) == 0:
            continue
        ids.append(path.stem)
        blocks.append(rows)
        starts.append(starts[-1] + len(rows))
    out = np.concatenate(blocks)
    return Cohort(np.array(ids), np.array(starts), {c: out[:, j].copy() for j, c in enumerate(COLUMNS)})


def stratified_folds(septic: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """(P,) fold index of each patient: septic and non-septic patients each shuffled (seeded) and
    dealt round-robin into `folds` folds, so every fold has the same share of septic patients."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(septic), dtype=int)
    for group in (np.flatnonzero(septic), np.flatnonzero(~septic)):
        fold[rng.permutation(group)] = np.arange(len(group)) % folds
    return fold


def read_split(name: str) -> list[str]:
    path = SPLIT_DIR / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"split list {path} is missing; run `python make_split.py` once")
    ids = [l.strip() for l in path.read_text().splitlines() if l.strip() and not l.startswith("#")]
    return ids


def load_splits() -> dict[str, Cohort]:
    """Set A divided by the committed patient lists into train, val and test cohorts, and
    "train+val" (both, in that order: what the shipped model is finally fitted on)."""
    cohort = load_set_a()
    parts = {name: read_split(name) for name in ("train", "val", "test")}
    seen = set()
    for name, ids in parts.items():
        overlap = seen.intersection(ids)
        if overlap:
            raise ValueError(f"split {name} shares {len(overlap)} patients with an earlier part")
        seen.update(ids)
    parts["train+val"] = parts["train"] + parts["val"]
    return {name: cohort.subset(ids) for name, ids in parts.items()}


if __name__ == "__main__":
    try:
        c = load_set_a()
    except DataMissing as e:
        sys.exit(str(e))
    print(len(c.patient_ids), "patients", c.n_rows, "rows")
