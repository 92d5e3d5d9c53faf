/// LOGISTIC (sigmoid) for int8, as a 256-entry table.
///
/// Arithmetic: TFLM `logistic_common.cc` (`CalculateArithmeticOpDataLogistic`) and
/// `reference_integer_ops::Logistic`: the zero-point-offset input is clamped against
/// `input_range_radius`; inside it, it is rescaled to Q4.27 by
/// `MultiplyByQuantizedMultiplier(input, input_multiplier, input_left_shift)` (the multiplier
/// from `frexp(scale · 2^27)`, *not* `QuantizeMultiplier`), passed through gemmlowp's fixed-point
/// `logistic`, and rounded from Q0.31 to 1/256 steps with a −128 zero point.
///
/// TFLM checks only the output zero point (−128) and assumes the output scale is 1/256, the
/// value TFLite's converter always writes; a model with another output scale would get silently
/// wrong results from TFLM, so Vigil rejects it.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2; 3 (int16) is not
/// implemented.
enum LogisticKernel {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> Int8TableKernel {
    try SigmoidInputScaling.prepareTable(
      &context, outputScale: 1.0 / 256, outputScaleText: "1/256", outputZeroPoint: -128,
      table: table)
  }

  /// The output for every int8 input value, computed as TFLM's `reference_integer_ops::Logistic`.
  static func table(_ scaling: SigmoidInputScaling, inputZeroPoint: Int32) -> [Int8] {
    Int8TableKernel.table { x in
      let input = x - inputZeroPoint
      if input <= -scaling.radius { return -128 }
      if input >= scaling.radius { return 127 }
      let inputQ4 = FixedPoint.multiply(input, by: scaling.multiplier, shift: scaling.leftShift)
      let outputQ0 = GemmlowpFixedPoint.logistic(inputQ4, integerBits: 4)
      return FixedPoint.roundingDivideByPOT(outputQ0, 31 - 8) - 128
    }
  }
}

/// The input rescaling LOGISTIC and TANH share (TFLM `logistic_common.cc`, `tanh.cc`): the int8
/// input difference is scaled to Q4.27 by `input_multiplier · 2^(input_left_shift − 31)`, and
/// differences at or beyond `input_range_radius` saturate the output.
struct SigmoidInputScaling {
  /// Q31 multiplier: `round(frexp(scale · 2^27).fraction · 2^31)`.
  let multiplier: Int32
  /// The `frexp` exponent of `scale · 2^27`.
  let leftShift: Int32
  /// TFLite's `CalculateInputRadius(4, leftShift, 31)`: `floor(15 · 2^27 / 2^leftShift)`.
  let radius: Int32

  /// The scaling for an input of `scale`; `nil` when `scale · 2^27 < 1/2`, where TFLM's radius
  /// computation shifts by a negative amount (undefined in C++).
  init?(scale: Float) {
    let real = Double(scale) * Double(1 << 27)
    guard real >= 0.5 else { return nil }
    // frexp: real = fraction × 2^exponent, fraction in [0.5, 1).
    let exponent = Int(real.exponent) + 1
    let fraction = real.significand / 2
    multiplier = Int32((fraction * 2_147_483_648.0).rounded(.toNearestOrAwayFromZero))
    leftShift = Int32(exponent)
    let maxInputRescaled =
      15.0 * Double(1 << 27) * Double(sign: .plus, exponent: -exponent, significand: 1)
    radius = Int32(maxInputRescaled.rounded(.down))
  }

  /// Prepares LOGISTIC or TANH: an int8 input and output of the same shape, the output
  /// quantized with exactly `outputScale` (written `outputScaleText` in errors) and
  /// `outputZeroPoint`, and the 256-entry table `table` computes for the input's quantization.
  static func prepareTable(
    _ context: inout PrepareContext, outputScale: Float, outputScaleText: String,
    outputZeroPoint: Int32, table: (SigmoidInputScaling, Int32) -> [Int8]
  ) throws(ModelError) -> Int8TableKernel {
    let (input, output) = try context.elementwiseUnary(input: .int8, output: .int8)
    let inputQ = try context.positiveScaleQuantization(input, "input")
    let outputQ = try context.perTensorQuantization(output, "output")
    guard outputQ.zeroPoint == outputZeroPoint, outputQ.scale == outputScale else {
      throw context.error(
        .invalidQuantization,
        "output quantization (scale \(outputQ.scale), zero point \(outputQ.zeroPoint)) must be scale \(outputScaleText), zero point \(outputZeroPoint)"
      )
    }
    guard let scaling = SigmoidInputScaling(scale: inputQ.scale) else {
      throw context.error(
        .invalidQuantization,
        "input scale \(inputQ.scale) is too small for the Q4.27 rescaling (below 2^-28)")
    }
    return Int8TableKernel(
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      count: input.elementCount, table: table(scaling, inputQ.zeroPoint))
  }
}
