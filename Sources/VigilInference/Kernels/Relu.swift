/// RELU for int8, computed element by element (``Int8MapKernel``).
///
/// Arithmetic: TFLM `activations_common.cc` (`CalculateReluOpData<int8_t>`) and `ReluQuantized`:
/// the zero-point-offset input is requantized to the output's scale with
/// `MultiplyByQuantizedMultiplier` by `s_in / s_out` (QuantizeMultiplier of the double ratio),
/// offset by the output zero point, and clamped below at the output's quantized 0
/// (`max(−128, zp_out + roundf(0 / s_out))`) and above at 127.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2; 3 (int16) is not
/// implemented.
enum ReluKernel {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> Int8MapKernel {
    let (input, output) = try context.elementwiseUnary(input: .int8, output: .int8)
    let inputQ = try context.positiveScaleQuantization(input, "input")
    let outputQ = try context.positiveScaleQuantization(output, "output")
    let function = try clampFunction(input: inputQ, output: outputQ, upper: nil, context)
    return Int8MapKernel(
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      count: input.elementCount, function: .requantize(function))
  }

  /// The requantize-and-clamp function of TFLite's `ReluX` arithmetic with the lower bound 0
  /// and the upper bound `upper` (none for RELU) in real units.
  static func clampFunction(
    input: (scale: Float, zeroPoint: Int32), output: (scale: Float, zeroPoint: Int32),
    upper: Float?, _ context: PrepareContext
  ) throws(ModelError) -> Int8MapKernel.Requantization {
    let m = try requantizingMultiplier(Double(input.scale) / Double(output.scale), context)
    let lower = Swift.max(
      -128, output.zeroPoint + Int32((0 / output.scale).rounded(.toNearestOrAwayFromZero)))
    var upperQ: Int32 = 127
    if let upper {
      let steps = (upper / output.scale).rounded(.toNearestOrAwayFromZero)
      upperQ = Swift.min(127, output.zeroPoint + Int32(Swift.min(steps, 1_048_576)))
    }
    return Int8MapKernel.Requantization(
      inputZeroPoint: input.zeroPoint, multiplier: m, outputZeroPoint: output.zeroPoint,
      low: lower, high: upperQ)
  }

  /// ``clampFunction(input:output:upper:_:)`` as a table over every int8 input (for tests).
  static func clampTable(
    input: (scale: Float, zeroPoint: Int32), output: (scale: Float, zeroPoint: Int32),
    upper: Float?, _ context: PrepareContext
  ) throws(ModelError) -> [Int8] {
    try clampFunction(input: input, output: output, upper: upper, context).table
  }

  /// `QuantizeMultiplier(real)` for requantizing an int8 difference (at most 255 in magnitude);
  /// throws when the left shift would overflow TFLM's int32 arithmetic (a shift above 23 bits).
  static func requantizingMultiplier(_ real: Double, _ context: PrepareContext) throws(ModelError)
    -> FixedPoint.Multiplier
  {
    let m = FixedPoint.Multiplier(real)
    guard m.shift <= 23 else {
      throw context.error(
        .invalidQuantization,
        "rescale factor \(real) (input scale / output scale) is too large: the int32 requantization would overflow"
      )
    }
    return m
  }
}
