#!/usr/bin/env python3
"""Generates Vigil's int8 conformance models and their TensorFlow Lite Micro goldens.

For every spec in models.py: build the float model from fixed seeds, convert it to a fully int8
.tflite with TensorFlow's standard converter, run it in TFLM's Python interpreter on 32 seeded
inputs (extremes first), find the smallest TFLM arena that reproduces the outputs (each trial in
a child process, since too-small arenas can crash TFLM), count MACs, and write
`<name>.tflite`, `<name>.input.bin`, `<name>.output.bin` and `manifest.json`.

Fails (exit 1) when a required op or op variant is missing from the set, when a model does not
have exactly one input and one output, or when a model loses an op it exists for.

Usage: /work/venv/bin/python Tools/conformance/generate.py [--out DIR] [--only NAME ...] [--verify]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import hashlib
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tflite_micro  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import models  # noqa: E402
import tflm_runner  # noqa: E402
from tflite_model import TfliteModel, patch_tensor_shapes  # noqa: E402

REPO = HERE.parent.parent
DEFAULT_OUT = REPO / "Tests" / "VigilInferenceTests" / "Conformance"
GENERATOR = "Tools/conformance/generate.py"

REPRESENTATIVE_SAMPLES = 64
UNIFORM_INPUTS = 21
REPRESENTATIVE_INPUTS = 8  # plus 3 constant inputs: 32 invocations per model
FLOAT_OVERSHOOT = 0.1  # float-I/O inputs exceed the representative range by 10% each side
REFERENCE_ARENA = 1 << 20
MAX_ARENA = 1 << 24
MAX_MODEL_BYTES = 200 * 1024

REQUIRED_OPS = {
    "ADD", "SUB", "MUL", "AVERAGE_POOL_2D", "MAX_POOL_2D", "CONCATENATION", "CONV_2D",
    "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "QUANTIZE", "DEQUANTIZE", "LOGISTIC", "TANH", "SOFTMAX",
    "RELU", "RELU6", "LEAKY_RELU", "MEAN", "REDUCE_MAX", "PAD", "RESHAPE", "SQUEEZE", "EXPAND_DIMS",
    "STRIDED_SLICE", "TRANSPOSE",
}  # fmt: skip
REQUIRED_VARIANTS = {
    "CONV_2D stride>1", "CONV_2D dilation>1", "CONV_2D padding=SAME", "CONV_2D padding=VALID",
    "CONV_2D activation=RELU", "CONV_2D activation=RELU6", "CONV_2D weights=per-channel",
    "DEPTHWISE_CONV_2D depth_multiplier>1", "DEPTHWISE_CONV_2D stride>1",
    "FULLY_CONNECTED weights=per-channel", "FULLY_CONNECTED weights=per-tensor",
    "FULLY_CONNECTED keep_num_dims=true",
    "QUANTIZE float32->int8", "QUANTIZE int8->int8", "DEQUANTIZE int8->float32",
}  # fmt: skip


class GenerationError(Exception):
    """A model or the whole set does not meet the conformance requirements."""


def convert(spec: models.ModelSpec) -> bytes:
    """Builds the float model and converts it to a fully int8 .tflite."""
    # A fresh Keras session resets layer-name counters: tensor names (and so bytes) then do not
    # depend on which models were built before this one (`--only` gives the same files).
    keras.backend.clear_session()
    keras.utils.set_random_seed(spec.seed)
    built = spec.build(np.random.default_rng(spec.seed), spec.weight_gain)
    if hasattr(built, "layers"):
        # A Keras model: the standard path (Keras exports a SavedModel and TF converts that).
        converter = tf.lite.TFLiteConverter.from_keras_model(built)
    else:
        signature = spec.signature_shape or spec.input_shape
        function = tf.function(built, input_signature=[tf.TensorSpec(signature, tf.float32)])
        converter = tf.lite.TFLiteConverter.from_concrete_functions([function.get_concrete_function()], tf.Module())

    rep_rng = np.random.default_rng(spec.seed + 2)
    representative = [models.representative_sample(spec, rep_rng) for _ in range(REPRESENTATIVE_SAMPLES)]

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([sample] for sample in representative)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if not spec.float_io:
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    for key, value in spec.converter_options:
        if not hasattr(converter, key):
            raise GenerationError("%s: converter has no option %s" % (spec.name, key))
        setattr(converter, key, value)
    with contextlib.redirect_stdout(io.StringIO()):  # Keras' export prints its signature
        data = converter.convert()
    if spec.signature_shape is not None and None in spec.signature_shape:
        data = concretize_shapes(data, spec.input_shape)
    return data


def concretize_shapes(data: bytes, input_shape: tuple[int, ...]) -> bytes:
    """Writes the static shapes of a model traced with dynamic dimensions (see patch_tensor_shapes)."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=data)
    interpreter.resize_tensor_input(interpreter.get_input_details()[0]["index"], list(input_shape))
    interpreter.allocate_tensors()
    model = TfliteModel(data)
    changes = {}
    for detail in interpreter.get_tensor_details():
        index = detail["index"]
        if index >= len(model.subgraph.tensors):
            continue
        shape = tuple(int(d) for d in detail["shape"])
        if shape != model.tensor(index).shape:
            changes[index] = shape
    return patch_tensor_shapes(data, changes)


