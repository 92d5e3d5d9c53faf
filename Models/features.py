"""The model's input contract: hourly rows → carried-forward, normalised feature windows.

Everything here is driven by the `input` section of the manifest (see `manifest_input()`), so
that Vigil's clinical pipeline can reproduce the features from `vigil-risk.manifest.json` alone.

Per patient, one row per ICU hour (hour index t = 0, 1, ...; `HoursSinceAdmission` is the data
set's ICULOS of that row). For each vital v and hour t:
  1. carry forward: the most recent measurement at an hour s <= t with t - s <= max_age_hours[v]
     is the hour's value; otherwise the vital is missing at t.
  2. normalise: z = clamp((value - mean[v]) / std[v], -z_limit, +z_limit); missing gives z = 0.
  3. missing flag: 1 if missing, else 0.
A window at hour t holds hours t-W+1 .. t, oldest first; for each hour the V z-values in manifest
order then the V missing flags. Hours before admission (t-k < 0) are missing (z = 0, flag = 1).
After the window come the static features of hour t, each z = clamp((x - mean)/std, ±z_limit).
"""

from __future__ import annotations

import numpy as np

Z_LIMIT = 5.0
HOURS_SINCE_CAP = 24

#: Vitals in input order: data-set column, unit, and how long a measurement stays valid (hours).
VITALS = [
    ("HR", "beats/min", 4),
    ("O2Sat", "%", 4),
    ("Temp", "Cel", 8),
    ("SBP", "mm[Hg]", 4),
    ("MAP", "mm[Hg]", 4),
    ("DBP", "mm[Hg]", 4),
    ("Resp", "breaths/min", 4),
]

#: Static features of the current hour: name, data-set column, unit, and encoding.
STATICS = [
    ("Age", "Age", "a", "years (the data set records 89 for all ages >= 89)"),
    ("Sex", "Gender", "1", "1 = male, 0 = female (no normalisation: mean 0, std 1)"),
    ("HoursSinceAdmission", "ICULOS", "h", "hours since ICU admission, 1 in the first ICU hour"),
]


def _round_sig(x: float, sig: int = 5) -> float:
    return float(f"{x:.{sig}g}")


def manifest_input(train_cohort, window_hours: int, stay_aggregates=("max", "min", "mean"),
                   charting=("hours_since_measured", "measured_fraction")) -> dict:
    """The `input` section of the manifest, with normalisation constants fitted on training rows.

    Constants are rounded to 5 significant digits and the rounded values are what training uses.
    """
    vitals = []
    for col, unit, max_age in VITALS:
        x = train_cohort.values[col]
        x = x[~np.isnan(x)]
        vitals.append({"name": col, "unit": unit, "max_age_hours": max_age,
                       "mean": _round_sig(np.mean(x)), "std": _round_sig(np.std(x))})
    statics = []
    for name, col, unit, note in STATICS:
        if name == "Sex":
            mean, std = 0.0, 1.0
        else:
            # per-row values, as the model sees them at every hour
            x = train_cohort.values[col]
            mean, std = _round_sig(np.mean(x)), _round_sig(np.std(x))
        statics.append({"name": name, "unit": unit, "encoding": note, "mean": mean, "std": std})
    chart = []
    if charting:
        c = charting_raw(train_cohort, [v["name"] for v in vitals], charting)
        for i, kind in enumerate(charting):
            for j, v in enumerate(vitals):
                x = c[:, i * len(vitals) + j]
                chart.append({"name": f"{v['name']}.{kind}", "mean": _round_sig(np.mean(x)),
                              "std": _round_sig(np.std(x))})
    dim = (window_hours * 2 * len(vitals) + len(stay_aggregates) * len(vitals) + len(chart)
           + len(statics))
    return {
        "window_hours": window_hours,
        "z_limit": Z_LIMIT,
        "vitals": vitals,
        "stay_aggregates": list(stay_aggregates),
        "charting": {"kinds": list(charting), "hours_since_cap": HOURS_SINCE_CAP, "features": chart},
        "statics": statics,
        "feature_count": dim,
    }


def _last_valid(values: np.ndarray, starts: np.ndarray, max_age: int) -> np.ndarray:
    """Carried-forward value per row, NaN where no measurement within max_age hours (same patient)."""
    n = len(values)
    idx = np.where(~np.isnan(values), np.arange(n), -1)
    idx = np.maximum.accumulate(idx)
    seg_start = np.repeat(starts[:-1], np.diff(starts))
    ok = (idx >= seg_start) & (np.arange(n) - idx <= max_age)
    return np.where(ok, values[np.maximum(idx, 0)], np.nan)


