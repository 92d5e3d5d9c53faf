"""The model's input contract: hourly rows → one standardised feature vector per ICU hour.

Everything here is driven by the `input` section of the manifest (see `manifest_input()`), so
that Vigil's clinical pipeline can reproduce the features from `vigil-risk.manifest.json` alone.
The manifest lists every feature with its `kind` and parameters; this module is the reference
implementation (vectorized over all rows) and `tests/test_manifest_contract.py` is a second,
hour-by-hour implementation written only from the manifest.

Per patient, one row per ICU hour (row index t = 0, 1, ...; `HoursSinceAdmission` is the data set's
ICULOS of that row). Channels:
  * a vital's value at hour t is its latest measurement at an hour s <= t with t - s <=
    max_age_hours, else missing; z = clamp((value - mean) / std, -z_limit, z_limit);
  * derived channels are computed from the carried-forward vitals of the same hour (missing if an
    operand is missing) and normalised the same way.
Each feature's raw value (see `KINDS`) is finally standardised: f = clamp((raw - mean) / std,
-z_limit, z_limit), with mean and std in the feature's manifest entry. All arithmetic is IEEE
binary64 (Swift `Double`), in the order written in the manifest.
"""

from __future__ import annotations

import math

import numpy as np

from scores import NEWS2_BANDS, band_points, fio2_fraction

Z_LIMIT = 5.0
SINCE_CAP = 48
OXYGEN_MAX_AGE = 24
ROOM_AIR_FIO2 = 0.21

#: Vitals: data-set column, unit, and how long a measurement stays valid (hours).
VITALS = [
    ("HR", "beats/min", 4),
    ("O2Sat", "%", 4),
    ("Temp", "Cel", 8),
    ("SBP", "mm[Hg]", 4),
    ("MAP", "mm[Hg]", 4),
    ("DBP", "mm[Hg]", 4),
    ("Resp", "breaths/min", 4),
]

#: Derived channels: name, unit, formula over carried-forward vitals of the same hour.
DERIVED = [
    ("ShockIndex", "1", "HR / SBP"),
    ("PulsePressure", "mm[Hg]", "SBP - DBP"),
]

#: NEWS2 parameters whose points are features (RCP 2017 Chart 1, see scores.py).
NEWS2_PARAMETERS = ["Resp", "O2Sat", "SBP", "HR", "Temp"]
NEWS2_ALERT = 5  # aggregate score that counts as "abnormal" for the total

#: Static columns: name, data-set column, unit, encoding.
STATICS = [
    ("Age", "Age", "a", "years (the data set records 89 for all ages >= 89)"),
    ("Sex", "Gender", "1", "1 = male, 0 = female"),
    ("HoursSinceAdmission", "ICULOS", "h", "hours since ICU admission, 1 in the first ICU hour"),
]

