"""`vigil risk replay` on the committed fixture (python -m unittest, from Models/).

The PSV fixture must hold exactly the JSON fixture's rows, and Vigil's CLI, reading it, must give
TFLM's int8 output at each of the fixture's 20 hours and the manifest's alarm decision in every
hour. The CLI part runs when $VIGIL_BIN names a Vigil binary (Scripts/test sets it to the release
build); without it that test is skipped and says so.
"""

import csv
import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

MODELS = Path(__file__).resolve().parent.parent
FIXTURES = MODELS / "fixtures"


def psv_rows():
    with (FIXTURES / "vigil-risk-fixture.psv").open() as f:
        return list(csv.DictReader(f, delimiter="|"))


class ReplayFixture(unittest.TestCase):
    def setUp(self):
        self.fixture = json.loads((FIXTURES / "vigil-risk-fixture.json").read_text())
        self.manifest = json.loads((MODELS / "vigil-risk.manifest.json").read_text())

    def test_psv_holds_the_json_fixtures_rows(self):
        rows = psv_rows()
        expected = [(p["patient"], r) for p in self.fixture["patients"] for r in p["rows"]]
        self.assertEqual(len(rows), len(expected))
        for got, (patient, row) in zip(rows, expected):
            self.assertEqual(got["patient"], patient)
            for column, value in row.items():
                self.assertEqual(got[column], "NaN" if value is None else repr(value), column)

    @unittest.skipUnless(os.environ.get("VIGIL_BIN"), "VIGIL_BIN is not set: no Vigil binary to run")
    def test_vigil_risk_replay_gives_tflms_outputs_and_the_manifests_alarms(self):
        vigil = os.environ["VIGIL_BIN"]
        self.assertTrue(Path(vigil).is_file(), f"VIGIL_BIN={vigil} is not a file")
        with tempfile.TemporaryDirectory() as tmp:
            q_path = Path(tmp) / "q.bin"
            run = subprocess.run(
                [vigil, "risk", "replay", str(FIXTURES / "vigil-risk-fixture.psv"), "--manifest",
                 str(MODELS / "vigil-risk.manifest.json"), "--output-q", str(q_path)],
                capture_output=True, text=True, check=False)
            self.assertEqual(run.returncode, 0, run.stderr)
            q = [b - 256 if b > 127 else b for b in q_path.read_bytes()]
        table = list(csv.DictReader(run.stdout.splitlines()))
        self.assertEqual(len(table), len(psv_rows()))
        self.assertEqual([int(r["q"]) for r in table], q)
        vr = self.manifest["validated_range"]
        offset = 0
        for p in self.fixture["patients"]:
            for w in p["windows"]:
                self.assertEqual(q[offset + w["hour"]], w["output_int8"], (p["patient"], w["hour"]))
            for i, row in enumerate(p["rows"]):
                r = table[offset + i]
                inside = row["ICULOS"] <= vr["hours_since_admission_max"]
                self.assertEqual(r["basis"], "model" if inside else "news2")
                alarm = (q[offset + i] >= vr["alarm_80pct_sensitivity_q"] if inside
                         else int(r["news2_latest"]) >= vr["fallback_news2_at_least"])
                self.assertEqual(r["alarm"], "1" if alarm else "0", (p["patient"], i))
            offset += len(p["rows"])
