"""A stand-in for `vigil model run` with the same file contract, running TFLM instead.

    python tflm_runner.py MODEL --input IN --output OUT [--arena BYTES]

IN holds the raw bytes of input tensor 0 for one or more invocations back to back; OUT receives
the raw bytes of output tensor 0 of each invocation, in order.
"""

import argparse
import sys
from pathlib import Path

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--arena", type=int, default=16384)
    a = ap.parse_args()
    from tflite_micro.python.tflite_micro import runtime
    interp = runtime.Interpreter.from_bytes(Path(a.model).read_bytes(), arena_size=a.arena)
    ind, outd = interp.get_input_details(0), interp.get_output_details(0)
    if ind["dtype"] != np.int8:
        sys.exit(f"{a.model}: input tensor 0 is {ind['dtype']}, this runner feeds int8")
    per = int(np.prod(ind["shape"]))
    raw = np.fromfile(a.input, dtype=np.int8)
    if raw.size % per:
        sys.exit(f"{a.input}: {raw.size} bytes is not a whole number of {per}-byte inputs")
    with open(a.output, "wb") as f:
        for row in raw.reshape(-1, *ind["shape"]):
            interp.set_input(row, 0)
            interp.invoke()
            f.write(interp.get_output(0).astype(outd["dtype"]).tobytes())


if __name__ == "__main__":
    main()