#: What each feature kind means (copied into the manifest).
KINDS = {
    "value": "z of `channel` at hour t - lag; 0 when missing or t - lag < 0",
    "missing": "1 when `channel` is missing at hour t - lag or t - lag < 0, else 0",
    "delta": "z(t) - z(t - lag) of `channel`; 0 when either is missing or t - lag < 0",
    "window_mean": "mean of the non-missing z of `channel` over hours max(0, t-hours+1) .. t; "
                   "s = sum in hour order (oldest first), mean = s / n; 0 when n = 0",
    "window_sd": "population standard deviation over the same hours: s2 = sum of z*z in hour "
                 "order, m = s / n, sd = sqrt(max(s2 / n - m*m, 0)); 0 when n < 2",
    "window_max": "largest non-missing z of `channel` over the same hours; 0 when none",
    "window_min": "smallest non-missing z of `channel` over the same hours; 0 when none",
    "stay_max": "largest non-missing z of `channel` over hours 0 .. t; 0 when none",
    "stay_min": "smallest non-missing z of `channel` over hours 0 .. t; 0 when none",
    "stay_mean": "mean of the non-missing z of `channel` over hours 0 .. t (sum in hour order / "
                 "count); 0 when none",
    "news2_points": "NEWS2 points (RCP 2017 Chart 1, SpO2 scale 1) of `parameter` from its "
                    "carried-forward vital at hour t; 0 when missing",
    "news2_total": "sum of the five news2_points at hour t plus 2 when `oxygen` is 1 "
                   "(consciousness is not measured: 0)",
    "news2_hours_since_abnormal": "t minus the latest hour s <= t at which `parameter`'s points "
                                  "were > 0 (for `total`: news2_total >= 5), capped at cap; cap "
                                  "when there was none",
    "news2_fraction_abnormal": "number of hours 0 .. t at which `parameter`'s points were > 0 (for "
                               "`total`: news2_total >= 5) / (t + 1)",
    "news2_total_window_max": "largest news2_total over hours max(0, t-hours+1) .. t",
    "oxygen": "1 when the latest FiO2 recorded at an hour s <= t with t - s <= max_age_hours is > "
              "0.21 (values > 1 are percent and are divided by 100), else 0 (no FiO2 recorded = "
              "air)",
    "hours_since_measured": "t minus the latest hour s <= t at which the vital was measured (not "
                            "carried forward), capped at cap; cap when never measured",
    "measured_fraction": "number of hours 0 .. t at which the vital was measured / (t + 1)",
    "measured_fraction_window": "number of hours max(0, t-hours+1) .. t at which the vital was "
                                "measured / min(t + 1, hours)",
    "static": "the value of `statics` entry `static` at hour t",
    "log_static": "ln(1 + the value of `statics` entry `static` at hour t)",
}


def _round_sig(x: float, sig: int = 5) -> float:
    return float(f"{x:.{sig}g}")


def feature_list(blocks) -> list[dict]:
    """The ordered feature definitions (without normalisation constants) for a set of blocks."""
    vit = [v[0] for v in VITALS]
    ch = vit + [d[0] for d in DERIVED]
    out = []
    f = lambda name, kind, **p: out.append({"name": name, "kind": kind, **p})
    for c in ch:
        f(f"{c}.z", "value", channel=c, lag=0)
        f(f"{c}.missing", "missing", channel=c, lag=0)
    if "window6" in blocks:
        for lag in range(1, 6):
            for c in vit:
                f(f"{c}.z-{lag}h", "value", channel=c, lag=lag)
            for c in vit:
                f(f"{c}.missing-{lag}h", "missing", channel=c, lag=lag)
    if "deltas" in blocks:
        for c in ch:
            for lag in (1, 3, 6, 12, 24):
                f(f"{c}.delta{lag}h", "delta", channel=c, lag=lag)
    if "rolling" in blocks:
        for c in ch:
            for w in (6, 12, 24, 48):
                for k in ("mean", "sd", "max", "min"):
                    f(f"{c}.{k}{w}h", f"window_{k}", channel=c, hours=w)
    if "stay" in blocks:
        for c in ch:
            for k in ("max", "min", "mean"):
                f(f"{c}.stay_{k}", f"stay_{k}", channel=c)
    if "news2" in blocks:
        for p in NEWS2_PARAMETERS:
            f(f"NEWS2.{p}", "news2_points", parameter=p)
        f("NEWS2.total", "news2_total")
        for p in NEWS2_PARAMETERS + ["total"]:
            f(f"NEWS2.{p}.hours_since_abnormal", "news2_hours_since_abnormal", parameter=p, cap=SINCE_CAP)
            f(f"NEWS2.{p}.fraction_abnormal", "news2_fraction_abnormal", parameter=p)
        for w in (12, 24):
            f(f"NEWS2.total.max{w}h", "news2_total_window_max", hours=w)
    if "oxygen" in blocks:
        f("Oxygen", "oxygen", max_age_hours=OXYGEN_MAX_AGE)
    charted = [c for c in vit if "charting" in blocks or ("charting_temp" in blocks and c == "Temp")]
    for c in charted:
        f(f"{c}.hours_since_measured", "hours_since_measured", vital=c, cap=24)
    for c in charted:
        f(f"{c}.measured_fraction", "measured_fraction", vital=c)
    for c in charted:
        f(f"{c}.measured_fraction24h", "measured_fraction_window", vital=c, hours=24)
    for name, col, unit, note in STATICS:
        f(name, "static", static=name)
    f("log1p(HoursSinceAdmission)", "log_static", static="HoursSinceAdmission")
    return out


