"""The conformance model set: small focused models (one or a few ops each) and a few mixed ones.

Each spec builds a float model from a seeded generator; `generate.py` converts it to a fully int8
.tflite. Weights and biases are drawn here from numpy (never Keras' initializers, whose zero
biases would hide bias bugs), so the set depends only on the seeds and the converter.
"""

from __future__ import annotations

import dataclasses
import zlib
from typing import Callable

import keras
import numpy as np
import tensorflow as tf

L = keras.layers


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One conformance model."""

    name: str
    description: str
    input_shape: tuple[int, ...]
    build: Callable[[np.random.Generator, float], Callable]
    """Called with (generator, weight_gain); returns a keras.Model or a function of tf ops from float32 input to float32 output."""
    input_range: tuple[float, float] = (-1.0, 1.0)
    """Range of the representative data set (and so of the input quantization)."""
    signature_shape: tuple[int | None, ...] | None = None
    """Shape used for tracing when some dimensions must be dynamic (None) to keep an op."""
    sample: str = "uniform"
    """How representative samples are drawn: "uniform" in input_range, or "vitals" (smooth series)."""
    float_io: bool = False
    converter_options: tuple[tuple[str, object], ...] = ()
    must_have: tuple[str, ...] = ()
    """Ops this model exists for; generation fails if the converter drops one."""
    weight_gain: float = 1.5
    """Kernels are drawn from N(0, (weight_gain / sqrt(fan_in))^2)."""

    @property
    def seed(self) -> int:
        return zlib.crc32(self.name.encode())


def _keras(input_shape, body):
    inp = keras.Input(shape=input_shape[1:], batch_size=input_shape[0])
    return keras.Model(inp, body(inp))


def _init_weights(model: keras.Model, rng: np.random.Generator, gain: float) -> keras.Model:
    """Draws every weight from `rng`: kernels ~ N(0, gain^2/fan_in), biases ~ U(-0.3, 0.3)."""
    for layer in model.layers:
        values = []
        for weight in layer.weights:
            shape = tuple(weight.shape)
            if len(shape) == 1:
                values.append(rng.uniform(-0.3, 0.3, shape))
            else:
                if isinstance(layer, L.DepthwiseConv2D) or isinstance(layer, L.DepthwiseConv1D):
                    fan_in = int(np.prod(shape[:-2]))
                else:
                    fan_in = int(np.prod(shape[:-1]))
                values.append(rng.standard_normal(shape) * (gain / np.sqrt(fan_in)))
        if values:
            layer.set_weights([v.astype(np.float32) for v in values])
    return model


def keras_model(input_shape, body):
    """Builder for a Keras functional model whose weights come from the spec's generator."""

    def build(rng, gain):
        return _init_weights(_keras(input_shape, body), rng, gain)

    return build


def tf_function(fn_of_rng):
    """Builder for a plain tf-ops function; `fn_of_rng(rng)` draws its constants and returns it."""
    return lambda rng, gain: fn_of_rng(rng)


def _const(rng, shape, lo=-1.0, hi=1.0):
    return tf.constant(rng.uniform(lo, hi, shape).astype(np.float32))


def _opt(**kwargs):
    return tuple(sorted(kwargs.items()))


