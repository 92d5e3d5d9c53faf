"""Cohort helpers on hand-made cohorts (python -m unittest, from Models/; no data needed)."""

import unittest

import numpy as np

from data import Cohort


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


if __name__ == "__main__":
    unittest.main()
