/// ADD for int8 operands with broadcasting (any rank up to 8) and a fused activation.
///
/// Arithmetic: TFLM `add_common.cc` (`CalculateOpDataAdd`) and
/// `reference_integer_ops::AddFunc`: each input is offset by its zero point, shifted left by 20
/// bits and scaled by `MultiplyByQuantizedMultiplierSmallerThanOneExp` to a common scale
/// (twice the larger input scale); the sum is scaled to the output the same way, offset by the
/// output zero point and clamped to the activation range. The multipliers are computed in
/// double precision from the float scales.
///
/// Because each input is int8, its scaled value depends only on the input byte: the kernel
/// precomputes both 256-entry tables while preparing and does one table read per operand, an
/// add and the output requantization per element. With a small constant operand, or the same
/// tensor twice, it runs as ``ConstantOperandKernel`` or ``Int8TableKernel`` instead.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2; 3 (int16 with general
/// scales), 4 (int64) and 5 (unquantized int16) are not implemented.
final class AddKernel: OperatorKernel {
  /// The per-element arithmetic: table reads, a sum, the output requantization and clamp.
  struct Arithmetic: Int8BinaryArithmetic {
    let scaled1: UnsafePointer<Int32>
    let scaled2: UnsafePointer<Int32>
    let outputMultiplier: Int32
    let outputShift: Int32
    let outputZeroPoint: Int32
    let activationMin: Int32
    let activationMax: Int32

    @inline(__always)
    func apply(_ a: Int8, _ b: Int8) -> Int8 {
      let sum = scaled1[Int(UInt8(bitPattern: a))] &+ scaled2[Int(UInt8(bitPattern: b))]
      let raw =
        FixedPoint.multiplySmallerThanOne(sum, by: outputMultiplier, shift: outputShift)
        &+ outputZeroPoint
      return Int8(truncatingIfNeeded: Swift.min(activationMax, Swift.max(activationMin, raw)))
    }
  }

  private let operands: BinaryOperands
  private let tables: UnsafeMutablePointer<Int32>  // 2 × 256 scaled inputs
  /// The per-element arithmetic, with tables this kernel owns.
  let arithmetic: Arithmetic
  private var input1: UnsafePointer<Int8>!
  private var input2: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  /// A kernel for checked `operands` whose inputs scale through `input1`, `input2` (multiplier
  /// and shift of each input's `(q − zp) · 2^leftShift`, negated for a subtrahend) and whose
  /// sum scales through `output`.
  private init(
    operands: BinaryOperands, leftShift: Int32,
    input1 m1: FixedPoint.Multiplier, input2 m2: FixedPoint.Multiplier, negateInput2: Bool,
    output mo: FixedPoint.Multiplier
  ) {
    self.operands = operands
    tables = UnsafeMutablePointer<Int32>.allocate(capacity: 512)
    for byte in 0..<256 {
      let q = Int32(Int8(truncatingIfNeeded: byte))
      let shifted1 = (q &- operands.quantization1.zeroPoint) &* (Int32(1) &<< leftShift)
      let shifted2 = (q &- operands.quantization2.zeroPoint) &* (Int32(1) &<< leftShift)
      tables[byte] = FixedPoint.multiplySmallerThanOne(
        shifted1, by: m1.multiplier, shift: m1.shift)
      let scaled2 = FixedPoint.multiplySmallerThanOne(shifted2, by: m2.multiplier, shift: m2.shift)
      tables[256 + byte] = negateInput2 ? 0 &- scaled2 : scaled2
    }
    arithmetic = Arithmetic(
      scaled1: UnsafePointer(tables), scaled2: UnsafePointer(tables + 256),
      outputMultiplier: mo.multiplier, outputShift: mo.shift,
      outputZeroPoint: operands.outputQuantization.zeroPoint,
      activationMin: operands.activationMin, activationMax: operands.activationMax)
  }

  deinit { tables.deallocate() }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> any OperatorKernel {
    let operands = try BinaryOperands(context, optionsType: 11, optionsName: "AddOptions")
    let kernel = try AddKernel(operands: operands, subtract: false, context)
    return operands.specializedKernel(kernel.arithmetic, model: context.model) ?? kernel
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
    let leftShift: Int32 = 20
    let twiceMaxInputScale = 2 * Swift.max(s1, s2)
    let m1 = try AddKernel.smallerThanOne(s1 / twiceMaxInputScale, "input 1", context)
    let m2 = try AddKernel.smallerThanOne(s2 / twiceMaxInputScale, "input 2", context)
    let mo = try AddKernel.smallerThanOne(
      twiceMaxInputScale / (Double(1 << leftShift) * so), "output", context)
    self.init(
      operands: operands, leftShift: leftShift, input1: m1, input2: m2, negateInput2: subtract,
      output: mo)
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

  func bind(_ memory: TensorMemory) {
    input1 = UnsafePointer(memory.int8(operands.input1))
    input2 = UnsafePointer(memory.int8(operands.input2))
    output = memory.int8(operands.output)
  }

  func invoke() {
    operands.loops.run(arithmetic, input1, input2, output)
  }
}
