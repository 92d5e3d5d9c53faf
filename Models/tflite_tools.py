"""TFLite helpers: the op list of a model, TFLM runs, and TFLM's minimum arena."""

from __future__ import annotations

import multiprocessing as mp

import numpy as np

#: The ops Vigil's runtime implements (issue 2).
SUPPORTED_OPS = {
    "ADD", "SUB", "MUL", "AVERAGE_POOL_2D", "MAX_POOL_2D", "CONCATENATION", "CONV_2D",
    "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "QUANTIZE", "DEQUANTIZE", "LOGISTIC", "TANH",
    "SOFTMAX", "RELU", "RELU6", "LEAKY_RELU", "MEAN", "REDUCE_MAX", "PAD", "RESHAPE", "SQUEEZE",
    "EXPAND_DIMS", "STRIDED_SLICE", "TRANSPOSE",
}


def model_ops(tflite: bytes) -> list[str]:
    """Builtin op names used by the model, in first-use order."""
    from tensorflow.lite.python import schema_py_generated as schema
    m = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(tflite, 0))
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    out = []
    for sg in m.subgraphs:
        for op in sg.operators:
            oc = m.operatorCodes[op.opcodeIndex]
            name = names[max(oc.builtinCode, oc.deprecatedBuiltinCode)]
            if name not in out:
                out.append(name)
    return out


def tflm_run(tflite: bytes, inputs: np.ndarray, arena_size: int = 16384) -> np.ndarray:
    """Runs TFLM once per input row; returns the int8 output tensors, one row per invocation."""
    from tflite_micro.python.tflite_micro import runtime
    interp = runtime.Interpreter.from_bytes(tflite, arena_size=arena_size)
    outs = []
    for row in inputs:
        interp.set_input(row.reshape(interp.get_input_details(0)["shape"]), 0)
        interp.invoke()
        outs.append(interp.get_output(0).reshape(-1).copy())
    return np.array(outs)


def _try_arena(tflite: bytes, size: int, q) -> None:
    try:
        from tflite_micro.python.tflite_micro import runtime
        interp = runtime.Interpreter.from_bytes(tflite, arena_size=size)
        shape = interp.get_input_details(0)["shape"]
        interp.set_input(np.zeros(shape, dtype=np.int8), 0)
        interp.invoke()
        q.put(True)
    except Exception:
        q.put(False)


def _fits(tflite: bytes, size: int) -> bool:
    # A too-small arena can crash TFLM outright, so each size is tried in a child process.
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_try_arena, args=(tflite, size, q))
    p.start()
    p.join(60)
    ok = p.exitcode == 0 and not q.empty() and q.get()
    return bool(ok)


def min_tflm_arena(tflite: bytes, lo: int = 64, hi: int = 65536) -> int:
    """Smallest arena (bytes, to 16-byte granularity) in which TFLM allocates and invokes the model."""
    if not _fits(tflite, hi):
        raise RuntimeError(f"model does not run in a {hi}-byte TFLM arena")
    while hi - lo > 16:
        mid = (lo + hi) // 2
        if _fits(tflite, mid):
            hi = mid
        else:
            lo = mid
    return hi