SPECS: list[ModelSpec] = [
    # ----- element-wise binary ops (two activations of one input, or a constant) -----
    ModelSpec(
        "add_two_branches",
        "ADD of the input and a 1x1 CONV_2D of it (different scales), odd 5x7x3",
        (1, 5, 7, 3),
        keras_model((1, 5, 7, 3), lambda x: L.Add()([x, L.Conv2D(3, 1)(x)])),
        must_have=("ADD", "CONV_2D"),
    ),
    ModelSpec(
        "add_broadcast_const_relu",
        "ADD of the input and a per-channel constant [3] (broadcast) with fused RELU",
        (1, 4, 6, 3),
        tf_function(lambda rng: (lambda c: lambda x: tf.nn.relu(x + c))(_const(rng, (3,)))),
        must_have=("ADD",),
    ),
    ModelSpec(
        "sub_broadcast_center",
        "SUB of the per-channel spatial MEAN (keep_dims, [1,1,1,4] broadcast) from the input",
        (1, 3, 5, 4),
        tf_function(lambda rng: lambda x: x - tf.reduce_mean(x, [1, 2], keepdims=True)),
        must_have=("SUB", "MEAN"),
    ),
    ModelSpec(
        "sub_const_lhs",
        "SUB with a constant [9] as the first operand: c - x, 1x2x9",
        (1, 2, 9),
        tf_function(lambda rng: (lambda c: lambda x: c - x)(_const(rng, (9,), -2.0, 2.0))),
        must_have=("SUB",),
    ),
    ModelSpec(
        "mul_swish",
        "MUL of the input and its LOGISTIC (swish), input range [-4, 4]",
        (1, 6, 5),
        tf_function(lambda rng: lambda x: x * tf.sigmoid(x)),
        input_range=(-4.0, 4.0),
        must_have=("MUL", "LOGISTIC"),
    ),
    ModelSpec(
        "mul_broadcast_gate",
        "MUL of the input and its spatial MEAN per channel ([1,1,1,3] broadcast)",
        (1, 4, 5, 3),
        tf_function(lambda rng: lambda x: x * tf.reduce_mean(x, [1, 2], keepdims=True)),
        input_range=(-2.0, 3.0),
        must_have=("MUL", "MEAN"),
    ),
    # ----- pooling -----
    ModelSpec(
        "avg_pool_same_s2",
        "AVERAGE_POOL_2D 3x3, stride 2, SAME padding on odd 7x5x2",
        (1, 7, 5, 2),
        keras_model((1, 7, 5, 2), lambda x: L.AveragePooling2D(3, strides=2, padding="same")(x)),
        must_have=("AVERAGE_POOL_2D",),
    ),
    ModelSpec(
        "avg_pool_valid",
        "AVERAGE_POOL_2D 2x3, strides (1,2), VALID padding on 6x9x3",
        (1, 6, 9, 3),
        keras_model((1, 6, 9, 3), lambda x: L.AveragePooling2D((2, 3), strides=(1, 2), padding="valid")(x)),
        must_have=("AVERAGE_POOL_2D",),
    ),
    ModelSpec(
        "max_pool_same_s2",
        "MAX_POOL_2D 3x3, stride 2, SAME padding on odd 7x5x2",
        (1, 7, 5, 2),
        keras_model((1, 7, 5, 2), lambda x: L.MaxPooling2D(3, strides=2, padding="same")(x)),
        must_have=("MAX_POOL_2D",),
    ),
    ModelSpec(
        "max_pool_valid_1xk",
        "MAX_POOL_2D 1x3, stride (1,2), VALID padding on a 1-high 1x9x4 input",
        (1, 1, 9, 4),
        keras_model((1, 1, 9, 4), lambda x: L.MaxPooling2D((1, 3), strides=(1, 2), padding="valid")(x)),
        must_have=("MAX_POOL_2D",),
    ),
    # ----- concatenation -----
    ModelSpec(
        "concat_requantize",
        "CONCATENATION of LOGISTIC and TANH outputs (fixed, different scales): the converter adds "
        "int8->int8 QUANTIZE (requantize) ops",
        (1, 4, 3),
        tf_function(lambda rng: lambda x: tf.concat([tf.sigmoid(x), tf.tanh(x)], -1)),
        input_range=(-3.0, 3.0),
        must_have=("CONCATENATION", "QUANTIZE", "LOGISTIC", "TANH"),
    ),
    ModelSpec(
        "concat_axis1",
        "CONCATENATION on axis 1 (not the innermost) of the input and its RELU",
        (1, 3, 4, 2),
        tf_function(lambda rng: lambda x: tf.concat([x, tf.nn.relu(x)], 1)),
        must_have=("CONCATENATION", "RELU"),
    ),
    # ----- CONV_2D -----
    ModelSpec(
        "conv2d_valid_relu",
        "CONV_2D 3x3, 3->5 channels, VALID, fused RELU, per-channel weights, odd 8x7x3",
        (1, 8, 7, 3),
        keras_model((1, 8, 7, 3), lambda x: L.Conv2D(5, 3, padding="valid", activation="relu")(x)),
        must_have=("CONV_2D",),
    ),
    ModelSpec(
        "conv2d_same_s2_relu6",
        "CONV_2D 3x3, stride 2, SAME, fused RELU6, 2->4 channels on odd 9x7x2",
        (1, 9, 7, 2),
        keras_model((1, 9, 7, 2), lambda x: L.Conv2D(4, 3, strides=2, padding="same", activation="relu6")(x)),
        must_have=("CONV_2D",),
    ),
    ModelSpec(
        "conv2d_dilated_same",
        "CONV_2D 3x3, dilation 2, SAME, no activation, 3->6 channels on 10x9x3",
        (1, 10, 9, 3),
        keras_model((1, 10, 9, 3), lambda x: L.Conv2D(6, 3, dilation_rate=2, padding="same")(x)),
        must_have=("CONV_2D",),
    ),
    ModelSpec(
        "conv2d_1xk_nobias",
        "CONV_2D 1x3 VALID without a Keras bias (the converter adds a zero bias) on a 1-high 1x9x2",
        (1, 1, 9, 2),
        keras_model((1, 1, 9, 2), lambda x: L.Conv2D(3, (1, 3), use_bias=False)(x)),
        must_have=("CONV_2D",),
    ),
    ModelSpec(
        "conv2d_per_tensor",
        "CONV_2D 2x2, strides (2,1), VALID, per-tensor weights (converter flag "
        "_experimental_disable_per_channel)",
        (1, 6, 6, 2),
        keras_model((1, 6, 6, 2), lambda x: L.Conv2D(4, 2, strides=(2, 1), padding="valid")(x)),
        converter_options=_opt(_experimental_disable_per_channel=True),
        must_have=("CONV_2D",),
    ),
    ModelSpec(
        "conv2d_kernel_covers_input",
        "CONV_2D 3x3 VALID on a 3x3x4 input: 1x1x7 output, every tap inside the input",
        (1, 3, 3, 4),
        keras_model((1, 3, 3, 4), lambda x: L.Conv2D(7, 3, padding="valid")(x)),
        must_have=("CONV_2D",),
    ),
    # ----- DEPTHWISE_CONV_2D -----
    ModelSpec(
        "depthwise_dm2_s2_same",
        "DEPTHWISE_CONV_2D 3x3, depth multiplier 2, stride 2, SAME on odd 7x9x3",
        (1, 7, 9, 3),
        keras_model(
            (1, 7, 9, 3), lambda x: L.DepthwiseConv2D(3, strides=2, depth_multiplier=2, padding="same")(x)
        ),
        must_have=("DEPTHWISE_CONV_2D",),
    ),
    ModelSpec(
        "depthwise_dilated_relu6",
        "DEPTHWISE_CONV_2D 3x3, dilation 2, VALID, fused RELU6 on 9x8x4",
        (1, 9, 8, 4),
        keras_model(
            (1, 9, 8, 4), lambda x: L.DepthwiseConv2D(3, dilation_rate=2, padding="valid", activation="relu6")(x)
        ),
        must_have=("DEPTHWISE_CONV_2D",),
    ),
    # ----- FULLY_CONNECTED -----
    ModelSpec(
        "fc_per_channel_relu",
        "FULLY_CONNECTED 20->8, per-channel weights, fused RELU",
        (1, 20),
        keras_model((1, 20), lambda x: L.Dense(8, activation="relu")(x)),
        must_have=("FULLY_CONNECTED",),
    ),
    ModelSpec(
        "fc_per_tensor",
        "FULLY_CONNECTED 13->5, per-tensor weights (converter flag "
        "_experimental_disable_per_channel_quantization_for_dense_layers)",
        (1, 13),
        keras_model((1, 13), lambda x: L.Dense(5)(x)),
        converter_options=_opt(_experimental_disable_per_channel_quantization_for_dense_layers=True),
        must_have=("FULLY_CONNECTED",),
    ),
    ModelSpec(
        "fc_keep_num_dims_3d",
        "FULLY_CONNECTED 6->5 on a 3-D input [1,4,6] with keep_num_dims=true (Dense on a sequence)",
        (1, 4, 6),
        keras_model((1, 4, 6), lambda x: L.Dense(5)(x)),
        must_have=("FULLY_CONNECTED",),
    ),
    # ----- float I/O: QUANTIZE and DEQUANTIZE -----
    ModelSpec(
        "float_io_dense",
        "float32 input/output: QUANTIZE, FULLY_CONNECTED 10->6, TANH, FULLY_CONNECTED 6->3, DEQUANTIZE",
        (1, 10),
        keras_model((1, 10), lambda x: L.Dense(3)(L.Dense(6, activation="tanh")(x))),
        input_range=(-2.0, 2.0),
        float_io=True,
        must_have=("QUANTIZE", "DEQUANTIZE", "FULLY_CONNECTED", "TANH"),
    ),
    # ----- activations -----
    ModelSpec(
        "logistic",
        "LOGISTIC on 1x2x17, input range [-8, 8] (output fixed at scale 1/256, zero point -128)",
        (1, 2, 17),
        tf_function(lambda rng: lambda x: tf.sigmoid(x)),
        input_range=(-8.0, 8.0),
        must_have=("LOGISTIC",),
    ),
    ModelSpec(
        "tanh",
        "TANH on 1x33, input range [-4, 4] (output fixed at scale 1/128, zero point 0)",
        (1, 33),
        tf_function(lambda rng: lambda x: tf.tanh(x)),
        input_range=(-4.0, 4.0),
        must_have=("TANH",),
    ),
    ModelSpec(
        "softmax_rows",
        "SOFTMAX over the last axis of 1x3x10 (three rows), input range [-5, 5]",
        (1, 3, 10),
        tf_function(lambda rng: lambda x: tf.nn.softmax(x, -1)),
        input_range=(-5.0, 5.0),
        must_have=("SOFTMAX",),
    ),
    ModelSpec(
        "relu",
        "RELU on 1x5x5x1 (1-wide channel)",
        (1, 5, 5, 1),
        tf_function(lambda rng: lambda x: tf.nn.relu(x)),
        input_range=(-1.0, 2.0),
        must_have=("RELU",),
    ),
    ModelSpec(
        "relu6",
        "RELU6 on 1x7, input range [-3, 9] so both clamps bite. The converter gives the output its own "
        "scale; TFLM's RELU6 ignores it and clamps in the input's quantization (LiteRT does not)",
        (1, 7),
        tf_function(lambda rng: lambda x: tf.nn.relu6(x)),
        input_range=(-3.0, 9.0),
        must_have=("RELU6",),
    ),
    ModelSpec(
        "leaky_relu",
        "LEAKY_RELU alpha 0.2 on 1x4x9, input range [-4, 4]",
        (1, 4, 9),
        tf_function(lambda rng: lambda x: tf.nn.leaky_relu(x, 0.2)),
        input_range=(-4.0, 4.0),
        must_have=("LEAKY_RELU",),
    ),
    # ----- reductions -----
    ModelSpec(
        "mean_axis1_keepdims",
        "MEAN over axis 1 with keep_dims of 1x6x5x3",
        (1, 6, 5, 3),
        tf_function(lambda rng: lambda x: tf.reduce_mean(x, [1], keepdims=True)),
        must_have=("MEAN",),
    ),
    ModelSpec(
        "reduce_max_axis1",
        "REDUCE_MAX over axis 1 of 1x7x3 (GlobalMaxPooling1D)",
        (1, 7, 3),
        keras_model((1, 7, 3), lambda x: L.GlobalMaxPooling1D()(x)),
        must_have=("REDUCE_MAX",),
    ),
    # ----- shape ops -----
    ModelSpec(
        "pad_asymmetric",
        "PAD of 1x3x5x2 by [[0,0],[1,2],[0,3],[0,0]] (pads with the zero point)",
        (1, 3, 5, 2),
        tf_function(lambda rng: lambda x: tf.pad(x, [[0, 0], [1, 2], [0, 3], [0, 0]])),
        must_have=("PAD",),
    ),
    ModelSpec(
        "reshape",
        "RESHAPE 1x4x6 -> 1x8x3",
        (1, 4, 6),
        tf_function(lambda rng: lambda x: tf.reshape(x, [1, 8, 3])),
        must_have=("RESHAPE",),
    ),
    ModelSpec(
        "squeeze",
        "SQUEEZE axis 2 of 1x5x1x3 (traced with two dynamic dimensions so the converter keeps SQUEEZE "
        "instead of RESHAPE; static shapes written back afterwards)",
        (1, 5, 1, 3),
        tf_function(lambda rng: lambda x: tf.squeeze(x, [2])),
        signature_shape=(None, None, 1, 3),
        must_have=("SQUEEZE",),
    ),
    ModelSpec(
        "expand_dims",
        "EXPAND_DIMS axis 2 of 1x5x3 -> 1x5x1x3 (traced with a dynamic batch so the converter keeps "
        "EXPAND_DIMS instead of RESHAPE)",
        (1, 5, 3),
        tf_function(lambda rng: lambda x: tf.expand_dims(x, 2)),
        signature_shape=(None, 5, 3),
        must_have=("EXPAND_DIMS",),
    ),
    ModelSpec(
        "strided_slice_negative_stride",
        "STRIDED_SLICE x[:, ::-2, 1:3] of 1x9x4 (negative stride, begin/end masks)",
        (1, 9, 4),
        tf_function(lambda rng: lambda x: x[:, ::-2, 1:3]),
        must_have=("STRIDED_SLICE",),
    ),
    ModelSpec(
        "strided_slice_shrink_4d",
        "STRIDED_SLICE x[:, 1, 1::2, :3:2] of 1x3x7x5 (shrink_axis_mask, strides 2)",
        (1, 3, 7, 5),
        tf_function(lambda rng: lambda x: x[:, 1, 1::2, :3:2]),
        must_have=("STRIDED_SLICE",),
    ),
    ModelSpec(
        "transpose",
        "TRANSPOSE 1x3x5x2 with perm [0,2,3,1]",
        (1, 3, 5, 2),
        tf_function(lambda rng: lambda x: tf.transpose(x, [0, 2, 3, 1])),
        must_have=("TRANSPOSE",),
    ),
    # ----- realistic mixed models -----
    ModelSpec(
        "vitals_conv1d_softmax",
        "Vital-sign window classifier: 60 steps x 5 vitals; Conv1D(8,5,relu) -> causal Conv1D(8,3,"
        "dilation 2,relu) -> GlobalMaxPooling1D -> Dense(16,relu) -> Dense(3) -> softmax",
        (1, 60, 5),
        keras_model(
            (1, 60, 5),
            lambda x: L.Softmax()(
                L.Dense(3)(
                    L.Dense(16, activation="relu")(
                        L.GlobalMaxPooling1D()(
                            L.Conv1D(8, 3, padding="causal", dilation_rate=2, activation="relu")(
                                L.Conv1D(8, 5, activation="relu")(x)
                            )
                        )
                    )
                )
            ),
        ),
        input_range=(-3.0, 3.0),
        sample="vitals",
        weight_gain=1.0,
        must_have=("CONV_2D", "PAD", "RESHAPE", "REDUCE_MAX", "FULLY_CONNECTED", "SOFTMAX"),
    ),
    ModelSpec(
        "vitals_risk_float_io",
        "float32 I/O risk score: 32 steps x 4 vitals; Conv1D(6,3,stride 2,relu6) -> "
        "GlobalAveragePooling1D -> Dense(1) -> sigmoid",
        (1, 32, 4),
        keras_model(
            (1, 32, 4),
            lambda x: L.Dense(1, activation="sigmoid")(
                L.GlobalAveragePooling1D()(L.Conv1D(6, 3, strides=2, activation="relu6")(x))
            ),
        ),
        input_range=(-3.0, 3.0),
        sample="vitals",
        float_io=True,
        must_have=("QUANTIZE", "DEQUANTIZE", "CONV_2D", "MEAN", "FULLY_CONNECTED", "LOGISTIC"),
    ),
    ModelSpec(
        "ppg_mixed_2d",
        "Mixed 2-D model on 16x16x2: Conv2D(8,3,same,relu) -> MaxPool 2 -> DepthwiseConv2D(3,same,relu)"
        " + residual ADD -> AveragePool 2 -> Flatten -> Dense(8) -> LeakyReLU -> Dense(1,sigmoid)",
        (1, 16, 16, 2),
        keras_model(
            (1, 16, 16, 2),
            lambda x: (
                lambda p: L.Dense(1, activation="sigmoid")(
                    L.LeakyReLU(negative_slope=0.1)(
                        L.Dense(8)(
                            L.Flatten()(
                                L.AveragePooling2D(2)(
                                    L.Add()([p, L.DepthwiseConv2D(3, padding="same", activation="relu")(p)])
                                )
                            )
                        )
                    )
                )
            )(L.MaxPooling2D(2)(L.Conv2D(8, 3, padding="same", activation="relu")(x))),
        ),
        must_have=("CONV_2D", "MAX_POOL_2D", "DEPTHWISE_CONV_2D", "ADD", "AVERAGE_POOL_2D", "FULLY_CONNECTED"),
    ),
    ModelSpec(
        "bench_conv_1m",
        "Throughput benchmark (> 1M MACs): 32x32x8 -> Conv2D(16,3,same,relu) -> Conv2D(32,3,stride 2,"
        "same,relu) -> GlobalAveragePooling2D -> Dense(4)",
        (1, 32, 32, 8),
        keras_model(
            (1, 32, 32, 8),
            lambda x: L.Dense(4)(
                L.GlobalAveragePooling2D()(
                    L.Conv2D(32, 3, strides=2, padding="same", activation="relu")(
                        L.Conv2D(16, 3, padding="same", activation="relu")(x)
                    )
                )
            ),
        ),
        input_range=(0.0, 1.0),
        must_have=("CONV_2D", "MEAN", "FULLY_CONNECTED"),
    ),
]


def representative_sample(spec: ModelSpec, rng: np.random.Generator) -> np.ndarray:
    """One float32 input drawn like the representative data set."""
    lo, hi = spec.input_range
    if spec.sample == "uniform":
        return rng.uniform(lo, hi, spec.input_shape).astype(np.float32)
    if spec.sample == "vitals":
        # Smooth per-channel random walks around a per-channel level, like z-scored vital signs.
        batch, steps, channels = spec.input_shape
        level = rng.uniform(lo / 2, hi / 2, (batch, 1, channels))
        walk = np.cumsum(rng.normal(0.0, 0.15, (batch, steps, channels)), axis=1)
        return np.clip(level + walk, lo, hi).astype(np.float32)
    raise ValueError("unknown sample kind %r in spec %s" % (spec.sample, spec.name))
