"""Cohort helpers on hand-made cohorts (python -m unittest, from Models/; no data needed)."""

import json
import tempfile
import unittest
from pathlib import Path

import numpy as np

from data import COLUMNS, Cohort, parse_csv, read_psv_folder

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "vigil-risk-fixture.json"


def cohort(iculos_per_patient, labels_per_patient):
    lengths = [len(x) for x in iculos_per_patient]
    return Cohort(np.array([f"p{k}" for k in range(len(lengths))]), np.concatenate([[0], np.cumsum(lengths)]),
                  {"ICULOS": np.concatenate(iculos_per_patient).astype(np.float64),
                   "SepsisLabel": np.concatenate(labels_per_patient).astype(np.float64)})


class FirstHours(unittest.TestCase):
    def test_keeps_each_stays_first_hours_and_drops_stays_that_start_later(self):
        c = cohort([[1, 2, 3, 4], [5, 6], [2, 3]], [[0, 0, 1, 1], [1, 1], [0, 0]])
        first, keep = c.first_hours(3)
        np.testing.assert_array_equal(first.patient_ids, ["p0", "p2"])
        np.testing.assert_array_equal(first.starts, [0, 3, 5])
        np.testing.assert_array_equal(first.values["ICULOS"], [1, 2, 3, 2, 3])
        np.testing.assert_array_equal(first.values["SepsisLabel"], [0, 0, 1, 0, 0])
        np.testing.assert_array_equal(keep, [1, 1, 1, 0, 0, 0, 1, 1])

    def test_refuses_a_stay_whose_hours_go_back(self):
        with self.assertRaises(ValueError):
            cohort([[1, 5, 2]], [[0, 0, 0]]).first_hours(3)


class Readers(unittest.TestCase):
    """Another site's data in the PhysioNet layouts reads as the fixture's rows."""

    def setUp(self):
        self.patients = json.loads(FIXTURE.read_text())["patients"]

    def check(self, c):
        np.testing.assert_array_equal(c.patient_ids, [p["patient"] for p in self.patients])
        np.testing.assert_array_equal(np.diff(c.starts), [len(p["rows"]) for p in self.patients])
        for col in COLUMNS:
            want = [np.nan if r[col] is None else r[col] for p in self.patients for r in p["rows"]]
            np.testing.assert_array_equal(c.values[col], want, col)

    def test_a_folder_of_per_patient_psv_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            for p in reversed(self.patients):  # written out of order: read in file-name order
                cols = ["HR", "O2Sat", "EtCO2"] + [c for c in COLUMNS if c not in ("HR", "O2Sat")]
                lines = ["|".join(cols)] + ["|".join("NaN" if r.get(c) is None else repr(r[c]) for c in cols)
                                            for r in p["rows"]]
                (Path(tmp) / f"{p['patient']}.psv").write_text("\n".join(lines) + "\n")
            c = read_psv_folder(Path(tmp))
        self.patients.sort(key=lambda p: p["patient"])
        self.check(c)

    def test_a_csv_with_a_patient_column(self):
        lines = ["patient," + ",".join(COLUMNS)] + [
            p["patient"] + "," + ",".join("NaN" if r[c] is None else repr(r[c]) for c in COLUMNS)
            for p in self.patients for r in p["rows"]]
        self.check(parse_csv("\n".join(lines), "fixture.csv"))

    def test_a_psv_file_without_a_needed_column_is_refused_by_name(self):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "p1.psv").write_text("HR|O2Sat\n80|97\n")
            with self.assertRaisesRegex(ValueError, "Temp"):
                read_psv_folder(Path(tmp))


if __name__ == "__main__":
    unittest.main()
