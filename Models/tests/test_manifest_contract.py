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
STATIC_COLUMNS = {"Age": "Age", "Sex": "Gender", "HoursSinceAdmission": "ICULOS"}


def clamp(x, lo, hi):
    return min(max(x, lo), hi)


def features_from_manifest(rows, t, spec):
    """Feature vector of hour t (0-based row index) from raw hourly rows (None = not measured)."""
    zl, W = spec["z_limit"], spec["window_hours"]
    names = [v["name"] for v in spec["vitals"]]

    def vital_at(h, v):  # carried-forward z and missing flag of vital v at hour h
        for s in range(h, -1, -1):
            if h - s > v["max_age_hours"]:
                break
            x = rows[s][v["name"]]
            if x is not None:
                return clamp((x - v["mean"]) / v["std"], -zl, zl), 0.0
        return 0.0, 1.0

    out = []
    for h in range(t - W + 1, t + 1):
        vals = [vital_at(h, v) if h >= 0 else (0.0, 1.0) for v in spec["vitals"]]
        out += [z for z, _ in vals] + [m for _, m in vals]
    per_vital = {v["name"]: [vital_at(h, v) for h in range(t + 1)] for v in spec["vitals"]}
    for kind in spec["stay_aggregates"]:
        for name in names:
            seen = [z for z, m in per_vital[name] if m == 0.0]
            if not seen:
                out.append(0.0)
            elif kind == "max":
                out.append(max(seen))
            elif kind == "min":
                out.append(min(seen))
            else:
                total = 0.0
                for z in seen:
                    total += z
                out.append(total / len(seen))
    cap = spec["charting"]["hours_since_cap"]
    for f in spec["charting"]["features"]:
        name, kind = f["name"].split(".")
        measured = [h for h in range(t + 1) if rows[h][name] is not None]
        if kind == "hours_since_measured":
            x = min(t - measured[-1], cap) if measured else cap
        else:
            x = len(measured) / (t + 1)
        out.append(clamp((x - f["mean"]) / f["std"], -zl, zl))
    for s in spec["statics"]:
        out.append(clamp((rows[t][STATIC_COLUMNS[s["name"]]] - s["mean"]) / s["std"], -zl, zl))
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

    def test_output_interpretation(self):
        o = self.manifest["output"]["tensor"]
        for p in self.fixture["patients"]:
            for w in p["windows"]:
                logit = (w["output_int8"] - o["zero_point"]) * o["scale"]
                self.assertAlmostEqual(w["risk"], 1 / (1 + math.exp(-logit)), places=12)


if __name__ == "__main__":
    unittest.main()
