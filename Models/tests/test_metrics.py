"""The utility score and ROC figures against hand-computed cases (python -m unittest, from Models/)."""

import unittest

import numpy as np

from metrics import (AlarmRuleTable, AlarmTable, RankedScores, auroc_auprc, normalized_utility, patient_utility,
                     row_utilities, trend_adjusted, weighted_median, with_news2_fallback)


class ChallengeUtility(unittest.TestCase):
    def test_official_docstring_example_scores_3_389(self):
        # evaluate_sepsis_score.py's own example: labels [0,0,0,0,1,1], predictions [0,0,1,1,1,1].
        # Onset t_s = 4 + 6 = 10; rows 2,3,4 are early TPs: 1/6*(t-10)+2 = 2/3, 5/6, 1;
        # row 5 is a late TP: -1/9*(5-10) + 3/9 = 8/9. Total 61/18.
        self.assertAlmostEqual(patient_utility([0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 1, 1]), 61 / 18, places=12)

    def test_non_septic_patient_pays_005_per_alarm_hour(self):
        self.assertAlmostEqual(patient_utility([0] * 10, [0, 1, 1, 0, 0, 0, 0, 1, 0, 0]), -0.15, places=12)
        self.assertEqual(patient_utility([0] * 10, [0] * 10), 0.0)

    def test_very_early_alarm_floors_at_false_positive_cost(self):
        # labels start at row 20 -> onset at 26; an alarm at row 0 is 26 h early: slope gives
        # 1/6*(0-26)+2 = -2.33, floored at -0.05.
        labels = [0] * 20 + [1] * 15
        preds = [1] + [0] * 34
        u1, u0 = row_utilities(np.array(labels))
        self.assertAlmostEqual(u1[0], -0.05)
        # missing the patient: rows 21..29 (t - 26 in (-6, 3]) cost -2/9*(t-26) - 4/3
        expected_fn = sum(-2 / 9 * (t - 26) - 4 / 3 for t in range(21, 30))
        self.assertAlmostEqual(patient_utility(labels, preds), -0.05 + expected_fn, places=12)
        self.assertAlmostEqual(u0[29], -2.0)  # 3 h after onset: full miss penalty
        self.assertEqual(u0[30], 0.0)  # later rows are not scored
        self.assertEqual(u1[30], 0.0)

    def test_normalized_utility_is_one_for_best_and_zero_for_inaction(self):
        labels = np.array([0] * 20 + [1] * 15 + [0] * 12)
        starts = np.array([0, 35, 47])
        best = np.zeros(47)
        best[14:30] = 1  # onset 26: rows 14..29
        self.assertAlmostEqual(normalized_utility(labels, best, starts), 1.0, places=12)
        self.assertAlmostEqual(normalized_utility(labels, np.zeros(47), starts), 0.0, places=12)
        # alarm on every row of the non-septic patient only: -0.05*12 / (best - inaction)
        preds = np.zeros(47)
        preds[35:] = 1
        u_best = sum(row_utilities(labels[:35])[0][14:30])
        u_inaction = sum(row_utilities(labels[:35])[1])
        self.assertAlmostEqual(normalized_utility(labels, preds, starts), -0.6 / (u_best - u_inaction), places=12)


class RankingMetrics(unittest.TestCase):
    def test_official_auc_example_is_perfect(self):
        self.assertEqual(auroc_auprc([0.3, 0.4, 0.6, 0.7, 0.8, 0.8], [0, 0, 0, 0, 1, 1]), (1.0, 1.0))

    def test_ties_and_mixed_ranks(self):
        # scores 0.9(+) 0.8(-) 0.7(+) 0.7(-) 0.1(-): pairs ranked right 5 of 6 with one tie -> 4.5/6
        auc, ap = auroc_auprc([0.9, 0.8, 0.7, 0.7, 0.1], [1, 0, 1, 0, 0])
        self.assertAlmostEqual(auc, 4.5 / 6)
        # PR steps: recall 0.5 at precision 1, recall 1 at precision 2/4
        self.assertAlmostEqual(ap, 0.5 * 1 + 0.5 * 0.5)

    def test_sensitivity_at_specificity(self):
        scores = np.array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 10, 0.5], dtype=float)
        labels = np.array([0] * 10 + [1, 1])
        r = RankedScores(scores, labels, np.zeros(12, dtype=int))
        # one negative (score 9) may be above threshold at 90% specificity: threshold 9 keeps the 10
        self.assertAlmostEqual(r.sensitivity_at_specificity(0.9), 0.5)


