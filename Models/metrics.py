"""Evaluation metrics: the Challenge utility, AUROC/AUPRC, operating points and bootstrap intervals.

The normalized utility follows the PhysioNet/CinC Challenge 2019's official scoring code
(`evaluate_sepsis_score.py`, function `compute_prediction_utility`, in the repository
physionetchallenges/evaluation-2019, BSD 2-Clause): dt_early = -12, dt_optimal = -6, dt_late = 3,
max_u_tp = 1, min_u_fn = -2, u_fp = -0.05, u_tn = 0, onset t_sepsis = (first hour with
SepsisLabel = 1) + 6, normalized as (observed - inaction) / (best - inaction) summed over patients.
This is an independent re-implementation, vectorized per row, and tested against hand-computed
cases in `tests/test_metrics.py`. AUROC and AUPRC follow the same script's `compute_auc`
(trapezoidal ROC with tied scores grouped; precision-recall as a step function).

Every cohort-level metric takes per-patient weights so that a bootstrap replicate (patients drawn
with replacement) is just a vector of multiplicities.
"""

from __future__ import annotations

import numpy as np

DT_EARLY, DT_OPTIMAL, DT_LATE = -12, -6, 3
MAX_U_TP, MIN_U_FN, U_FP, U_TN = 1.0, -2.0, -0.05, 0.0

#: The clinical detection window for the alarm operating point: an alarm counts as detecting a
#: septic patient if it falls between 12 h before and 3 h after onset (onset = first label + 6 h).
DETECT_BEFORE, DETECT_AFTER = 12, 3


def onset_index(labels: np.ndarray) -> int | None:
    """Row index of clinical sepsis onset (first SepsisLabel = 1 row + 6), or None if never septic."""
    if not np.any(labels):
        return None
    return int(np.argmax(labels)) - DT_OPTIMAL