def make_inputs(spec: models.ModelSpec, model: TfliteModel) -> np.ndarray:
    """32 inputs: all-minimum, all-maximum, all-zero-point, uniform random, representative-like."""
    info = model.tensor(model.inputs[0])
    shape = info.shape
    rng = np.random.default_rng(spec.seed + 1)
    rep_like = [models.representative_sample(spec, rng) for _ in range(REPRESENTATIVE_INPUTS)]
    if info.type == "int8":
        scale, zero_point = info.scales[0], info.zero_points[0]
        constant = [np.full(shape, v, np.int8) for v in (-128, 127, zero_point)]
        uniform = [rng.integers(-128, 128, shape, dtype=np.int8) for _ in range(UNIFORM_INPUTS)]
        quantized = [np.clip(np.round(x / scale) + zero_point, -128, 127).astype(np.int8) for x in rep_like]
        batch = constant + uniform + quantized
    elif info.type == "float32":
        lo, hi = spec.input_range
        margin = FLOAT_OVERSHOOT * (hi - lo)
        lo, hi = lo - margin, hi + margin
        constant = [np.full(shape, v, np.float32) for v in (lo, hi, 0.0)]
        uniform = [rng.uniform(lo, hi, shape).astype(np.float32) for _ in range(UNIFORM_INPUTS)]
        batch = constant + uniform + rep_like
    else:
        raise GenerationError("%s: unsupported input type %s" % (spec.name, info.type))
    return np.stack([np.asarray(x).reshape(shape) for x in batch])


def pack(array: np.ndarray) -> bytes:
    """Raw little-endian bytes, invocation after invocation."""
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()