def manifest_input(train_cohort, blocks) -> dict:
    """The `input` section of the manifest, with normalisation constants fitted on training rows.

    Constants are rounded to 5 significant digits and the rounded values are what training uses.
    """
    vitals = []
    for col, unit, max_age in VITALS:
        x = train_cohort.values[col]
        x = x[~np.isnan(x)]
        vitals.append({"name": col, "unit": unit, "max_age_hours": max_age,
                       "mean": _round_sig(np.mean(x)), "std": _round_sig(np.std(x))})
    spec = {"z_limit": Z_LIMIT, "vitals": vitals, "derived": [], "statics": [], "features": []}
    cf = _carried(train_cohort, spec)
    for name, unit, formula in DERIVED:
        x = _derive(name, cf)
        x = x[~np.isnan(x)]
        spec["derived"].append({"name": name, "unit": unit, "formula": formula,
                                "mean": _round_sig(np.mean(x)), "std": _round_sig(np.std(x))})
    for name, col, unit, note in STATICS:
        spec["statics"].append({"name": name, "column": col, "unit": unit, "encoding": note})
    feats = feature_list(blocks)
    raw = raw_features(train_cohort, {**spec, "features": feats})
    for j, f in enumerate(feats):
        m, s = float(np.mean(raw[:, j])), float(np.std(raw[:, j]))
        f["mean"] = _round_sig(m)
        f["std"] = _round_sig(s) if s > 1e-6 else 1.0
    spec["features"] = feats
    spec["feature_count"] = len(feats)
    spec["kinds"] = {k: v for k, v in KINDS.items() if any(f["kind"] == k for f in feats)}
    if any(f["kind"].startswith("news2") for f in feats):
        spec["news2_bands"] = {
            "source": "Royal College of Physicians, NEWS2 (2017), Chart 1, SpO2 scale 1",
            "rule": "a value scores the points of the first band (lowest first) whose inclusive "
                    "upper limit it does not exceed; upper null = no limit",
            "bands": {p: [[None if math.isinf(u) else u, pts] for u, pts in NEWS2_BANDS[p]]
                      for p in NEWS2_PARAMETERS},
            "oxygen_points": 2,
            "total_alert": NEWS2_ALERT,
        }
    return spec


# ---- reference implementation (vectorized) ----

def _last_valid(values: np.ndarray, starts: np.ndarray, max_age: int) -> np.ndarray:
    """Carried-forward value per row, NaN where no measurement within max_age hours (same patient)."""
    n = len(values)
    idx = np.where(~np.isnan(values), np.arange(n), -1)
    idx = np.maximum.accumulate(idx)
    seg_start = np.repeat(starts[:-1], np.diff(starts))
    ok = (idx >= seg_start) & (np.arange(n) - idx <= max_age)
    return np.where(ok, values[np.maximum(idx, 0)], np.nan)


def _carried(cohort, spec) -> dict:
    return {v["name"]: _last_valid(cohort.values[v["name"]], cohort.starts, v["max_age_hours"])
            for v in spec["vitals"]}


def _derive(name, cf) -> np.ndarray:
    if name == "ShockIndex":
        return cf["HR"] / cf["SBP"]
    if name == "PulsePressure":
        return cf["SBP"] - cf["DBP"]
    raise ValueError(f"unknown derived channel {name!r}")


