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
/// Each exponential is computed once, in a branch-free form of gemmlowp's
/// `exp_on_negative_values` that LLVM vectorizes 16 lanes wide (``SoftmaxKernel/exponential(_:)``),
/// and kept for the output pass; the kernel keeps no tables. A difference below `diff_min` is
/// clamped before the arithmetic and its exponential replaced by 0, which gives TFLM's −128 in
/// the output pass. Rows of 16 or more keep their exponentials in a scratch row of the arena;
/// shorter rows are packed, up to 64 elements of whole rows at a time, into buffers on the
/// stack, so 16-lane blocks are not spent on a few classes each.
///
/// TFLM aborts (a failed `TFLITE_CHECK` on the shift) when a row's exponentials sum to 512 or
/// more, which needs a row of at least 512 values close to its maximum. Every probability in
/// such a row is at most 1/512, half an output step, and Vigil outputs −128 (probability 0) for
/// the whole row instead of stopping.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2; 3 (int16) is not
/// implemented.
final class SoftmaxKernel: OperatorKernel {
  /// The input rescaling: `MultiplyByQuantizedMultiplierGreaterThanOne(x − max, multiplier,
  /// shift)` to Q5.26, for differences at or above `diffMin`.
  struct InputScaling {
    let multiplier: Int32
    let shift: Int32
    let diffMin: Int32

    /// TFLM's `PreprocessSoftmaxScaling(beta, s_in, 5)` and `−CalculateInputRadius(5, shift)`;
    /// `nil` when TFLM's `QuantizeMultiplierGreaterThanOne` would abort (the multiplier is not
    /// above 1).
    init?(beta: Float, inputScale: Float) {
      let real = Swift.min(
        Double(beta) * Double(inputScale) * Double(1 << 26), Double(Int32.max))
      guard real > 1 else { return nil }
      let m = FixedPoint.Multiplier(real)
      guard m.shift >= 0, m.multiplier > 0 else { return nil }
      // CalculateInputRadius(5, shift, 31) = floor(31 · 2^26 / 2^shift).
      let radius =
        (31.0 * Double(1 << 26) * Double(sign: .plus, exponent: -Int(m.shift), significand: 1))
        .rounded(.down)
      multiplier = m.multiplier
      shift = m.shift
      diffMin = -Int32(radius)
    }

    /// `exp(beta · s_in · difference)` in Q0.31 for `difference = x − max ≤ 0`, exactly as
    /// TFLM computes it; 0 below `diffMin`.
    @inline(__always)
    func exponential(_ difference: Int32) -> Int32 {
      let clamped = Swift.max(difference, diffMin)
      let rescaled = VectorFixedPoint.highMul(clamped &<< shift, multiplier)
      let e = SoftmaxKernel.exponential(rescaled)
      return difference >= diffMin ? e : 0
    }
  }

  private let scaling: InputScaling
  private let rows: Int, depth: Int
  private let inputIndex: Int32, outputIndex: Int32, scratchIndex: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!
  private var exponentials: UnsafeMutablePointer<Int32>!

  /// Sums of Q12.19 exponentials from this value up make TFLM's output shift exceed 31.
  static let abortingSum: Int64 = 1 << 28

