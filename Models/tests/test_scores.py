"""NEWS2 and qSOFA against the RCP 2017 NEWS2 chart (python -m unittest, from Models/)."""

import unittest

import numpy as np

from scores import band_points, carry_forward, news2, qsofa_vitals


class News2Chart(unittest.TestCase):
    def check(self, parameter, cases):
        for value, points in cases:
            with self.subTest(parameter=parameter, value=value):
                self.assertEqual(int(band_points(parameter, np.array([value]))[0]), points)

    def test_respiration_rate_bands(self):
        # Chart 1: <=8: 3, 9-11: 1, 12-20: 0, 21-24: 2, >=25: 3
        self.check("Resp", [(5, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (40, 3)])

    def test_spo2_scale_1_bands(self):
        # <=91: 3, 92-93: 2, 94-95: 1, >=96: 0
        self.check("O2Sat", [(85, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)])

    def test_systolic_bands(self):
        # <=90: 3, 91-100: 2, 101-110: 1, 111-219: 0, >=220: 3
        self.check("SBP", [(70, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)])

    def test_pulse_bands(self):
        # <=40: 3, 41-50: 1, 51-90: 0, 91-110: 1, 111-130: 2, >=131: 3
        self.check("HR", [(35, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (90.5, 1), (91, 1),
                          (110, 1), (111, 2), (130, 2), (131, 3)])

    def test_temperature_bands(self):
        # <=35.0: 3, 35.1-36.0: 1, 36.1-38.0: 0, 38.1-39.0: 1, >=39.1: 2
        self.check("Temp", [(34.0, 3), (35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1),
                            (39.0, 1), (39.1, 2)])

    def test_missing_values_score_zero(self):
        self.assertEqual(int(band_points("HR", np.array([np.nan]))[0]), 0)

    def test_aggregate_with_oxygen(self):
        # RR 22 (2) + SpO2 93 (2) + oxygen FiO2 0.4 (2) + SBP 105 (1) + HR 115 (2) + T 38.5 (1) = 10
        self.assertEqual(int(news2([22], [93], [0.4], [105], [115], [38.5])[0]), 10)
        # healthy on air: 0; FiO2 0.21 is air; FiO2 recorded in percent (40) is oxygen
        self.assertEqual(int(news2([16], [98], [0.21], [120], [70], [37.0])[0]), 0)
        self.assertEqual(int(news2([16], [98], [np.nan], [120], [70], [37.0])[0]), 0)
        self.assertEqual(int(news2([16], [98], [40], [120], [70], [37.0])[0]), 2)


class QSofa(unittest.TestCase):
    def test_thresholds(self):
        self.assertEqual(qsofa_vitals([21, 22, 30, np.nan], [101, 100, 90, np.nan]).tolist(), [0, 2, 2, 0])


class CarryForward(unittest.TestCase):
    def test_does_not_cross_patients(self):
        v = np.array([1.0, np.nan, 3.0, np.nan, np.nan, 6.0])
        out = carry_forward(v, np.array([0, 3, 6]))
        np.testing.assert_array_equal(out, [1.0, 1.0, 3.0, np.nan, np.nan, 6.0])


if __name__ == "__main__":
    unittest.main()
