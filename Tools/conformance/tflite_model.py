"""Reads facts out of a .tflite flatbuffer: operators, their variants, MACs, I/O tensors.

Uses the schema module shipped with the tflite-micro wheel, so it needs neither TensorFlow nor
LiteRT. Also holds the one in-place edit the generator makes (concrete tensor shapes).
"""

from __future__ import annotations

import dataclasses

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

OP_NAMES = {
    value: name
    for name, value in vars(schema.BuiltinOperator).items()
    if not name.startswith("_") and isinstance(value, int)
}
TENSOR_TYPE_NAMES = {
    value: name.lower()
    for name, value in vars(schema.TensorType).items()
    if not name.startswith("_") and isinstance(value, int)
}
ACTIVATION_NAMES = {
    value: name
    for name, value in vars(schema.ActivationFunctionType).items()
    if not name.startswith("_") and isinstance(value, int)
}
PADDING_NAMES = {
    value: name
    for name, value in vars(schema.Padding).items()
    if not name.startswith("_") and isinstance(value, int)
}


@dataclasses.dataclass(frozen=True)
class TensorInfo:
    """Static facts of one tensor."""

    name: str
    type: str
    shape: tuple[int, ...]
    scales: tuple[float, ...]
    zero_points: tuple[int, ...]
    quantized_dimension: int


@dataclasses.dataclass(frozen=True)
class OpInfo:
    """One operator with its resolved builtin name, tensors and options."""

    name: str
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    options: object


class TfliteModel:
    """A parsed .tflite model (first subgraph only, which is all the conformance set uses)."""

    def __init__(self, data: bytes):
        if data[4:8] != b"TFL3":
            raise ValueError("not a TFLite flatbuffer: identifier is %r, expected b'TFL3'" % data[4:8])
        self.data = bytes(data)
        self.model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(self.data, 0))
        if len(self.model.subgraphs) != 1:
            raise ValueError("expected 1 subgraph, found %d" % len(self.model.subgraphs))
        self.subgraph = self.model.subgraphs[0]

    def tensor(self, index: int) -> TensorInfo:
        t = self.subgraph.tensors[index]
        q = t.quantization
        scales = tuple(float(s) for s in (q.scale if q is not None and q.scale is not None else []))
        zps = tuple(int(z) for z in (q.zeroPoint if q is not None and q.zeroPoint is not None else []))
        return TensorInfo(
            name=t.name.decode() if isinstance(t.name, bytes) else str(t.name),
            type=TENSOR_TYPE_NAMES[t.type],
            shape=tuple(int(d) for d in (t.shape if t.shape is not None else [])),
            scales=scales,
            zero_points=zps,
            quantized_dimension=int(q.quantizedDimension) if q is not None else 0,
        )

    def ops(self) -> list[OpInfo]:
        result = []
        for op in self.subgraph.operators:
            code = self.model.operatorCodes[op.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            result.append(
                OpInfo(
                    name=OP_NAMES[builtin],
                    inputs=tuple(int(i) for i in op.inputs),
                    outputs=tuple(int(i) for i in op.outputs),
                    options=op.builtinOptions,
                )
            )
        return result

    def op_names(self) -> list[str]:
        return sorted({op.name for op in self.ops()})

    @property
    def inputs(self) -> list[int]:
        return [int(i) for i in self.subgraph.inputs]

    @property
    def outputs(self) -> list[int]:
        return [int(i) for i in self.subgraph.outputs]

    def macs(self) -> int:
        """Multiply-accumulates per invoke (see README for the formula)."""
        total = 0
        for op in self.ops():
            out_elements = int(np.prod(self.tensor(op.outputs[0]).shape))
            if op.name == "CONV_2D":
                _, kh, kw, cin = self.tensor(op.inputs[1]).shape
                total += out_elements * kh * kw * cin
            elif op.name == "DEPTHWISE_CONV_2D":
                _, kh, kw, _ = self.tensor(op.inputs[1]).shape
                total += out_elements * kh * kw
            elif op.name == "FULLY_CONNECTED":
                total += out_elements * self.tensor(op.inputs[1]).shape[-1]
        return total

    def variants(self) -> set[str]:
        """Labels for the op variants the conformance set promises to cover."""
        found: set[str] = set()
        for op in self.ops():
            o = op.options
            if op.name == "CONV_2D":
                found.add("CONV_2D padding=%s" % PADDING_NAMES[o.padding])
                found.add("CONV_2D activation=%s" % ACTIVATION_NAMES[o.fusedActivationFunction])
                if o.strideH > 1 or o.strideW > 1:
                    found.add("CONV_2D stride>1")
                if o.dilationHFactor > 1 or o.dilationWFactor > 1:
                    found.add("CONV_2D dilation>1")
                filt = self.tensor(op.inputs[1])
                found.add("CONV_2D weights=%s" % ("per-channel" if len(filt.scales) > 1 else "per-tensor"))
            elif op.name == "DEPTHWISE_CONV_2D":
                if o.depthMultiplier > 1:
                    found.add("DEPTHWISE_CONV_2D depth_multiplier>1")
                if o.strideH > 1 or o.strideW > 1:
                    found.add("DEPTHWISE_CONV_2D stride>1")
                if o.dilationHFactor > 1 or o.dilationWFactor > 1:
                    found.add("DEPTHWISE_CONV_2D dilation>1")
            elif op.name == "FULLY_CONNECTED":
                weights = self.tensor(op.inputs[1])
                found.add(
                    "FULLY_CONNECTED weights=%s" % ("per-channel" if len(weights.scales) > 1 else "per-tensor")
                )
                if o.keepNumDims:
                    found.add("FULLY_CONNECTED keep_num_dims=true")
            elif op.name == "QUANTIZE":
                source = self.tensor(op.inputs[0]).type
                found.add("QUANTIZE %s->%s" % (source, self.tensor(op.outputs[0]).type))
            elif op.name == "DEQUANTIZE":
                found.add("DEQUANTIZE %s->%s" % (self.tensor(op.inputs[0]).type, self.tensor(op.outputs[0]).type))
        return found


def patch_tensor_shapes(data: bytes, shapes: dict[int, tuple[int, ...]]) -> bytes:
    """Overwrites the `shape` vector of the given tensors in place (same rank only).

    The converter writes dynamic dimensions as 1 in `shape` (keeping -1 in `shape_signature`).
    TFLM runs on `shape` alone, so a model converted with dynamic dimensions gets its static shapes
    written in here. No other byte changes.
    """
    buf = bytearray(data)
    root = schema.Model.GetRootAsModel(buf, 0)
    subgraph = root.Subgraphs(0)
    for index, new_shape in shapes.items():
        tensor = subgraph.Tensors(index)
        if tensor.ShapeLength() != len(new_shape):
            raise ValueError("tensor %d has rank %d, cannot write shape %s" % (index, tensor.ShapeLength(), new_shape))
        field = tensor._tab.Offset(4)  # Tensor.shape is field 0, vtable slot 4
        start = tensor._tab.Vector(field)
        for j, dim in enumerate(new_shape):
            flatbuffers.encode.Write(flatbuffers.packer.int32, buf, start + 4 * j, int(dim))
    return bytes(buf)
