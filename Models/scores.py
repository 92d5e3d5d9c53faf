"""Bedside reference scores from charted vitals: NEWS2 and qSOFA (vitals part).

NEWS2: Royal College of Physicians, National Early Warning Score (NEWS) 2, 2017, Chart 1 (the
NEWS2 scoring system), using SpO2 scale 1. Each parameter's bands are one table row below:
a value scores the points of the first band whose inclusive upper limit it does not exceed (the
chart's upper value of each band; e.g. pulse 90 scores 0, 90.5 and 91 score 1). Consciousness
(ACVPU) is not in the data set and scores 0 (alert) throughout: stated in the model card.
Air or oxygen: FiO2 > 0.21 where recorded means supplemental oxygen (2 points); no FiO2 means air.

qSOFA from vitals (Seymour et al., JAMA 2016): respiratory rate >= 22/min (1 point) and systolic
pressure <= 100 mmHg (1 point); altered mentation is not available and scores 0.

Missing values: last observation carried forward within the patient's stay (no time limit);
a parameter never measured yet scores 0.
"""

from __future__ import annotations

import math

import numpy as np

INF = math.inf

#: NEWS2 Chart 1 as (inclusive upper limit, points) bands, lowest band first.
NEWS2_BANDS = {
    "Resp": [(8, 3), (11, 1), (20, 0), (24, 2), (INF, 3)],
    "O2Sat": [(91, 3), (93, 2), (95, 1), (INF, 0)],  # SpO2 scale 1
    "SBP": [(90, 3), (100, 2), (110, 1), (219, 0), (INF, 3)],
    "HR": [(40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (INF, 3)],
    "Temp": [(35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1), (INF, 2)],
}
NEWS2_OXYGEN_POINTS = 2
ROOM_AIR_FIO2 = 0.21


def band_points(parameter: str, value: np.ndarray) -> np.ndarray:
    """NEWS2 points of one parameter (NaN scores 0)."""
    value = np.asarray(value, dtype=np.float64)
    points = np.zeros(value.shape, dtype=np.int64)
    assigned = np.isnan(value)
    for upper, pts in NEWS2_BANDS[parameter]:
        hit = ~assigned & (value <= upper)
        points[hit] = pts
        assigned |= hit
    return points


def fio2_fraction(fio2: np.ndarray) -> np.ndarray:
    """FiO2 as a fraction (a few set-A rows record it in percent, > 1)."""
    fio2 = np.asarray(fio2, dtype=np.float64)
    return np.where(fio2 > 1.0, fio2 / 100.0, fio2)


def news2(resp, spo2, fio2, sbp, hr, temp) -> np.ndarray:
    """NEWS2 aggregate score (consciousness unavailable: 0) for arrays of (carried-forward) vitals."""
    oxygen = np.where(fio2_fraction(fio2) > ROOM_AIR_FIO2, NEWS2_OXYGEN_POINTS, 0)
    return (band_points("Resp", resp) + band_points("O2Sat", spo2) + oxygen + band_points("SBP", sbp)
            + band_points("HR", hr) + band_points("Temp", temp))


def qsofa_vitals(resp, sbp) -> np.ndarray:
    """qSOFA without mentation: (RR >= 22) + (SBP <= 100); NaN scores 0."""
    resp = np.asarray(resp, dtype=np.float64)
    sbp = np.asarray(sbp, dtype=np.float64)
    return (np.nan_to_num(resp, nan=-INF) >= 22).astype(np.int64) + (np.nan_to_num(sbp, nan=INF) <= 100).astype(np.int64)


def carry_forward(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Last observation carried forward within each patient (no limit); NaN before the first."""
    n = len(values)
    idx = np.where(~np.isnan(values), np.arange(n), -1)
    # a patient's carry-forward must not reach into the previous patient
    seg_start = np.repeat(starts[:-1], np.diff(starts))
    idx = np.maximum.accumulate(idx)
    out = np.where(idx >= seg_start, values[np.maximum(idx, 0)], np.nan)
    return out


def cohort_news2(cohort) -> np.ndarray:
    v = {c: carry_forward(cohort.values[c], cohort.starts) for c in ("Resp", "O2Sat", "FiO2", "SBP", "HR", "Temp")}
    return news2(v["Resp"], v["O2Sat"], v["FiO2"], v["SBP"], v["HR"], v["Temp"])


def cohort_qsofa(cohort) -> np.ndarray:
    return qsofa_vitals(carry_forward(cohort.values["Resp"], cohort.starts),
                        carry_forward(cohort.values["SBP"], cohort.starts))
