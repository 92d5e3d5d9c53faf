"""Writes fixtures/vigil-risk-fixture.json: 20 feature windows from 4 test patients for Vigil's tests,
and the same patients' raw rows as fixtures/vigil-risk-fixture.psv for `vigil risk replay`.

For each patient it records the raw hourly rows (as in the data set, null = not measured) from
admission to the last sampled hour, and for 5 sampled hours: the float feature vector, the int8
input tensor (manifest quantization) and TFLM's int8 output. A Swift test can then check the whole
chain: raw rows → features (manifest) → int8 input → Vigil's interpreter → int8 output.

Source: PhysioNet/CinC Challenge 2019 training set A, CC BY 4.0 (see the fixture's `source`).
"""

import json

import numpy as np

from data import MODELS_DIR, load_splits
from features import quantize, window_features
from tflite_tools import tflm_run

RAW_COLUMNS = ["HR", "O2Sat", "Temp", "SBP", "MAP", "DBP", "Resp", "FiO2", "Age", "Gender", "ICULOS", "SepsisLabel"]


def main():
    manifest = json.loads((MODELS_DIR / "vigil-risk.manifest.json").read_text())
    tfl = (MODELS_DIR / manifest["model_file"]).read_bytes()
    test = load_splits()["test"]
    t = manifest["input"]["tensor"]
    o = manifest["output"]["tensor"]
    lengths = np.diff(test.starts)
    septic = test.ever_septic()
    # first two septic and first two non-septic test patients with at least 30 hours (file order)
    chosen = ([k for k in np.flatnonzero(septic) if lengths[k] >= 30][:2]
              + [k for k in np.flatnonzero(~septic) if lengths[k] >= 30][:2])
    patients = []
    for k in chosen:
        one = test.subset([test.patient_ids[k]])
        X = window_features(one, manifest["input"])
        q_in = quantize(X, t["scale"], t["zero_point"])
        n = one.n_rows
        hours = [0, 3, 11, 23, n - 1]
        q_out = tflm_run(tfl, q_in[hours], arena_size=manifest["tflm_min_arena_bytes"] + 1024)[:, 0]
        rows = [{c: (None if np.isnan(one.values[c][i]) else float(one.values[c][i])) for c in RAW_COLUMNS}
                for i in range(n)]
        windows = []
        for h, qo in zip(hours, q_out):
            logit = (int(qo) - o["zero_point"]) * o["scale"]
            windows.append({"hour": int(h), "features": [float(v) for v in X[h]],
                            "input_int8": [int(v) for v in q_in[h]], "output_int8": int(qo),
                            "logit": logit, "risk": 1.0 / (1.0 + np.exp(-logit))})
        patients.append({"patient": str(test.patient_ids[k]), "septic": bool(septic[k]), "rows": rows,
                         "windows": windows})
    fixture = {
        "description": "vigil-risk input windows with TFLM int8 outputs, from 4 test-part patients",
        "model_sha256": manifest["model_sha256"],
        "source": "PhysioNet/CinC Challenge 2019 training set A (Reyna et al., Crit Care Med "
                  "2020;48(2):210-217; doi:10.13026/v64v-d857), licence CC BY 4.0. Change made: "
                  "the rows of 4 patients, bedside columns only, as JSON; derived features and "
                  "model outputs added.",
        "patients": patients,
    }
    (MODELS_DIR / "fixtures").mkdir(exist_ok=True)
    path = MODELS_DIR / "fixtures" / "vigil-risk-fixture.json"
    path.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {path}: {sum(len(p['windows']) for p in patients)} windows")
    # The same rows as PhysioNet's pipe-separated files, with a patient column (NaN = not measured).
    psv = path.with_suffix(".psv")
    lines = ["patient|" + "|".join(RAW_COLUMNS)]
    for p in patients:
        for r in p["rows"]:
            lines.append(p["patient"] + "|" + "|".join("NaN" if r[c] is None else repr(r[c]) for c in RAW_COLUMNS))
    psv.write_text("\n".join(lines) + "\n")
    print(f"wrote {psv}: {len(lines) - 1} hours")


if __name__ == "__main__":
    main()
