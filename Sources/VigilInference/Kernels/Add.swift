/// ADD for int8 operands with broadcasting (any rank up to 8) and a fused activation.
///
/// Arithmetic: TFLM `add_common.cc` (`CalculateOpDataAdd`) and
/// `reference_integer_ops::AddFunc`: each input is offset by its zero point, shifted left by 20
/// bits and scaled by `MultiplyByQuantizedMultiplierSmallerThanOneExp` to a common scale
/// (twice the larger input scale); the sum is scaled to the output the same way, offset by the
/// output zero point and clamped to the activation range. The multipliers are computed in
/// double precision from the float scales.
///
/// Each element is computed with that arithmetic directly, in a branch-free form LLVM
/// vectorizes (``VectorFixedPoint``), so the kernel keeps no tables; a constant operand is read
/// from the model where it lies.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2; 3 (int16 with general
/// scales), 4 (int64) and 5 (unquantized int16) are not implemented.
final class AddKernel: OperatorKernel {
  /// The per-element arithmetic: both inputs scaled to the common scale, summed (or
  /// subtracted), scaled to the output, offset and clamped.
  struct Arithmetic: Int8BinaryArithmetic {
    let offset1: Int32, right1: Int32
    let offset2: Int32, right2: Int32
    /// 1 for ADD, −1 for SUB (the scaled second input is subtracted, as TFLM does).
    let sign2: Int32
    let outputMultiplier: Int32, outputRight: Int32
    let outputZeroPoint: Int32
    let activationMin: Int32, activationMax: Int32

    /// The input multipliers, kept only split for 32-bit arithmetic
    /// (``VectorFixedPoint/highMulOfShifted20(_:high:low:)``).
    let high1: Int32, low1: Int32, high2: Int32, low2: Int32

    /// TFLM's `left_shift` for int8 ADD and SUB.
    static let leftShift: Int32 = 20

    init(
      offset1: Int32, multiplier1: Int32, right1: Int32, offset2: Int32, multiplier2: Int32,
      right2: Int32, sign2: Int32, outputMultiplier: Int32, outputRight: Int32,
      outputZeroPoint: Int32, activationMin: Int32, activationMax: Int32
    ) {
      (self.offset1, self.right1) = (offset1, right1)
      (self.offset2, self.right2) = (offset2, right2)
      (self.sign2, self.outputMultiplier, self.outputRight) = (sign2, outputMultiplier, outputRight)
      (self.outputZeroPoint, self.activationMin, self.activationMax) = (
        outputZeroPoint, activationMin, activationMax
      )
      (high1, low1) = VectorFixedPoint.splitForShifted20(multiplier1)
      (high2, low2) = VectorFixedPoint.splitForShifted20(multiplier2)
    }

    /// Input 1 scaled to the common scale: `(a + offset) · 2^20` rescaled, computed in 32-bit
    /// lanes (|a + offset| ≤ 255, and the multipliers are positive).
    @inline(__always)
    func left(_ a: Int8) -> Int32 {
      VectorFixedPoint.roundingShiftRight(
        VectorFixedPoint.highMulOfShifted20(Int32(a) &+ offset1, high: high1, low: low1), right1)
    }

    /// Input 2 scaled to the common scale (negated for SUB).
    @inline(__always)
    func right(_ b: Int8) -> Int32 {
      VectorFixedPoint.roundingShiftRight(
        VectorFixedPoint.highMulOfShifted20(Int32(b) &+ offset2, high: high2, low: low2), right2)
        &* sign2
    }

    /// The sum scaled to the output, offset and clamped.
    @inline(__always)
    func combine(_ scaled1: Int32, _ scaled2: Int32) -> Int8 {
      let raw =
        VectorFixedPoint.multiplySmallerThanOne(
          scaled1 &+ scaled2, by: outputMultiplier, right: outputRight)
        &+ outputZeroPoint
      return Int8(truncatingIfNeeded: Swift.min(activationMax, Swift.max(activationMin, raw)))
    }
  }

  private let loops: BroadcastLoops
  private let arithmetic: Arithmetic
  private let input1Index: Int32, input2Index: Int32, outputIndex: Int32
  private var input1: UnsafePointer<Int8>!
  private var input2: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(operands: BinaryOperands, arithmetic: Arithmetic) {
    loops = operands.loops
    self.arithmetic = arithmetic
    input1Index = Int32(operands.input1)
    input2Index = Int32(operands.input2)
    outputIndex = Int32(operands.output)
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> AddKernel {
    let operands = try BinaryOperands(context, optionsType: 11, optionsName: "AddOptions")
    return try AddKernel(operands: operands, subtract: false, context)
  }

  /// A kernel adding (or, for SUB, subtracting) the checked `operands`, with the multipliers of
  /// TFLM's `CalculateOpDataAdd`/`CalculateOpDataSub`: left shift 20, each input scaled by
  /// `s_i / (2 · max(s1, s2))` and the sum by `2 · max(s1, s2) / (2^20 · s_out)`, in double.
  convenience init(operands: BinaryOperands, subtract: Bool, _ context: PrepareContext)
    throws(ModelError)
  {
    let s1 = Double(operands.quantization1.scale)
    let s2 = Double(operands.quantization2.scale)
    let so = Double(operands.outputQuantization.scale)
    let twiceMaxInputScale = 2 * Swift.max(s1, s2)
    let m1 = try AddKernel.smallerThanOne(s1 / twiceMaxInputScale, "input 1", context)
    let m2 = try AddKernel.smallerThanOne(s2 / twiceMaxInputScale, "input 2", context)
    let mo = try AddKernel.smallerThanOne(
      twiceMaxInputScale / (Double(1 << Arithmetic.leftShift) * so), "output", context)
    self.init(
      operands: operands,
      arithmetic: Arithmetic(
        offset1: 0 &- operands.quantization1.zeroPoint, multiplier1: m1.multiplier,
        right1: 0 &- m1.shift,
        offset2: 0 &- operands.quantization2.zeroPoint, multiplier2: m2.multiplier,
        right2: 0 &- m2.shift,
        sign2: subtract ? -1 : 1, outputMultiplier: mo.multiplier, outputRight: 0 &- mo.shift,
        outputZeroPoint: operands.outputQuantization.zeroPoint,
        activationMin: operands.activationMin, activationMax: operands.activationMax))
  }

  /// TFLite's `QuantizeMultiplierSmallerThanOneExp`, which aborts unless `0 < real < 1`; here
  /// that is a typed error naming the operand whose scales make it so.
  static func smallerThanOne(_ real: Double, _ role: String, _ context: PrepareContext)
    throws(ModelError) -> FixedPoint.Multiplier
  {
    let m = FixedPoint.Multiplier(real)
    guard real > 0, real < 1, m.shift <= 0 else {
      throw context.error(
        .invalidQuantization,
        "\(role) rescale factor \(real) is outside (0, 1): the output scale is too small for the input scales"
      )
    }
    return m
  }

  override func bind(_ memory: TensorMemory) {
    input1 = UnsafePointer(memory.int8(Int(input1Index)))
    input2 = UnsafePointer(memory.int8(Int(input2Index)))
    output = memory.int8(Int(outputIndex))
  }

  override func invoke() {
    loops.run(arithmetic, input1, input2, output)
  }
}