class AlarmOperatingPoint(unittest.TestCase):
    def test_threshold_lead_time_and_alarm_rate(self):
        # patient 0 septic: label from row 10 -> onset 16, window rows 4..19; patient 1 not septic.
        s0 = np.zeros(30)
        s0[8] = 0.9  # 8 h before onset
        s1 = np.zeros(18)
        s1[[3, 4]] = 0.95
        scores = np.concatenate([s0, s1])
        labels = np.concatenate([[0] * 10 + [1] * 20, [0] * 18])
        t = AlarmTable(scores, labels, np.array([0, 30, 48]))
        op = t.operating_point(0.8)
        self.assertEqual(op["threshold"], 0.9)
        self.assertEqual(op["sensitivity"], 1.0)
        self.assertEqual(op["median_lead_hours"], 8.0)
        self.assertAlmostEqual(op["alarm_hours_per_patient_day"], 3 / (48 / 24))

    def test_hold_off_rule_counts_fired_alarms_not_hours(self):
        # patient 0 septic (onset 16, window rows 4..19), score 1 on rows 2..13 (12 hours);
        # patient 1 not septic, score 1 on rows 0..2. Hold-off 6 h: patient 0 fires at rows
        # 2, 8 (detected: 8 is in the window) and 13? no: 13 - 8 = 5 < 6, so 2 alarms; patient 1
        # fires once. 3 alarms over 48 rows = 1.5 alarms per patient-day.
        s0 = np.zeros(30)
        s0[2:14] = 1.0
        s1 = np.zeros(18)
        s1[0:3] = 1.0
        labels = np.concatenate([[0] * 10 + [1] * 20, [0] * 18])
        t = AlarmRuleTable(np.concatenate([s0, s1]), labels, np.array([0, 30, 48]), hold_off=6)
        op = t.operating_point(0.8)
        self.assertEqual(op["threshold"], 1.0)
        self.assertEqual(op["sensitivity"], 1.0)
        self.assertAlmostEqual(op["alarms_per_patient_day"], 3 / (48 / 24))
        # hold-off 12: patient 0 fires only at row 2 (before the window): not detected at 1.0,
        # so the operating point drops to the lowest threshold (0), where every row is above it.
        t12 = AlarmRuleTable(np.concatenate([s0, s1]), labels, np.array([0, 30, 48]), hold_off=12)
        op12 = t12.operating_point(0.8)
        self.assertEqual(op12["threshold"], 0.0)
        # at threshold 0 patient 0 fires at 0, 12, 24 (12 is in the window); patient 1 at 0, 12
        self.assertAlmostEqual(op12["alarms_per_patient_day"], 5 / (48 / 24))

    def test_trend_score_subtracts_half_the_mean_of_the_previous_hours(self):
        # patient 0: scores 4, 8, 2, 6 with a 2-hour baseline and weight 0.5:
        #   t0: 4 - 0.5*4 = 2; t1: 8 - 0.5*4 = 6; t2: 2 - 0.5*(4+8)/2 = -1; t3: 6 - 0.5*(8+2)/2 = 3.5
        # patient 1 starts afresh: scores -3, -3: t0: -3 + 1.5 = -1.5; t1: -3 + 1.5 = -1.5
        a = trend_adjusted(np.array([4, 8, 2, 6, -3, -3]), np.array([0, 4, 6]), hours=2, weight=0.5)
        np.testing.assert_array_equal(a, [2.0, 6.0, -1.0, 3.5, -1.5, -1.5])

    def test_trend_score_of_a_steady_score_is_its_fraction_and_a_rise_stands_out(self):
        # a score held at 10 for 20 hours trends to 5 every hour; a jump to 20 at hour 20 scores
        # 20 - 0.5*10 = 15 and its excess decays as the 6-hour baseline catches up.
        s = np.array([10.0] * 20 + [20.0] * 8)
        a = trend_adjusted(s, np.array([0, 28]))
        np.testing.assert_array_equal(a[:20], [5.0] * 20)
        self.assertEqual(a[20], 15.0)
        self.assertAlmostEqual(a[21], 20 - 0.5 * (5 * 10 + 20) / 6)
        self.assertEqual(a[26], 10.0)

    def test_beyond_the_validated_range_the_alarm_follows_news2_only(self):
        # hours 58, 59 (inside: the model's score), 60, 61, 62 (beyond: NEWS2 >= 5 decides)
        scores = np.array([-3.0, 7.0, 100.0, -50.0, 100.0])
        news2 = np.array([9, 0, 4, 5, 0])
        c = with_news2_fallback(scores, news2, np.array([58, 59, 60, 61, 62]))
        np.testing.assert_array_equal(c, [-3.0, 7.0, -4.0, 8.0, -4.0])
        for threshold in (-3.0, 0.0, 7.0):  # every threshold within the model's range
            np.testing.assert_array_equal(c >= threshold, [-3.0 >= threshold, 7.0 >= threshold,
                                                           False, True, False])
        with self.assertRaises(ValueError):
            with_news2_fallback(scores, news2, np.array([60, 61, 62, 63, 64]))

    def test_weighted_median(self):
        self.assertEqual(weighted_median(np.array([1.0, 5.0, 9.0]), np.array([1.0, 1.0, 1.0])), 5.0)
        self.assertEqual(weighted_median(np.array([1.0, 5.0]), np.array([1.0, 1.0])), 3.0)
        self.assertEqual(weighted_median(np.array([1.0, 5.0]), np.array([1.0, 3.0])), 5.0)


if __name__ == "__main__":
    unittest.main()
