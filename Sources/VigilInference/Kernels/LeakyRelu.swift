/// LEAKY_RELU for int8, computed element by element (``Int8MapKernel``).
///
/// Arithmetic: TFLM `leaky_relu_common.cc` (`CalculateOpDataLeakyRelu`) and
/// `reference_ops::QuantizeLeakyRelu`: two requantization multipliers, identity `s_in / s_out`
/// for inputs at or above the zero point and `s_in · alpha / s_out` below it, each quantized
/// with `QuantizeMultiplier`. For a negative alpha TFLM multiplies by the magnitude and negates
/// the result (rounding ties toward zero, where multiplying by the negative multiplier would
/// round them up); that is reproduced here (fixture `leaky_relu_negative_alpha_ties`).
///
/// Both ratios are computed in double precision. The current tflite-micro sources compute them
/// in float; the TFLM build Vigil is verified against does not: the fixtures
/// `leaky_relu_identity_precision`, `leaky_relu_alpha_precision` and
/// `leaky_relu_alpha_product_precision` use scales where float, double, and a float product
/// divided in double give different outputs, and TFLM's goldens match all-double.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 and int8 1; 2 (int16) is not
/// implemented.
enum LeakyReluKernel {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> Int8MapKernel {
    let (input, output) = try context.elementwiseUnary(input: .int8, output: .int8)
    let inputQ = try context.positiveScaleQuantization(input, "input")
    let outputQ = try context.positiveScaleQuantization(output, "output")
    let options = try context.options(75, "LeakyReluOptions")
    let alpha = try options?.f32(0, default: 0, "LeakyReluOptions.alpha") ?? 0
    guard alpha.isFinite else {
      throw context.error(.unsupportedOperatorConfiguration, "alpha \(alpha) is not finite")
    }
    let identity = try ReluKernel.requantizingMultiplier(
      Double(inputQ.scale) / Double(outputQ.scale), context)
    let alphaReal = Double(inputQ.scale) * Double(alpha) / Double(outputQ.scale)
    let alphaMagnitude = try ReluKernel.requantizingMultiplier(Swift.abs(alphaReal), context)
    let function = Int8MapKernel.LeakyRelu(
      inputZeroPoint: inputQ.zeroPoint, outputZeroPoint: outputQ.zeroPoint,
      identityMultiplier: identity.multiplier, identityShift: identity.shift,
      alphaMultiplier: alphaMagnitude.multiplier, alphaShift: alphaMagnitude.shift,
      alphaSign: alphaReal < 0 ? -1 : 1)
    return Int8MapKernel(
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      count: input.elementCount, function: .leakyRelu(function))
  }
}
