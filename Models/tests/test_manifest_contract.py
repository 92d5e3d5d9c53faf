"""The manifest alone reproduces the model's inputs (python -m unittest, from Models/).

`features_from_manifest` is a deliberately plain, hour-by-hour re-implementation of the input
contract written only from `vigil-risk.manifest.json` (as Vigil's Swift pipeline must do it). It
must give the fixture's feature vectors and int8 inputs exactly, from the fixture's raw rows.
"""

import json
import math
import unittest
from pathlib import Path

MODELS = Path(__file__).resolve().parent.parent
#: NEWS2 Chart 1 (RCP 2017), SpO2 scale 1, as (inclusive upper limit, points): written here again
#: from the chart, independently of scores.py.
NEWS2 = {
    "Resp": [(8, 3), (11, 1), (20, 0), (24, 2), (math.inf, 3)],
    "O2Sat": [(91, 3), (93, 2), (95, 1), (math.inf, 0)],
    "SBP": [(90, 3), (100, 2), (110, 1), (219, 0), (math.inf, 3)],
    "HR": [(40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (math.inf, 3)],
    "Temp": [(35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1), (math.inf, 2)],
}


def clamp(x, lo, hi):
    return min(max(x, lo), hi)


def features_from_manifest(rows, t, spec):
    """Feature vector of hour t (0-based row index) from raw hourly rows (None = not measured)."""
    zl = spec["z_limit"]
    vit = {v["name"]: v for v in spec["vitals"]}
    der = {d["name"]: d for d in spec["derived"]}
    statics = {s["name"]: s["column"] for s in spec["statics"]}

    def carried(name, h):  # latest measurement at s <= h with h - s <= max_age, else None
        for s in range(h, -1, -1):
            if h - s > vit[name]["max_age_hours"]:
                break
            if rows[s][name] is not None:
                return rows[s][name]
        return None

    def raw_channel(c, h):
        if c in vit:
            return carried(c, h)
        a = {k: carried(k, h) for k in ("HR", "SBP", "DBP")}
        if c == "ShockIndex":
            return None if a["HR"] is None or a["SBP"] is None else a["HR"] / a["SBP"]
        if c == "PulsePressure":
            return None if a["SBP"] is None or a["DBP"] is None else a["SBP"] - a["DBP"]
        raise ValueError(c)

    def z(c, h):  # None when missing or before the first hour
        if h < 0:
            return None
        x = raw_channel(c, h)
        if x is None:
            return None
        p = vit.get(c) or der[c]
        return clamp((x - p["mean"]) / p["std"], -zl, zl)

    def oxygen(h, max_age):
        for s in range(h, -1, -1):
            if h - s > max_age:
                break
            f = rows[s]["FiO2"]
            if f is not None:
                return 1.0 if (f / 100.0 if f > 1.0 else f) > 0.21 else 0.0
        return 0.0

    def points(p, h):
        x = carried(p, h)
        if x is None:
            return 0
        for upper, pts in NEWS2[p]:
            if x <= upper:
                return pts

    oxy = [f for f in spec["features"] if f["kind"] == "oxygen"]

    def total(h):
        o = oxygen(h, oxy[0]["max_age_hours"]) if oxy else 0.0
        return sum(points(p, h) for p in NEWS2) + 2 * o

    def abnormal(p, h):
        return total(h) >= 5 if p == "total" else points(p, h) > 0

    def hours(w):
        return range(max(0, t - w + 1), t + 1)

    out = []
    for f in spec["features"]:
        k = f["kind"]
        if k == "value":
            v = z(f["channel"], t - f["lag"])
            x = 0.0 if v is None else v
        elif k == "missing":
            x = 1.0 if z(f["channel"], t - f["lag"]) is None else 0.0
        elif k == "delta":
            a, b = z(f["channel"], t), z(f["channel"], t - f["lag"])
            x = 0.0 if a is None or b is None else a - b
        elif k.startswith("window_") or k.startswith("stay_"):
            span = hours(f["hours"]) if k.startswith("window_") else range(0, t + 1)
            seen = [v for v in (z(f["channel"], h) for h in span) if v is not None]
            stat = k.split("_")[1]
            if not seen or (stat == "sd" and len(seen) < 2):
                x = 0.0
            elif stat == "max":
                x = max(seen)
            elif stat == "min":
                x = min(seen)
            else:
                s1 = s2 = 0.0
                for v in seen:
                    s1 += v
                    s2 += v * v
                m = s1 / len(seen)
                x = m if stat == "mean" else math.sqrt(max(s2 / len(seen) - m * m, 0.0))
        elif k == "news2_points":
            x = float(points(f["parameter"], t))
        elif k == "news2_total":
            x = float(total(t))
        elif k == "news2_hours_since_abnormal":
            hit = [h for h in range(t + 1) if abnormal(f["parameter"], h)]
            x = float(min(t - hit[-1], f["cap"]) if hit else f["cap"])
        elif k == "news2_fraction_abnormal":
            x = sum(1 for h in range(t + 1) if abnormal(f["parameter"], h)) / (t + 1)
        elif k == "news2_total_window_max":
            x = float(max(total(h) for h in hours(f["hours"])))
        elif k == "oxygen":
            x = oxygen(t, f["max_age_hours"])
        elif k == "hours_since_measured":
            hit = [h for h in range(t + 1) if rows[h][f["vital"]] is not None]
            x = float(min(t - hit[-1], f["cap"]) if hit else f["cap"])
        elif k == "measured_fraction":
            x = sum(1 for h in range(t + 1) if rows[h][f["vital"]] is not None) / (t + 1)
        elif k == "measured_fraction_window":
            span = hours(f["hours"])
            x = sum(1 for h in span if rows[h][f["vital"]] is not None) / min(t + 1, f["hours"])
        elif k == "static":
            x = rows[t][statics[f["static"]]]
        elif k == "log_static":
            x = math.log1p(rows[t][statics[f["static"]]])
        else:
            raise ValueError(f"unknown kind {k}")
        out.append(clamp((x - f["mean"]) / f["std"], -zl, zl))
    return out


def quantize(z, scale, zero_point):
    v = z / scale
    r = math.copysign(math.floor(abs(v) + 0.5), v)
    return int(clamp(r + zero_point, -128, 127))


class ManifestContract(unittest.TestCase):
    def setUp(self):
        self.manifest = json.loads((MODELS / "vigil-risk.manifest.json").read_text())
        self.fixture = json.loads((MODELS / "fixtures" / "vigil-risk-fixture.json").read_text())

    def test_fixture_matches_shipped_model(self):
        self.assertEqual(self.fixture["model_sha256"], self.manifest["model_sha256"])
        self.assertEqual(sum(len(p["windows"]) for p in self.fixture["patients"]), 20)

    def test_manifest_reproduces_fixture_features_and_int8_inputs(self):
        spec, t = self.manifest["input"], self.manifest["input"]["tensor"]
        for p in self.fixture["patients"]:
            for w in p["windows"]:
                with self.subTest(patient=p["patient"], hour=w["hour"]):
                    f = features_from_manifest(p["rows"], w["hour"], spec)
                    self.assertEqual(len(f), spec["feature_count"])
                    for a, b in zip(f, w["features"]):
                        self.assertAlmostEqual(a, b, places=12)
                    self.assertEqual([quantize(z, t["scale"], t["zero_point"]) for z in f], w["input_int8"])

    def test_manifest_news2_bands_match_the_chart(self):
        bands = self.manifest["input"]["news2_bands"]["bands"]
        for p, rows in NEWS2.items():
            self.assertEqual([[None if math.isinf(u) else u, pts] for u, pts in rows], bands[p])

    def test_output_interpretation(self):
        o = self.manifest["output"]["tensor"]
        for p in self.fixture["patients"]:
            for w in p["windows"]:
                logit = (w["output_int8"] - o["zero_point"]) * o["scale"]
                self.assertAlmostEqual(w["risk"], 1 / (1 + math.exp(-logit)), places=12)

    def test_manifest_trend_alarm_is_the_score_the_evaluation_used(self):
        # The manifest's words, hour by hour: a(t) = q(t) - weight * (sum of q over the previous
        # `hours` hours, fewer at the start) / their count, with b(0) = q(0); it must equal the
        # vectorised trend score evaluate.py reported, for two patients of made-up outputs.
        from metrics import trend_adjusted
        rule = self.manifest["output"]["thresholds"]["trend_alarm"]
        hours, weight = rule["baseline_hours"], rule["baseline_weight"]
        patients = [[-5, 7, 3, 24, 11, 30, 30, 29, -2, 0, 15], [127, -128, 4]]
        expected = []
        for q in patients:
            for t in range(len(q)):
                prev = q[max(0, t - hours):t]
                base = sum(prev) / len(prev) if prev else float(q[0])
                expected.append(q[t] - weight * base)
        starts = [0, len(patients[0]), len(patients[0]) + len(patients[1])]
        got = trend_adjusted(sum(patients, []), starts)
        self.assertEqual(list(got), expected)

    def test_manifest_fallback_news2_is_the_score_the_evaluation_used(self):
        # The manifest's validated range is the evaluation's, and its words for the fallback NEWS2
        # (bands of input.news2_bands on each vital's latest value in the stay, oxygen points when the
        # latest FiO2 > 0.21) give, hour by hour on the fixture's raw rows, scores.cohort_news2.
        import numpy as np

        from data import Cohort
        from metrics import FALLBACK_NEWS2, VALIDATED_HOURS
        from scores import cohort_news2
        vr = self.manifest["validated_range"]
        self.assertEqual(vr["hours_since_admission_max"], VALIDATED_HOURS)
        self.assertEqual(vr["fallback_news2_at_least"], FALLBACK_NEWS2)
        nb = self.manifest["input"]["news2_bands"]

        def points(parameter, value):
            if value is None:
                return 0
            return next(p for upper, p in nb["bands"][parameter] if upper is None or value <= upper)

        expected, columns = [], {}
        for p in self.fixture["patients"]:
            latest = {}
            for row in p["rows"]:
                latest.update({k: v for k, v in row.items() if v is not None})
                fio2 = latest.get("FiO2")
                oxygen = fio2 is not None and (fio2 / 100 if fio2 > 1 else fio2) > 0.21
                expected.append(sum(points(q, latest.get(q)) for q in nb["bands"])
                                + (nb["oxygen_points"] if oxygen else 0))
                for k, v in row.items():
                    columns.setdefault(k, []).append(np.nan if v is None else v)
        lengths = [len(p["rows"]) for p in self.fixture["patients"]]
        cohort = Cohort(np.array([p["patient"] for p in self.fixture["patients"]]),
                        np.concatenate([[0], np.cumsum(lengths)]), {k: np.array(v) for k, v in columns.items()})
        self.assertEqual(list(cohort_news2(cohort)), expected)
        self.assertGreater(len(set(expected)), 3)  # the rows exercise several NEWS2 levels


if __name__ == "__main__":
    unittest.main()