def arena_works(model_path: pathlib.Path, arena: int, input_path, output_path) -> int:
    """Return code of one child trial (0 = same outputs; negative = TFLM crashed)."""
    result = subprocess.run(
        [sys.executable, str(HERE / "tflm_runner.py"), str(model_path), str(arena), str(input_path), str(output_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=300,
    )
    return result.returncode


def smallest_arena(model_path, input_path, output_path, log: list[str]) -> int:
    """Bisects the smallest arena (bytes) with which TFLM reproduces the outputs."""
    hi = 4096
    while (code := arena_works(model_path, hi, input_path, output_path)) != 0:
        if hi >= MAX_ARENA:
            raise GenerationError("%s: TFLM fails even with a %d-byte arena (code %d)" % (model_path.name, hi, code))
        hi *= 2
    lo = 0  # an empty arena cannot hold the interpreter
    outcomes = {}
    while hi - lo > 1:
        mid = (lo + hi) // 2
        code = arena_works(model_path, mid, input_path, output_path)
        outcomes[mid] = code
        if code == 0:
            hi = mid
        else:
            lo = mid
    crashes = sorted(size for size, code in outcomes.items() if code < 0)
    mismatches = sorted(size for size, code in outcomes.items() if code == tflm_runner.EXIT_MISMATCH)
    if crashes:
        log.append("%s: TFLM crashed (signal) with arenas of %s bytes" % (model_path.stem, crashes))
    if mismatches:
        log.append("%s: TFLM ran but gave DIFFERENT outputs with arenas of %s bytes" % (model_path.stem, mismatches))
    return hi


def check_model(spec: models.ModelSpec, model: TfliteModel, size: int) -> None:
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise GenerationError(
            "%s: needs exactly 1 input and 1 output, has %d and %d" % (spec.name, len(model.inputs), len(model.outputs))
        )
    missing = set(spec.must_have) - set(model.op_names())
    if missing:
        raise GenerationError("%s: converter did not produce %s (got %s)" % (spec.name, sorted(missing), model.op_names()))
    if size > MAX_MODEL_BYTES:
        raise GenerationError("%s: %d bytes is over the %d-byte limit" % (spec.name, size, MAX_MODEL_BYTES))


def check_coverage(entries: list[tuple[TfliteModel, dict]]) -> None:
    ops = set()
    variants = set()
    for model, _ in entries:
        ops |= set(model.op_names())
        variants |= model.variants()
    missing_ops = REQUIRED_OPS - ops
    missing_variants = REQUIRED_VARIANTS - variants
    if missing_ops or missing_variants:
        raise GenerationError("coverage: missing ops %s, missing variants %s" % (sorted(missing_ops), sorted(missing_variants)))
    print("coverage: all %d required ops and %d variants present" % (len(REQUIRED_OPS), len(REQUIRED_VARIANTS)))
    print("variants found: " + "; ".join(sorted(variants)))


def generate(spec: models.ModelSpec, out: pathlib.Path) -> tuple[TfliteModel, dict, pathlib.Path, pathlib.Path, pathlib.Path]:
    data = convert(spec)
    model = TfliteModel(data)
    check_model(spec, model, len(data))
    inputs = make_inputs(spec, model)
    input_bytes = pack(inputs)
    output_bytes = tflm_runner.run_tflm(data, REFERENCE_ARENA, input_bytes)
    paths = (out / (spec.name + ".tflite"), out / (spec.name + ".input.bin"), out / (spec.name + ".output.bin"))
    for path, content in zip(paths, (data, input_bytes, output_bytes)):
        path.write_bytes(content)
    out_info = model.tensor(model.outputs[0])
    in_info = model.tensor(model.inputs[0])
    entry = {
        "name": spec.name,
        "description": spec.description,
        "ops": model.op_names(),
        "inputType": in_info.type,
        "inputShape": list(in_info.shape),
        "outputType": out_info.type,
        "outputShape": list(out_info.shape),
        "invocations": int(inputs.shape[0]),
        "macs": model.macs(),
        "tflmArenaBytes": None,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    print("%-32s %6d B  %-60s macs=%d" % (spec.name, len(data), ",".join(entry["ops"]), entry["macs"]), flush=True)
    return model, entry, *paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="generate only these models (no coverage check)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel arena bisections (default: %(default)s)")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="regenerate into a temporary folder and compare byte for byte with --out (exit 1 on any difference)",
    )
    args = parser.parse_args(argv)
    if args.verify:
        return verify(args)

    specs = models.SPECS
    if args.only:
        unknown = set(args.only) - {s.name for s in specs}
        if unknown:
            parser.error("unknown model(s): %s" % ", ".join(sorted(unknown)))
        specs = [s for s in specs if s.name in args.only]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise GenerationError("duplicate model names")

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    try:
        results = [generate(spec, out) for spec in specs]
        if not args.only:
            check_coverage([(model, entry) for model, entry, *_ in results])

        log: list[str] = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            arenas = list(pool.map(lambda r: smallest_arena(r[2], r[3], r[4], log), results))
        for (_, entry, *_), arena in zip(results, arenas):
            entry["tflmArenaBytes"] = arena
            print("%-32s arena %6d B" % (entry["name"], arena))
        for line in sorted(log):
            print("note: " + line)
    except GenerationError as error:
        print("error: %s" % error, file=sys.stderr)
        return 1

    if not args.only:
        # Drop files of models no longer in the set, so the folder matches the manifest.
        keep = {p.name for _, _, *paths in results for p in paths}
        for stale in sorted(out.iterdir()):
            if stale.name.endswith((".tflite", ".input.bin", ".output.bin")) and stale.name not in keep:
                stale.unlink()
    manifest = {
        "generator": GENERATOR,
        "tensorflow": tf.__version__,
        "tflite_micro": tflite_micro.__version__,
        "models": [entry for _, entry, *_ in results],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print("wrote %d models to %s (%d bytes in the folder)" % (len(results), out, total))
    return 0


def verify(args) -> int:
    """Regenerates into a temporary folder and compares every file with the committed set."""
    with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
        forwarded = ["--out", tmp, "--jobs", str(args.jobs)] + (["--only", *args.only] if args.only else [])
        code = main(forwarded)
        if code != 0:
            return code
        fresh = {p.name: p.read_bytes() for p in pathlib.Path(tmp).iterdir()}
    committed = {p.name: p.read_bytes() for p in args.out.iterdir() if p.is_file()}
    names = sorted(set(fresh) | set(committed)) if not args.only else sorted(n for n in fresh if n != "manifest.json")
    differing = [n for n in names if fresh.get(n) != committed.get(n)]
    for name in differing:
        print("verify: %s differs (%s)" % (name, "missing" if name not in committed else "extra" if name not in fresh else "content"))
    print("verify: %d files compared, %d differ" % (len(names), len(differing)))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
