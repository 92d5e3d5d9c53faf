/// SOFTMAX over the last axis for int8 input and int8 output (scale 1/256, zero point −128).
///
/// Arithmetic: TFLM `softmax_common.cc` (`CalculateSoftmaxParams`) and the quantized
/// `reference_ops::Softmax`. While preparing: `PreprocessSoftmaxScaling` turns
/// `beta · s_in · 2^26` (capped at 2^31 − 1) into a multiplier and left shift
/// (`QuantizeMultiplierGreaterThanOne`), and `diff_min = −CalculateInputRadius(5, shift)`. Per
/// row: each `x − max` at or above `diff_min` is rescaled to Q5.26 and exponentiated with
/// gemmlowp's `exp_on_negative_values`; the exponentials, rescaled to Q12.19, are summed;
/// `GetReciprocal` of the sum gives a Q0.31 scale and a shift; each output is
/// `RoundingDivideByPOT(scale · exp, shift + 23) − 128`, clamped. Differences below `diff_min`
/// give −128 and add nothing.
///
/// A difference `x − max` takes only 256 values, so both exponentials (Q0.31 and Q12.19) are
/// tabulated while preparing; a row costs a max, a table-read sum, one reciprocal and a
/// multiply-and-shift per element.
///
/// TFLM aborts (a failed `TFLITE_CHECK` on the shift) when a row's exponentials sum to 512 or
/// more, which needs a row of at least 512 values close to its maximum. Every probability in
/// such a row is at most 1/512, half an output step, and Vigil outputs −128 (probability 0) for
/// the whole row instead of stopping.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2; 3 (int16) is not
/// implemented.
final class SoftmaxKernel: OperatorKernel {
  private let inputIndex: Int, outputIndex: Int
  private let rows: Int, depth: Int
  /// `exp(x − max)` in Q0.31 (index 0...255 is `max − x`), then the same in Q12.19; 0 for
  /// differences below `diff_min`.
  private let tables: UnsafeMutablePointer<Int32>
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  /// Sums of Q12.19 exponentials from this value up make TFLM's output shift exceed 31.
  static let abortingSum: Int64 = 1 << 28

  private init(inputIndex: Int, outputIndex: Int, rows: Int, depth: Int, exponentials: [Int32]) {
    self.inputIndex = inputIndex
    self.outputIndex = outputIndex
    self.rows = rows
    self.depth = depth
    tables = UnsafeMutablePointer<Int32>.allocate(capacity: 512)
    for d in 0..<256 {
      tables[d] = exponentials[d]
      tables[256 + d] = GemmlowpFixedPoint.rescale(exponentials[d], from: 0, to: 12)
    }
  }

  deinit { tables.deallocate() }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> SoftmaxKernel {
    let (input, output) = try context.elementwiseUnary(input: .int8, output: .int8)
    guard !input.shape.isEmpty else {
      throw context.error(.invalidShape, "input must have at least one dimension; it is a scalar")
    }
    guard output.shape == input.shape else {
      throw context.error(
        .invalidShape, "output shape \(output.shape) differs from input shape \(input.shape)")
    }
    let inputQ = try context.positiveScaleQuantization(input, "input")
    let outputQ = try context.perTensorQuantization(output, "output")
    guard outputQ.zeroPoint == -128, outputQ.scale == 1.0 / 256 else {
      throw context.error(
        .invalidQuantization,
        "output quantization (scale \(outputQ.scale), zero point \(outputQ.zeroPoint)) must be scale 1/256, zero point -128"
      )
    }
    let options = try context.options(9, "SoftmaxOptions")
    let beta = try options?.f32(0, default: 0, "SoftmaxOptions.beta") ?? 0
    guard let exponentials = exponentialTable(beta: beta, inputScale: inputQ.scale) else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "beta \(beta) × input scale \(inputQ.scale) is too small: the input multiplier "
          + "beta · scale · 2^26 must exceed 1")
    }
    let depth = input.shape[input.shape.count - 1]
    return SoftmaxKernel(
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      rows: input.elementCount / depth, depth: depth, exponentials: exponentials)
  }

  /// `exp(beta · s_in · (x − max))` in Q0.31 for each `max − x` in 0...255, computed as TFLM
  /// does; 0 where the difference is below `diff_min`. `nil` when TFLM's
  /// `QuantizeMultiplierGreaterThanOne` would abort (the multiplier is not above 1).
  static func exponentialTable(beta: Float, inputScale: Float) -> [Int32]? {
    let real = Swift.min(
      Double(beta) * Double(inputScale) * Double(1 << 26), Double(Int32.max))
    guard real > 1 else { return nil }
    let m = FixedPoint.Multiplier(real)
    guard m.shift >= 0 else { return nil }
    // CalculateInputRadius(5, shift, 31) = floor(31 · 2^26 / 2^shift).
    let radius =
      (31.0 * Double(1 << 26) * Double(sign: .plus, exponent: -Int(m.shift), significand: 1))
      .rounded(.down)
    let diffMin = -Int32(radius)
    return (0..<256).map { d in
      let difference = -Int32(d)
      guard difference >= diffMin else { return 0 }
      let rescaled = FixedPoint.multiplyGreaterThanOne(difference, by: m.multiplier, shift: m.shift)
      return GemmlowpFixedPoint.expOnNegativeValues(rescaled, integerBits: 5)
    }
  }

  func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.int8(outputIndex)
  }

  func invoke() {
    let expQ0 = UnsafePointer(tables)
    let expQ12 = UnsafePointer(tables + 256)
    let depth = self.depth
    for row in 0..<rows {
      let x = input + row * depth
      let y = output + row * depth
      var maximum = x[0]
      for c in 1..<depth { maximum = Swift.max(maximum, x[c]) }
      let top = Int(maximum)
      var sum: Int64 = 0
      for c in 0..<depth { sum &+= Int64(expQ12[top - Int(x[c])]) }
      guard sum < SoftmaxKernel.abortingSum else {
        y.update(repeating: -128, count: depth)
        continue
      }
      let (scale, bitsOverUnit) = GemmlowpFixedPoint.reciprocal(Int32(sum), integerDigits: 12)
      let exponent = Int32(bitsOverUnit + 31 - 8)
      for c in 0..<depth {
        let e = expQ0[top - Int(x[c])]
        let unsaturated = FixedPoint.roundingDivideByPOT(
          FixedPoint.saturatingRoundingDoublingHighMul(scale, e), exponent)
        y[c] = Int8(truncatingIfNeeded: Swift.min(127, Swift.max(-128, unsaturated - 128)))
      }
    }
  }
}
