#!/usr/bin/env python3
"""For information only: how far LiteRT's outputs are from the TFLM goldens of the conformance set.

Runs every model in manifest.json with ai-edge-litert in three configurations (reference kernels;
optimized builtin kernels without delegates; the default, which applies XNNPACK) on the stored
inputs and compares with the stored TFLM outputs. Prints a Markdown table: per configuration, the
number of differing output elements (of all elements) and the largest difference in output
quantization steps (LSB). TFLM, not LiteRT, is Vigil's bit-exact oracle.

Usage: /work/venv/bin/python Tools/conformance/litert_outputs.py [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from ai_edge_litert.interpreter import Interpreter, OpResolverType  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tflite_model import TfliteModel  # noqa: E402

DEFAULT_DIR = HERE.parent.parent / "Tests" / "VigilInferenceTests" / "Conformance"
CONFIGS = [
    ("reference", OpResolverType.BUILTIN_REF),
    ("optimized", OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES),
    ("XNNPACK (default)", OpResolverType.AUTO),
]
DTYPES = {"int8": np.int8, "float32": np.float32}


def run_litert(model: bytes, resolver: OpResolverType, inputs: np.ndarray) -> np.ndarray:
    interpreter = Interpreter(model_content=model, experimental_op_resolver_type=resolver)
    interpreter.allocate_tensors()
    in_detail = interpreter.get_input_details()[0]
    out_detail = interpreter.get_output_details()[0]
    outputs = []
    for x in inputs:
        interpreter.set_tensor(in_detail["index"], x.reshape(in_detail["shape"]))
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(out_detail["index"]).copy())
    return np.stack(outputs)


def output_step(model: bytes) -> float:
    """Quantization step of the model output; for a float output, that of the DEQUANTIZE input."""
    parsed = TfliteModel(model)
    out = parsed.outputs[0]
    info = parsed.tensor(out)
    if info.type == "int8":
        return 1.0
    for op in parsed.ops():
        if op.outputs[0] == out and op.name == "DEQUANTIZE":
            return parsed.tensor(op.inputs[0]).scales[0]
    raise ValueError("float output of %s is not produced by DEQUANTIZE" % parsed.tensor(out).name)


def compare(entry: dict, folder: pathlib.Path) -> list[str]:
    name = entry["name"]
    model = (folder / (name + ".tflite")).read_bytes()
    n = entry["invocations"]
    inputs = np.fromfile(folder / (name + ".input.bin"), dtype=DTYPES[entry["inputType"]]).reshape(n, *entry["inputShape"])
    golden = np.fromfile(folder / (name + ".output.bin"), dtype=DTYPES[entry["outputType"]]).reshape(n, -1)
    step = output_step(model)
    cells = []
    for _, resolver in CONFIGS:
        produced = run_litert(model, resolver, inputs).reshape(n, -1)
        differ = produced != golden
        # Float outputs come from DEQUANTIZE: the difference is counted in its quantization steps.
        lsb = np.rint(np.abs(produced.astype(np.float64) - golden.astype(np.float64)) / step)
        worst = int(lsb.max()) if differ.any() else 0
        cells.append("%d/%d (max %d)" % (int(differ.sum()), differ.size, worst) if differ.any() else "0/%d" % differ.size)
    return cells


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=pathlib.Path, default=DEFAULT_DIR, help="conformance folder (default: %(default)s)")
    args = parser.parse_args(argv)
    manifest = json.loads((args.dir / "manifest.json").read_text())
    print("| model | " + " | ".join(label for label, _ in CONFIGS) + " |")
    print("|---|" + "---|" * len(CONFIGS))
    exact = [0] * len(CONFIGS)
    for entry in manifest["models"]:
        cells = compare(entry, args.dir)
        for k, cell in enumerate(cells):
            exact[k] += cell.startswith("0/")
        print("| %s | %s |" % (entry["name"], " | ".join(cells)))
    total = len(manifest["models"])
    print()
    print("Bit-exact with TFLM: " + ", ".join("%s %d/%d models" % (CONFIGS[k][0], exact[k], total) for k in range(len(CONFIGS))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