def _shift(a: np.ndarray, hour: np.ndarray, lag: int, fill=np.nan) -> np.ndarray:
    """a at row i - lag when that row is the same patient's, else fill."""
    if lag == 0:
        return a.copy()
    out = np.full(a.shape, fill, dtype=a.dtype)
    ok = hour >= lag
    out[ok] = a[np.flatnonzero(ok) - lag]
    return out


def _since(flag, seg, cap):
    n = len(flag)
    idx = np.maximum.accumulate(np.where(flag, np.arange(n), -1))
    since = np.where(idx >= seg, np.arange(n) - idx, cap)
    return np.minimum(since, cap).astype(np.float64)


def _stay_count(flag, seg):
    cs = np.cumsum(flag)
    before = np.where(seg > 0, cs[np.maximum(seg - 1, 0)], 0)
    return (cs - before).astype(np.float64)


def raw_features(cohort, spec) -> np.ndarray:
    """(N, F) raw (un-standardised) feature values for every hourly row of the cohort."""
    n = cohort.n_rows
    seg = np.repeat(cohort.starts[:-1], np.diff(cohort.starts))
    hour = np.arange(n) - seg
    zl = spec["z_limit"]
    cf = _carried(cohort, spec)
    z = {}
    for v in spec["vitals"]:
        z[v["name"]] = np.clip((cf[v["name"]] - v["mean"]) / v["std"], -zl, zl)
    for d in spec["derived"]:
        z[d["name"]] = np.clip((_derive(d["name"], cf) - d["mean"]) / d["std"], -zl, zl)
    cache = {}

    def window(c, w):
        key = (c, w)
        if key not in cache:
            s = np.zeros(n); s2 = np.zeros(n); cnt = np.zeros(n)
            mx = np.full(n, -np.inf); mn = np.full(n, np.inf)
            for lag in range(w - 1, -1, -1):  # oldest first
                x = _shift(z[c], hour, lag)
                ok = ~np.isnan(x)
                xx = np.where(ok, x, 0.0)
                s = s + xx
                s2 = s2 + xx * xx
                cnt += ok
                mx = np.where(ok & (x > mx), x, mx)
                mn = np.where(ok & (x < mn), x, mn)
            seen = cnt > 0
            m = np.where(seen, s / np.maximum(cnt, 1), 0.0)
            var = s2 / np.maximum(cnt, 1) - m * m
            cache[key] = {"mean": m, "sd": np.where(cnt > 1, np.sqrt(np.maximum(var, 0.0)), 0.0),
                          "max": np.where(seen, mx, 0.0), "min": np.where(seen, mn, 0.0)}
        return cache[key]

    def stay(c):
        key = (c, "stay")
        if key not in cache:
            r = {k: np.zeros(n) for k in ("max", "min", "mean")}
            zz = z[c]
            ok = ~np.isnan(zz)
            for k in range(len(cohort.starts) - 1):
                a, b = cohort.starts[k], cohort.starts[k + 1]
                o, x = ok[a:b], zz[a:b]
                cnt = np.cumsum(o)
                seen = cnt > 0
                r["max"][a:b] = np.where(seen, np.maximum.accumulate(np.where(o, x, -np.inf)), 0.0)
                r["min"][a:b] = np.where(seen, np.minimum.accumulate(np.where(o, x, np.inf)), 0.0)
                r["mean"][a:b] = np.where(seen, np.cumsum(np.where(o, x, 0.0)) / np.maximum(cnt, 1), 0.0)
            cache[key] = r
        return cache[key]

    def oxygen(max_age):
        key = ("oxygen", max_age)
        if key not in cache:
            f = _last_valid(cohort.values["FiO2"], cohort.starts, max_age)
            cache[key] = (fio2_fraction(f) > ROOM_AIR_FIO2).astype(np.float64)
        return cache[key]

    def points(p):
        key = ("news", p)
        if key not in cache:
            if p == "total":
                ox = [f for f in spec["features"] if f["kind"] == "oxygen"]
                o2 = oxygen(ox[0]["max_age_hours"]) if ox else np.zeros(n)
                cache[key] = sum(points(q) for q in NEWS2_PARAMETERS) + 2.0 * o2
            else:
                cache[key] = band_points(p, cf[p]).astype(np.float64)
        return cache[key]

    def abnormal(p):
        return points(p) >= NEWS2_ALERT if p == "total" else points(p) > 0

    statics = {s["name"]: cohort.values[s["column"]] for s in spec["statics"]}
    out = np.empty((n, len(spec["features"])), dtype=np.float64)
    for j, f in enumerate(spec["features"]):
        k = f["kind"]
        if k == "value":
            x = _shift(z[f["channel"]], hour, f["lag"])
            out[:, j] = np.where(np.isnan(x), 0.0, x)
        elif k == "missing":
            x = _shift(z[f["channel"]], hour, f["lag"])
            out[:, j] = np.isnan(x)
        elif k == "delta":
            d = z[f["channel"]] - _shift(z[f["channel"]], hour, f["lag"])
            out[:, j] = np.where(np.isnan(d), 0.0, d)
        elif k.startswith("window_"):
            out[:, j] = window(f["channel"], f["hours"])[k[7:]]
        elif k.startswith("stay_"):
            out[:, j] = stay(f["channel"])[k[5:]]
        elif k == "news2_points":
            out[:, j] = points(f["parameter"])
        elif k == "news2_total":
            out[:, j] = points("total")
        elif k == "news2_hours_since_abnormal":
            out[:, j] = _since(abnormal(f["parameter"]), seg, f["cap"])
        elif k == "news2_fraction_abnormal":
            out[:, j] = _stay_count(abnormal(f["parameter"]), seg) / (hour + 1)
        elif k == "news2_total_window_max":
            tot = points("total")
            m = tot.copy()
            for lag in range(1, f["hours"]):
                m = np.maximum(m, _shift(tot, hour, lag, fill=0.0))
            out[:, j] = m
        elif k == "oxygen":
            out[:, j] = oxygen(f["max_age_hours"])
        elif k == "hours_since_measured":
            out[:, j] = _since(~np.isnan(cohort.values[f["vital"]]), seg, f["cap"])
        elif k == "measured_fraction":
            out[:, j] = _stay_count(~np.isnan(cohort.values[f["vital"]]), seg) / (hour + 1)
        elif k == "measured_fraction_window":
            obs = (~np.isnan(cohort.values[f["vital"]])).astype(np.float64)
            cnt = obs.copy()
            for lag in range(1, f["hours"]):
                cnt = cnt + _shift(obs, hour, lag, fill=0.0)
            out[:, j] = cnt / np.minimum(hour + 1, f["hours"])
        elif k == "static":
            x = statics[f["static"]]
            if np.any(np.isnan(x)):
                raise ValueError(f"static {f['static']} has missing values")
            out[:, j] = x
        elif k == "log_static":
            out[:, j] = np.log1p(statics[f["static"]])
        else:
            raise ValueError(f"feature {f['name']}: unknown kind {k!r}")
    return out


def window_features(cohort, spec: dict) -> np.ndarray:
    """(N, feature_count) standardised float64 feature vector for every hourly row of the cohort."""
    raw = raw_features(cohort, spec)
    mean = np.array([f["mean"] for f in spec["features"]])
    std = np.array([f["std"] for f in spec["features"]])
    zl = spec["z_limit"]
    return np.clip((raw - mean) / std, -zl, zl)


def quantize(features: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """The int8 input tensor: clamp(round_half_away_from_zero(z / scale) + zero_point, -128, 127)."""
    v = np.asarray(features, dtype=np.float64) / float(scale)
    r = np.sign(v) * np.floor(np.abs(v) + 0.5)
    return np.clip(r + zero_point, -128, 127).astype(np.int8)
