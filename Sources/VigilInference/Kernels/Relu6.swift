/// RELU6 for int8, computed element by element (``Int8MapKernel``).
///
/// TFLM's `Relu6Prepare`/`Relu6Quantized` clamp the input bytes to `[zp_in, q_in(6.0)]` and copy
/// them out *without requantizing*: correct only when the output is quantized like the input.
/// TensorFlow's converter gives a standalone RELU6 its own output quantization (scale 6/255,
/// zero point −128, from the clamped range), and for such models TFLM's results differ from
/// TensorFlow Lite's (LiteRT), which requantizes: input −4.0 comes out as 1.86, not 0.
///
/// Vigil's contract is TFLM's results, bit for bit: a model is validated against the reference
/// runtime, and a deployed monitor must compute what was validated. So Vigil reproduces TFLM
/// (``tflmClamp(input:)``) and, when the quantizations differ, raises a load warning that
/// names the operator and both quantizations, so the engineer can re-convert the model (a
/// RELU6 fused into the preceding CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED has no such
/// problem). ``ReluKernel/clampFunction(input:output:upper:_:)`` gives TFLite's requantizing
/// result; the tests check both against their references.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2; 3 (int16) is not
/// implemented.
enum Relu6Kernel {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> Int8MapKernel {
    let (input, output) = try context.elementwiseUnary(input: .int8, output: .int8)
    let inputQ = try context.positiveScaleQuantization(input, "input")
    let outputQ = try context.positiveScaleQuantization(output, "output")
    if inputQ.scale != outputQ.scale || inputQ.zeroPoint != outputQ.zeroPoint {
      context.warn(
        "RELU6 output is quantized differently from its input (scale \(outputQ.scale), zero point "
          + "\(outputQ.zeroPoint) vs scale \(inputQ.scale), zero point \(inputQ.zeroPoint)); like "
          + "TensorFlow Lite Micro, Vigil clamps without requantizing, so results differ from "
          + "TensorFlow Lite's. Fuse the RELU6 into the preceding layer or re-convert the model.")
    }
    let clamp = tflmClamp(input: (inputQ.scale, inputQ.zeroPoint))
    return Int8MapKernel(
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      count: input.elementCount, function: .clamp(low: clamp.low, high: clamp.high))
  }

  /// TFLM's `Relu6Quantized`: the input byte clamped to `[zp_in, q_in(6.0)]`, where
  /// `q_in(6.0) = clamp(round(6 / s_in) + zp_in)` (`FloatToQuantizedType`), with no
  /// requantization to the output's quantization. (When `q_in(6.0)` lies below `zp_in`,
  /// `min(six, max(zp_in, x))` is `six` for every input, which the clamp reproduces.)
  static func tflmClamp(input: (scale: Float, zeroPoint: Int32)) -> Int8MapKernel.Clamp {
    let steps = Swift.min((6 / input.scale).rounded(.toNearestOrAwayFromZero), 1_048_576)
    let six = Swift.min(127, Swift.max(-128, Int32(steps) + input.zeroPoint))
    let low = Swift.min(127, Swift.max(-128, input.zeroPoint))
    return Int8MapKernel.Clamp(
      low: Int8(truncatingIfNeeded: low), high: Int8(truncatingIfNeeded: six))
  }

  /// ``tflmClamp(input:)`` as a table over every int8 input (for tests).
  static func tflmTable(input: (scale: Float, zeroPoint: Int32)) -> [Int8] {
    tflmClamp(input: input).table
  }
}
