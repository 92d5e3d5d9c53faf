#!/usr/bin/env python3
"""Times TensorFlow Lite Micro and LiteRT (one thread, default XNNPACK delegate) per invoke on
the conformance models; prints JSON {model: {"tflmNs": median, "litertNs": median,
"litertReferenceNs": median, "pythonCallNs": overhead}}.

Both interpreters are driven from Python, so each figure includes one Python-to-C++ call; the
overhead of such a call (a bound no-op method of the same interpreter) is measured and reported
beside them rather than subtracted.
"""
import json
import os
import pathlib
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
from ai_edge_litert.interpreter import Interpreter as LiteRT
from ai_edge_litert.interpreter import OpResolverType
from tflite_micro.python.tflite_micro import runtime as tflm


def time_invokes(invoke, budget_s=1.0, batch=None):
    """Median per-invoke nanoseconds over batches of calls lasting at least ~50 µs each."""
    invoke()
    if batch is None:
        start = time.perf_counter_ns()
        n = 0
        while time.perf_counter_ns() - start < 50_000:
            invoke()
            n += 1
        batch = max(1, n)
    samples = []
    deadline = time.perf_counter() + budget_s
    while time.perf_counter() < deadline or len(samples) < 20:
        start = time.perf_counter_ns()
        for _ in range(batch):
            invoke()
        samples.append((time.perf_counter_ns() - start) / batch)
    return statistics.median(samples)


def main():
    directory = pathlib.Path(sys.argv[1])
    names = sys.argv[2:] or None
    manifest = json.loads((directory / "manifest.json").read_text())
    results = {}
    rng = np.random.default_rng(7)
    for entry in manifest["models"]:
        name = entry["name"]
        if names and name not in names:
            continue
        flatbuffer = (directory / f"{name}.tflite").read_bytes()
        dtype = np.float32 if entry["inputType"] == "float32" else np.int8
        if dtype == np.int8:
            x = rng.integers(-128, 128, size=entry["inputShape"], dtype=np.int8)
        else:
            x = rng.uniform(-2, 2, size=entry["inputShape"]).astype(np.float32)

        micro = tflm.Interpreter.from_bytes(flatbuffer, arena_size=max(entry["tflmArenaBytes"] * 2, 16384))
        micro.set_input(x, 0)
        tflm_ns = time_invokes(micro.invoke)

        litert = LiteRT(model_content=flatbuffer, num_threads=1)
        litert.allocate_tensors()
        litert.set_tensor(litert.get_input_details()[0]["index"], x)
        litert_ns = time_invokes(litert.invoke)

        reference = LiteRT(model_content=flatbuffer, num_threads=1,
                           experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
        reference.allocate_tensors()
        reference.set_tensor(reference.get_input_details()[0]["index"], x)
        reference_ns = time_invokes(reference.invoke, budget_s=0.5)

        wrapper = litert._interpreter
        call_ns = time_invokes(lambda: wrapper.NumTensors(0), budget_s=0.2)
        results[name] = {"tflmNs": tflm_ns, "litertNs": litert_ns, "litertReferenceNs": reference_ns,
                         "pythonCallNs": call_ns}
        print(f"{name}: TFLM {tflm_ns:.0f} ns, LiteRT {litert_ns:.0f} ns", file=sys.stderr)
    print(json.dumps(results, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