  private init(
    inputIndex: Int, outputIndex: Int, scratchIndex: Int, rows: Int, depth: Int,
    scaling: InputScaling
  ) {
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
    self.scratchIndex = Int32(scratchIndex)
    self.rows = rows
    self.depth = depth
    self.scaling = scaling
  }

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
    guard let scaling = InputScaling(beta: beta, inputScale: inputQ.scale) else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "beta \(beta) × input scale \(inputQ.scale) is too small: the input multiplier "
          + "beta · scale · 2^26 must exceed 1")
    }
    let depth = input.shape[input.shape.count - 1]
    // Rows of 16 or more keep their exponentials in scratch; shorter rows on the stack.
    let scratch = context.requestScratch(bytes: depth >= Blocks.width ? 4 * depth : 0)
    return SoftmaxKernel(
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      scratchIndex: scratch, rows: depth == 0 ? 0 : input.elementCount / depth, depth: depth,
      scaling: scaling)
  }

  /// The exponential of every difference `max − x` in 0...255 (index), for tests; `nil` where
  /// TFLM would abort.
  static func exponentialTable(beta: Float, inputScale: Float) -> [Int32]? {
    guard let scaling = InputScaling(beta: beta, inputScale: inputScale) else { return nil }
    return (0..<256).map { scaling.exponential(-Int32($0)) }
  }

  /// gemmlowp's `exp_on_negative_values` for a Q5.26 argument `a ≤ 0`, giving Q0.31, without
  /// branches: the Taylor expansion on [−1/4, 0) and all seven barrel-shifter products are
  /// computed and selected by the remainder's bits. (``GemmlowpFixedPoint`` has the scalar
  /// form; tests compare the two.)
  @inline(__always)
  static func exponential(_ a: Int32) -> Int32 {
    let oneQuarter: Int32 = 1 << 24  // Q5.26
    let aModQuarterMinusOneQuarter = (a & (oneQuarter &- 1)) &- oneQuarter
    // Rescale<0> of a value in [−1/4, 0): exact, no saturation; then x = a + 1/8.
    let x = (aModQuarterMinusOneQuarter &<< 5) &+ (1 << 28)
    // Products known not to be negative (squares, and the positive result times the positive
    // constants of the barrel shifter) skip the sign handling of the general high multiply.
    let x2 = VectorFixedPoint.highMul(x, x)
    let x3 = VectorFixedPoint.highMul(x2, x)
    let x4 = VectorFixedPoint.highMul(x2, x2)
    let x4Over4 = VectorFixedPoint.roundingShiftRightNonNegative(x4, 2)
    let polynomial = VectorFixedPoint.roundingShiftRight(
      VectorFixedPoint.highMul(x4Over4 &+ x3, 715_827_883) &+ x2, 1)
    let constantTerm: Int32 = 1_895_147_668  // exp(−1/8)
    var result = constantTerm &+ VectorFixedPoint.highMul(constantTerm, x &+ polynomial)
    let remainder = aModQuarterMinusOneQuarter &- a
    @inline(__always) func step(_ bit: Int32, _ multiplier: Int32) {
      let product = VectorFixedPoint.highMul(result, multiplier)
      result = remainder & (1 << bit) != 0 ? product : result
    }
    step(24, 1_672_461_947)  // exp(−1/4)
    step(25, 1_302_514_674)  // exp(−1/2)
    step(26, 790_015_084)  // exp(−1)
    step(27, 290_630_308)  // exp(−2)
    step(28, 39_332_535)  // exp(−4)
    step(29, 720_401)  // exp(−8)
    step(30, 242)  // exp(−16)
    return a == 0 ? Int32.max : result
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(Int(inputIndex)))
    output = memory.int8(Int(outputIndex))
    exponentials = memory.scratch(Int(scratchIndex)).assumingMemoryBound(to: Int32.self)
  }

  override func invoke() {
    if depth >= Blocks.width {
      for row in 0..<rows {
        Self.softmax(
          input + row &* depth, output + row &* depth, exponentials, count: depth, scaling)
      }
    } else if depth > 0 {
      invokePacked()
    }
  }

  /// Elements of whole rows packed into one pass of ``invokePacked()``.
  static let packedElements = 64

  /// Softmax of rows shorter than 16, several rows per pass: the differences of up to 64
  /// elements are laid out together, their exponentials computed in blocks of 16 across rows,
  /// and each element requantized with its row's scale and shift.
  private func invokePacked() {
    let groupRows = Swift.max(1, Self.packedElements / depth)
    var storage = (SIMD64<UInt64>(), SIMD64<UInt64>(), SIMD64<UInt64>())
    withUnsafeMutableBytes(of: &storage) { bytes in
      var row = 0
      while row < rows {
        let count = Swift.min(groupRows, rows &- row)
        Self.packed(
          input + row &* depth, output + row &* depth, rows: count, depth: depth, scaling,
          buffer: bytes.baseAddress!)
        row &+= count
      }
    }
  }

  /// `rows` rows of `depth` (< 16) elements, at most 64 in all, using the 1,360 bytes at
  /// `buffer` for 80 lanes (the elements and a block of padding) each of differences,
  /// exponentials, per-element scales, per-element shifts and outputs.
  private static func packed(
    _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>, rows: Int, depth: Int,
    _ scaling: InputScaling, buffer: UnsafeMutableRawPointer
  ) {
    let differences = buffer.bindMemory(to: Int32.self, capacity: 80)
    let values = (buffer + 320).bindMemory(to: Int32.self, capacity: 80)
    let scales = (buffer + 640).bindMemory(to: Int32.self, capacity: 80)
    let shifts = (buffer + 960).bindMemory(to: Int32.self, capacity: 80)
    let results = (buffer + 1280).bindMemory(to: Int8.self, capacity: 80)
    let elements = rows &* depth
    for r in 0..<rows {
      let x = input + r &* depth
      var maximum = x[0]
      for c in 1..<depth { maximum = Swift.max(maximum, x[c]) }
      let top = Int32(maximum)
      for c in 0..<depth { differences[r &* depth &+ c] = Int32(x[c]) &- top }
    }
    let lanes = (elements &+ Blocks.width &- 1) & ~(Blocks.width &- 1)
    for k in elements..<lanes { differences[k] = 0 }
    var k = 0
    while k < lanes {
      for j in 0..<Blocks.width { values[k &+ j] = scaling.exponential(differences[k &+ j]) }
      k &+= Blocks.width
    }
    for r in 0..<rows {
      let e = values + r &* depth
      var sum: Int64 = 0
      for c in 0..<depth { sum &+= Int64(VectorFixedPoint.roundingShiftRightNonNegative(e[c], 12)) }
      var scale: Int32 = 0  // a row TFLM aborts on: every output −128
      var shift: Int32 = 31
      if sum < SoftmaxKernel.abortingSum {
        let reciprocal = GemmlowpFixedPoint.reciprocal(Int32(sum), integerDigits: 12)
        scale = reciprocal.scale
        shift = Int32(reciprocal.bitsOverUnit + 31 - 8)
      }
      for c in 0..<depth {
        scales[r &* depth &+ c] = scale
        shifts[r &* depth &+ c] = shift
      }
    }
    k = 0
    while k < lanes {
      for j in 0..<Blocks.width {
        let unsaturated = VectorFixedPoint.roundingShiftRightNonNegative(
          VectorFixedPoint.highMul(scales[k &+ j], values[k &+ j]), shifts[k &+ j])
        results[k &+ j] = Int8(
          truncatingIfNeeded: Swift.min(127, Swift.max(-128, unsaturated &- 128)))
      }
      k &+= Blocks.width
    }
    for i in 0..<elements { output[i] = results[i] }
  }

  /// One row of `count` (≥ 16) elements, its exponentials kept in `exponentials`.
  private static func softmax(
    _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>,
    _ exponentials: UnsafeMutablePointer<Int32>, count: Int, _ scaling: InputScaling
  ) {
    var maximum = x[0]
    for c in 1..<count { maximum = Swift.max(maximum, x[c]) }
    let top = Int32(maximum)
    var i = 0
    while i < count {
      let start = Swift.min(i, count &- Blocks.width)
      for j in 0..<Blocks.width {
        exponentials[start &+ j] = scaling.exponential(Int32(x[start &+ j]) &- top)
      }
      i &+= Blocks.width
    }
    // Σ Rescale<12>(exp): the Q12.19 sum TFLM accumulates.
    var sum: Int64 = 0
    for c in 0..<count {
      sum &+= Int64(VectorFixedPoint.roundingShiftRightNonNegative(exponentials[c], 12))
    }
    guard sum < SoftmaxKernel.abortingSum else {
      y.update(repeating: -128, count: count)
      return
    }
    let (scale, bitsOverUnit) = GemmlowpFixedPoint.reciprocal(Int32(sum), integerDigits: 12)
    let exponent = Int32(bitsOverUnit + 31 - 8)
    i = 0
    while i < count {
      let start = Swift.min(i, count &- Blocks.width)
      for j in 0..<Blocks.width {
        let unsaturated = VectorFixedPoint.roundingShiftRightNonNegative(
          VectorFixedPoint.highMul(scale, exponentials[start &+ j]), exponent)
        y[start &+ j] = Int8(
          truncatingIfNeeded: Swift.min(127, Swift.max(-128, unsaturated &- 128)))
      }
      i &+= Blocks.width
    }
  }
}
