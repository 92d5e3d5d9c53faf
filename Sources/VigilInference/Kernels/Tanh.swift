/// TANH for int8, as a 256-entry table.
///
/// Arithmetic: TFLM `tanh.cc` (`CalculateArithmeticOpData`) and `reference_integer_ops::Tanh`:
/// the same input rescaling to Q4.27 as LOGISTIC (``SigmoidInputScaling``), gemmlowp's
/// fixed-point `tanh`, and a rounding shift from Q0.31 to 1/128 steps, clamped to int8. No zero
/// point is added.
///
/// TFLM assumes the output is quantized with scale 1/128 and zero point 0 (what TFLite's
/// converter writes) and checks neither; Vigil rejects other output quantization rather than
/// mislabel the results.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2; 3 (int16) is not
/// implemented.
enum TanhKernel {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> Int8TableKernel {
    try SigmoidInputScaling.prepareTable(
      &context, outputScale: 1.0 / 128, outputScaleText: "1/128", outputZeroPoint: 0, table: table)
  }

  /// The output for every int8 input value, computed as TFLM's `reference_integer_ops::Tanh`.
  static func table(_ scaling: SigmoidInputScaling, inputZeroPoint: Int32) -> [Int8] {
    Int8TableKernel.table { x in
      let input = x - inputZeroPoint
      if input <= -scaling.radius { return -128 }
      if input >= scaling.radius { return 127 }
      let inputQ4 = FixedPoint.multiply(input, by: scaling.multiplier, shift: scaling.leftShift)
      let outputQ0 = GemmlowpFixedPoint.tanh(inputQ4, integerBits: 4)
      return FixedPoint.roundingDivideByPOT(outputQ0, 31 - 7)
    }
  }
}
