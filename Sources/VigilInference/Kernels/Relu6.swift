/// RELU6 for int8, as a 256-entry table.
///
/// TFLM's `Relu6Prepare`/`Relu6Quantized` clamp the input bytes to `[zp_in, q_in(6.0)]` and copy
/// them out *without requantizing*: correct only when the output is quantized like the input.
/// TensorFlow's converter gives a standalone RELU6 its own output quantization (scale 6/255,
/// zero point −128, from the clamped range), and for such models TFLM's results are wrong
/// (input −4.0 comes out as 1.86, not 0). Vigil therefore uses TFLite's `ReluX` arithmetic,
/// shared with RELU (``ReluKernel/clampTable(input:output:upper:_:)``): requantize by
/// `s_in / s_out`, then clamp to the output's quantized `[0, 6]`. When input and output
/// quantization are equal (the requantization multiplier is exactly 1) this is bit-identical to
/// TFLM; otherwise it matches LiteRT's reference kernel, and the fixture `relu6_converted`
/// records both. ``tflmTable(input:)`` reproduces TFLM's bytes exactly, should TFLM's behaviour
/// ever be wanted instead (it is tested against TFLM's goldens but not used).
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2; 3 (int16) is not
/// implemented.
enum Relu6Kernel {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> Int8TableKernel {
    let (input, output) = try context.elementwiseUnary(input: .int8, output: .int8)
    let inputQ = try context.positiveScaleQuantization(input, "input")
    let outputQ = try context.positiveScaleQuantization(output, "output")
    let table = try ReluKernel.clampTable(input: inputQ, output: outputQ, upper: 6, context)
    return Int8TableKernel(
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      count: input.elementCount, table: table)
  }

  /// TFLM's `Relu6Quantized` as a table: the input byte clamped to `[zp_in, q_in(6.0)]`, where
  /// `q_in(6.0) = clamp(round(6 / s_in) + zp_in)` (`FloatToQuantizedType`), with no
  /// requantization to the output's quantization.
  static func tflmTable(input: (scale: Float, zeroPoint: Int32)) -> [Int8] {
    let steps = Swift.min((6 / input.scale).rounded(.toNearestOrAwayFromZero), 1_048_576)
    let six = Swift.min(127, Swift.max(-128, Int32(steps) + input.zeroPoint))
    return Int8TableKernel.table { x in Swift.min(six, Swift.max(input.zeroPoint, x)) }
  }
}