def row_utilities(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Utility each row of one patient earns if predicted positive (u1) and if negative (u0).

    Same piecewise-linear rules as the official `compute_prediction_utility`.
    """
    n = len(labels)
    t = np.arange(n, dtype=np.float64)
    t_s = onset_index(labels)
    if t_s is None:
        return np.full(n, U_FP), np.full(n, U_TN)
    m1 = MAX_U_TP / (DT_OPTIMAL - DT_EARLY)
    b1 = -m1 * DT_EARLY
    m2 = -MAX_U_TP / (DT_LATE - DT_OPTIMAL)
    b2 = -m2 * DT_LATE
    m3 = MIN_U_FN / (DT_LATE - DT_OPTIMAL)
    b3 = -m3 * DT_OPTIMAL
    d = t - t_s
    early = d <= DT_OPTIMAL
    late = (d > DT_OPTIMAL) & (d <= DT_LATE)
    u1 = np.zeros(n)
    u0 = np.zeros(n)
    u1[early] = np.maximum(m1 * d[early] + b1, U_FP)
    u1[late] = m2 * d[late] + b2
    u0[late] = m3 * d[late] + b3
    return u1, u0


def patient_utility(labels: np.ndarray, predictions: np.ndarray) -> float:
    """Total utility of one patient's binary predictions (official `compute_prediction_utility`)."""
    labels = np.asarray(labels)
    predictions = np.asarray(predictions)
    if labels.shape != predictions.shape:
        raise ValueError(f"{len(predictions)} predictions for {len(labels)} labels")
    if not np.all(np.isin(labels, (0, 1))) or not np.all(np.isin(predictions, (0, 1))):
        raise ValueError("labels and predictions must be 0 or 1")
    u1, u0 = row_utilities(labels)
    return float(np.where(predictions == 1, u1, u0).sum())


def best_predictions(labels: np.ndarray) -> np.ndarray:
    """The official 'best' predictions: 1 from onset-12 h to onset+3 h."""
    n = len(labels)
    best = np.zeros(n)
    t_s = onset_index(labels)
    if t_s is not None:
        best[max(0, t_s + DT_EARLY):min(t_s + DT_LATE + 1, n)] = 1
    return best


class UtilityTable:
    """Per-row utilities of a cohort, so that a normalized utility costs one pass over the rows."""

    def __init__(self, labels: np.ndarray, starts: np.ndarray):
        n = len(labels)
        self.starts = starts
        self.row_patient = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
        self.u1 = np.empty(n)
        self.u0 = np.empty(n)
        best = np.empty(n)
        for k in range(len(starts) - 1):
            a, b = starts[k], starts[k + 1]
            u1, u0 = row_utilities(labels[a:b])
            self.u1[a:b], self.u0[a:b] = u1, u0
            best[a:b] = best_predictions(labels[a:b])
        n_p = len(starts) - 1
        self.inaction = np.bincount(self.row_patient, self.u0, minlength=n_p)
        self.best = np.bincount(self.row_patient, np.where(best == 1, self.u1, self.u0), minlength=n_p)

    def per_patient(self, predictions: np.ndarray) -> np.ndarray:
        return np.bincount(self.row_patient, np.where(predictions, self.u1, self.u0),
                           minlength=len(self.starts) - 1)

    def normalized(self, predictions: np.ndarray, weights: np.ndarray | None = None) -> float:
        observed = self.per_patient(predictions)
        w = np.ones_like(observed) if weights is None else weights
        return float(np.sum(w * (observed - self.inaction)) / np.sum(w * (self.best - self.inaction)))


def normalized_utility(labels: np.ndarray, predictions: np.ndarray, starts: np.ndarray) -> float:
    """The Challenge's normalized utility of a cohort (rows of patient k at starts[k]:starts[k+1])."""
    return UtilityTable(np.asarray(labels), np.asarray(starts)).normalized(np.asarray(predictions) == 1)


class RankedScores:
    """Scores sorted once (descending) with tied values grouped, for weighted ROC/PR computations."""

    def __init__(self, scores: np.ndarray, labels: np.ndarray, row_patient: np.ndarray):
        order = np.argsort(-scores, kind="stable")
        self.sorted_scores = scores[order]
        self.labels = labels[order].astype(bool)
        self.row_patient = row_patient[order]
        # last index of each tie group in sorted order
        self.group_end = np.flatnonzero(np.append(self.sorted_scores[1:] != self.sorted_scores[:-1], True))
        self.thresholds = self.sorted_scores[self.group_end]

    def curves(self, patient_weights: np.ndarray | None = None):
        """Cumulative TP and FP counts at each distinct threshold (score >= threshold), and totals."""
        w = np.ones(len(self.labels)) if patient_weights is None else patient_weights[self.row_patient]
        tp = np.cumsum(np.where(self.labels, w, 0.0))[self.group_end]
        fp = np.cumsum(np.where(self.labels, 0.0, w))[self.group_end]
        return tp, fp, tp[-1], fp[-1]

    def auroc_auprc(self, patient_weights=None) -> tuple[float, float]:
        tp, fp, p, n = self.curves(patient_weights)
        tpr = np.concatenate([[0.0], tp / p])
        fpr = np.concatenate([[0.0], fp / n])
        auroc = float(np.sum(0.5 * np.diff(fpr) * (tpr[1:] + tpr[:-1])))
        ppv = tp / np.maximum(tp + fp, 1e-300)
        auprc = float(np.sum(np.diff(tpr) * ppv))
        return auroc, auprc

    def sensitivity_at_specificity(self, specificity: float, patient_weights=None) -> float:
        """Highest hourly sensitivity among thresholds whose specificity is at least `specificity`."""
        tp, fp, p, n = self.curves(patient_weights)
        ok = fp / n <= 1.0 - specificity + 1e-12
        return float(tp[ok].max() / p) if np.any(ok) else 0.0


def auroc_auprc(scores, labels) -> tuple[float, float]:
    scores = np.asarray(scores, dtype=np.float64)
    return RankedScores(scores, np.asarray(labels), np.zeros(len(scores), dtype=int)).auroc_auprc()


class AlarmTable:
    """The alarm operating point at which a given share of septic patients is detected.

    A septic patient is detected when some hour in [onset - 12 h, onset + 3 h] has score >= the
    threshold; the lead time is onset minus the first such hour. Alarm hours per patient-day count
    every row (all patients, all hours) with score >= threshold, per 24 rows.
    """

    def __init__(self, scores: np.ndarray, labels: np.ndarray, starts: np.ndarray):
        n_p = len(starts) - 1
        self.n_patients = n_p
        self.row_patient = np.repeat(np.arange(n_p), np.diff(starts))
        order = np.argsort(scores, kind="stable")
        self.sorted_scores = scores[order]
        self.sorted_patient = self.row_patient[order]
        self.septic_patients = []
        windows = []
        for k in range(n_p):
            a, b = starts[k], starts[k + 1]
            t_s = onset_index(labels[a:b])
            if t_s is None:
                continue
            lo, hi = max(0, t_s - DETECT_BEFORE), min(b - a - 1, t_s + DETECT_AFTER)
            w = np.full(DETECT_BEFORE + DETECT_AFTER + 1, -np.inf)  # index i ↔ hour onset-12+i
            if lo <= hi:
                w[lo - (t_s - DETECT_BEFORE):hi - (t_s - DETECT_BEFORE) + 1] = scores[a + lo:a + hi + 1]
            windows.append(w)
            self.septic_patients.append(k)
        self.septic_patients = np.array(self.septic_patients)
        self.windows = np.array(windows)  # (S, 16)
        self.window_max = self.windows.max(axis=1)
        self.lead_of_index = DETECT_BEFORE - np.arange(self.windows.shape[1])

    def operating_point(self, sensitivity: float = 0.8, patient_weights=None) -> dict:
        w_all = np.ones(self.n_patients) if patient_weights is None else patient_weights
        ws = w_all[self.septic_patients]
        order = np.argsort(-self.window_max, kind="stable")
        cum = np.cumsum(ws[order]) / ws.sum()
        i = int(np.searchsorted(cum, sensitivity - 1e-12))  # first index reaching the target
        threshold = float(self.window_max[order][min(i, len(order) - 1)])
        detected = self.window_max >= threshold
        achieved = float(np.sum(ws[detected]) / ws.sum())
        # alarm hours: weighted count of rows with score >= threshold
        first = int(np.searchsorted(self.sorted_scores, threshold, side="left"))
        alarm_rows = float(np.sum(w_all[self.sorted_patient[first:]]))
        total_rows = float(np.sum(w_all[self.sorted_patient]))
        alarm_per_day = alarm_rows / (total_rows / 24.0)
        first_idx = np.argmax(self.windows >= threshold, axis=1)
        leads = self.lead_of_index[first_idx][detected]
        lead_w = ws[detected]
        median_lead = weighted_median(leads.astype(float), lead_w)
        return {"threshold": threshold, "sensitivity": achieved,
                "alarm_hours_per_patient_day": alarm_per_day, "median_lead_hours": median_lead}


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    if len(values) == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    v, c = values[order], np.cumsum(weights[order])
    half = c[-1] / 2.0
    i = int(np.searchsorted(c, half - 1e-12))
    if abs(c[i] - half) < 1e-9 and i + 1 < len(v):  # even total: mean of the two middle values
        return float((v[i] + v[i + 1]) / 2.0)
    return float(v[i])


def bootstrap_weights(n_patients: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, n_patients) multiplicities of patients drawn with replacement."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_patients, np.full(n_patients, 1.0 / n_patients), size=n_boot).astype(np.float64)


#: The deployable alarm rule reported beside the plain hour count (see `AlarmRuleTable`).
HOLD_OFF_HOURS = 6


#: The trend alarm score (a deployable alarm rule, applied identically to every score): the score
#: minus TREND_WEIGHT times the mean of the patient's previous TREND_HOURS hourly scores.
TREND_HOURS = 6
TREND_WEIGHT = 0.5


def trend_adjusted(scores, starts, hours: int = TREND_HOURS, weight: float = TREND_WEIGHT) -> np.ndarray:
    """The trend alarm score of every row: a(t) = s(t) - weight * b(t), where the baseline b(t) is
    the mean of the patient's scores at hours max(0, t - hours) .. t - 1 (their sum divided by their
    count, in binary64), and at the patient's first hour b(0) = s(0).

    A risk that stays high (a long ICU stay, a chronically abnormal vital) raises the baseline
    with it, so the alarm follows a rise above the patient's own recent level rather than the
    level alone. With integer scores (the int8 output, NEWS2) every step is exact except the one
    division, which binary64 rounds identically everywhere.
    """
    scores = np.asarray(scores, dtype=np.float64)
    out = np.empty(len(scores))
    for k in range(len(starts) - 1):
        a, b = int(starts[k]), int(starts[k + 1])
        x = scores[a:b]
        cum = np.concatenate([[0.0], np.cumsum(x)])
        t = np.arange(b - a)
        lo = np.maximum(0, t - hours)
        n = t - lo
        base = x.copy()  # b(0) = s(0)
        later = n > 0
        base[later] = (cum[t[later]] - cum[lo[later]]) / n[later]
        out[a:b] = x - weight * base
    return out


#: The model's validated range: ICU hours 1 .. VALIDATED_HOURS. In set A no non-septic record goes
#: past hour 59 (apart from a few cut at the data set's 336-hour cap), so beyond it the model has
#: learnt only from septic patients and alarms on nearly every hour of a long stay
#: (`curation_check.py`). Beyond it the alarm falls back to NEWS2 >= FALLBACK_NEWS2, the RCP's
#: threshold for an urgent clinical response.
VALIDATED_HOURS = 59
FALLBACK_NEWS2 = 5


def with_news2_fallback(scores, news2, hours_since_admission,
                        validated_hours: int = VALIDATED_HOURS, fallback: int = FALLBACK_NEWS2) -> np.ndarray:
    """One alarm score for the alarm system with the fallback: the model's score within the
    validated range; beyond it a value above every score when NEWS2 >= fallback, else one below
    every score. Any threshold between the lowest and the highest score within the range therefore
    alarms beyond the range exactly when NEWS2 does, and within it exactly when the model's score
    reaches the threshold."""
    scores = np.asarray(scores, dtype=np.float64)
    inside = np.asarray(hours_since_admission) <= validated_hours
    if not np.any(inside):
        raise ValueError(f"no row within the first {validated_hours} ICU hours")
    above, below = scores[inside].max() + 1.0, scores[inside].min() - 1.0
    return np.where(inside, scores, np.where(np.asarray(news2) >= fallback, above, below))


class AlarmRuleTable:
    """Alarms as a monitor would raise them: an alarm *fires* at hour t when the score is at or
    above the threshold and no alarm fired for this patient at hours t-H+1 .. t-1 (H = hold-off:
    the nurse acknowledges the alert and it re-fires at most every H hours while the score stays
    high). The same rule is applied to every score (model, NEWS2, qSOFA, hours since admission).

    A septic patient is detected when an alarm fires in [onset - 12 h, onset + 3 h]; the burden is
    alarms fired per patient-day (all patients, all hours). The operating point is the highest
    candidate threshold at which at least the requested share of septic patients is detected.
    """

    def __init__(self, scores, labels, starts, hold_off: int = HOLD_OFF_HOURS, thresholds=None):
        scores = np.asarray(scores, dtype=np.float64)
        n_p = len(starts) - 1
        lengths = np.diff(starts)
        if thresholds is None:
            u = np.unique(scores)
            thresholds = u if len(u) <= 300 else np.unique(np.quantile(scores, np.linspace(0.3, 0.9999, 300)))
        self.thresholds = np.sort(np.asarray(thresholds, dtype=np.float64))[::-1]  # highest first
        T = len(self.thresholds)
        self.hold_off = hold_off
        self.lengths = lengths.astype(np.float64)
        self.septic = np.zeros(n_p, dtype=bool)
        lo = np.full(n_p, -1)
        hi = np.full(n_p, -2)
        for k in range(n_p):
            t_s = onset_index(labels[starts[k]:starts[k + 1]])
            if t_s is not None:
                self.septic[k] = True
                lo[k], hi[k] = t_s - DETECT_BEFORE, t_s + DETECT_AFTER
        self.events = np.zeros((n_p, T))
        self.detected = np.zeros((n_p, T), dtype=bool)
        last = np.full((n_p, T), -np.inf)
        for h in range(int(lengths.max())):
            active = np.flatnonzero(lengths > h)
            s = scores[starts[active] + h]
            fire = (s[:, None] >= self.thresholds[None, :]) & (h - last[active] >= hold_off)
            last[active] = np.where(fire, h, last[active])
            self.events[active] += fire
            inside = (h >= lo[active]) & (h <= hi[active])
            self.detected[active] |= fire & inside[:, None]

    def operating_point(self, sensitivity: float = 0.8, patient_weights=None) -> dict:
        w = np.ones(len(self.lengths)) if patient_weights is None else patient_weights
        ws = w[self.septic]
        sens = (ws @ self.detected[self.septic]) / ws.sum()
        ok = np.flatnonzero(sens >= sensitivity - 1e-12)
        i = int(ok[0]) if len(ok) else len(self.thresholds) - 1
        days = float(w @ self.lengths) / 24.0
        return {"threshold": float(self.thresholds[i]), "sensitivity": float(sens[i]),
                "alarms_per_patient_day": float(w @ self.events[:, i]) / days}
