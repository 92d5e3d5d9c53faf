"""Runs a model in TFLM's Python interpreter; also the child process of the arena bisection.

Imports only the tflite-micro wheel (no TensorFlow), so a child starts in about 0.2 s.

As a program: `tflm_runner.py MODEL ARENA_BYTES INPUT_BIN EXPECTED_OUTPUT_BIN` runs every
invocation stored in INPUT_BIN with an arena of exactly ARENA_BYTES and exits with
0 when the outputs equal EXPECTED_OUTPUT_BIN byte for byte, 3 when they differ, 4 when TFLM
refused (allocation or invoke error). A crash (TFLM segfaults on some too-small arenas) shows as a
negative return code in the parent.
"""

from __future__ import annotations

import sys

import numpy as np
from tflite_micro.python.tflite_micro import runtime

EXIT_MATCH = 0
EXIT_MISMATCH = 3
EXIT_REFUSED = 4


def run_tflm(model: bytes, arena_bytes: int, inputs: bytes) -> bytes:
    """Runs all invocations packed in `inputs`; returns the packed outputs exactly as TFLM produced them."""
    interpreter = runtime.Interpreter.from_bytes(model, arena_size=arena_bytes)
    in_details = interpreter.get_input_details(0)
    in_dtype = np.dtype(in_details["dtype"]).newbyteorder("<")
    in_shape = tuple(int(d) for d in in_details["shape"])
    per_invoke = int(np.prod(in_shape)) * in_dtype.itemsize
    if per_invoke == 0 or len(inputs) % per_invoke != 0:
        raise ValueError("input bytes (%d) are not a multiple of one input tensor (%d)" % (len(inputs), per_invoke))
    outputs = []
    for k in range(len(inputs) // per_invoke):
        chunk = np.frombuffer(inputs, dtype=in_dtype, count=per_invoke // in_dtype.itemsize, offset=k * per_invoke)
        interpreter.set_input(chunk.reshape(in_shape).astype(in_details["dtype"]), 0)
        interpreter.invoke()
        out = interpreter.get_output(0)
        outputs.append(np.ascontiguousarray(out, dtype=np.dtype(out.dtype).newbyteorder("<")).tobytes())
    return b"".join(outputs)


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    model_path, arena, input_path, expected_path = argv[1], int(argv[2]), argv[3], argv[4]
    with open(model_path, "rb") as f:
        model = f.read()
    with open(input_path, "rb") as f:
        inputs = f.read()
    with open(expected_path, "rb") as f:
        expected = f.read()
    try:
        produced = run_tflm(model, arena, inputs)
    except (RuntimeError, ValueError) as error:
        print("refused: %s" % error, file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_MATCH if produced == expected else EXIT_MISMATCH


if __name__ == "__main__":
    sys.exit(main(sys.argv))