def hourly_channels(cohort, spec: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per-row z-values (N, V) and missing flags (N, V) after carry-forward."""
    zl = spec["z_limit"]
    z = np.zeros((cohort.n_rows, len(spec["vitals"])), dtype=np.float64)
    miss = np.zeros_like(z)
    for j, v in enumerate(spec["vitals"]):
        x = _last_valid(cohort.values[v["name"]], cohort.starts, v["max_age_hours"])
        m = np.isnan(x)
        zz = np.clip((x - v["mean"]) / v["std"], -zl, zl)
        z[:, j] = np.where(m, 0.0, zz)
        miss[:, j] = m
    return z, miss


def static_channels(cohort, spec: dict) -> np.ndarray:
    zl = spec["z_limit"]
    cols = {s[0]: s[1] for s in STATICS}
    out = np.zeros((cohort.n_rows, len(spec["statics"])), dtype=np.float64)
    for j, s in enumerate(spec["statics"]):
        x = cohort.values[cols[s["name"]]]
        if np.any(np.isnan(x)):
            raise ValueError(f"static feature {s['name']} has missing values")
        out[:, j] = np.clip((x - s["mean"]) / s["std"], -zl, zl)
    return out


def quantize(features: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """The int8 input tensor: clamp(round_half_away_from_zero(z / scale) + zero_point, -128, 127)."""
    v = np.asarray(features, dtype=np.float64) / float(scale)
    r = np.sign(v) * np.floor(np.abs(v) + 0.5)
    return np.clip(r + zero_point, -128, 127).astype(np.int8)


def window_features(cohort, spec: dict) -> np.ndarray:
    """(N, feature_count) float64 feature vector for every hourly row of the cohort.

    All arithmetic is IEEE binary64 (Swift `Double`), in the order written here."""
    W = spec["window_hours"]
    z, miss = hourly_channels(cohort, spec)
    V = z.shape[1]
    per_hour = np.concatenate([z, miss], axis=1)  # (N, 2V)
    blank = np.concatenate([np.zeros(V), np.ones(V)])
    n = cohort.n_rows
    hour = np.arange(n) - np.repeat(cohort.starts[:-1], np.diff(cohort.starts))
    A = len(spec["stay_aggregates"])
    chart = spec["charting"]["features"]
    C = len(chart)
    out = np.empty((n, W * 2 * V + A * V + C + len(spec["statics"])), dtype=np.float64)
    for s in range(W):  # window step s holds hour t - (W-1-s)
        lag = W - 1 - s
        src = np.arange(n) - lag
        ok = hour >= lag
        block = np.where(ok[:, None], per_hour[np.maximum(src, 0)], blank[None, :])
        out[:, s * 2 * V:(s + 1) * 2 * V] = block
    out[:, W * 2 * V:W * 2 * V + A * V] = stay_aggregates(z, miss, cohort.starts, spec["stay_aggregates"])
    o = W * 2 * V + A * V
    if C:
        raw = charting_raw(cohort, [v["name"] for v in spec["vitals"]], spec["charting"]["kinds"])
        zl = spec["z_limit"]
        for j, f in enumerate(chart):
            out[:, o + j] = np.clip((raw[:, j] - f["mean"]) / f["std"], -zl, zl)
    out[:, o + C:] = static_channels(cohort, spec)
    return out


def charting_raw(cohort, names, kinds) -> np.ndarray:
    """Per vital, how it has been charted so far (un-normalised), kinds in order, each V columns.

    "hours_since_measured": hours since the vital's latest measurement at or before this hour,
    capped at HOURS_SINCE_CAP (also the value before any measurement).
    "measured_fraction": hours with a measurement since admission / hours since admission
    (both counting the current hour).
    """
    n = cohort.n_rows
    seg = np.repeat(cohort.starts[:-1], np.diff(cohort.starts))
    hour = np.arange(n) - seg
    out = np.zeros((n, len(kinds) * len(names)), dtype=np.float64)
    for j, name in enumerate(names):
        obs = ~np.isnan(cohort.values[name])
        for i, kind in enumerate(kinds):
            col = i * len(names) + j
            if kind == "hours_since_measured":
                idx = np.maximum.accumulate(np.where(obs, np.arange(n), -1))
                since = np.where(idx >= seg, np.arange(n) - idx, HOURS_SINCE_CAP)
                out[:, col] = np.minimum(since, HOURS_SINCE_CAP)
            elif kind == "measured_fraction":
                c = np.cumsum(obs)
                before = np.where(seg > 0, c[np.maximum(seg - 1, 0)], 0)
                out[:, col] = (c - before) / (hour + 1)
            else:
                raise ValueError(f"unknown charting feature {kind!r}")
    return out


def stay_aggregates(z: np.ndarray, miss: np.ndarray, starts: np.ndarray, kinds) -> np.ndarray:
    """Per vital, aggregates of the non-missing z-values from admission to the current hour.

    Kinds in order, each V columns: "max", "min", "mean"; 0 while the vital has been missing
    throughout the stay so far.
    """
    n, V = z.shape
    out = np.zeros((n, len(kinds) * V), dtype=np.float64)
    for k in range(len(starts) - 1):
        a, b = starts[k], starts[k + 1]
        zz, ok = z[a:b], miss[a:b] == 0
        cnt = np.cumsum(ok, axis=0)
        seen = cnt > 0
        for i, kind in enumerate(kinds):
            if kind == "max":
                r = np.maximum.accumulate(np.where(ok, zz, -np.inf), axis=0)
            elif kind == "min":
                r = np.minimum.accumulate(np.where(ok, zz, np.inf), axis=0)
            elif kind == "mean":
                r = np.cumsum(np.where(ok, zz, 0.0), axis=0, dtype=np.float64) / np.maximum(cnt, 1)
            else:
                raise ValueError(f"unknown stay aggregate {kind!r}")
            out[a:b, i * V:(i + 1) * V] = np.where(seen, r, 0.0)
    return out
