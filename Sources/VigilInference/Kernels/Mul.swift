/// MUL for int8 operands with broadcasting (any rank up to 8) and a fused activation.
///
/// Arithmetic: TFLM `mul_common.cc` (`CalculateOpDataMul`) and
/// `reference_integer_ops::MulElementwise` / `BroadcastMul6DSlow`: the product of the two
/// zero-point-offset inputs is requantized with `MultiplyByQuantizedMultiplier` by
/// `s1 · s2 / s_out` (computed in double from the float scales; it may exceed 1), offset by the
/// output zero point and clamped to the activation range.
///
/// Each element is computed directly, in a branch-free form LLVM vectorizes
/// (``VectorFixedPoint``); a constant operand is read from the model where it lies.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2, and 3 when the rescale
/// `s1 · s2 / s_out` is at least 1; 4 and above (int16, int64, complex, uint32) are not
/// implemented.
final class MulKernel: OperatorKernel {
  /// The per-element arithmetic.
  struct Arithmetic: Int8BinaryArithmetic {
    let offset1: Int32
    let offset2: Int32
    let multiplier: Int32
    let shift: Int32
    let outputZeroPoint: Int32
    let activationMin: Int32
    let activationMax: Int32

    /// Input 1 offset by its zero point.
    @inline(__always)
    func left(_ a: Int8) -> Int32 { Int32(a) &+ offset1 }

    /// Input 2 offset by its zero point.
    @inline(__always)
    func right(_ b: Int8) -> Int32 { Int32(b) &+ offset2 }

    /// The product requantized to the output, offset and clamped.
    @inline(__always)
    func combine(_ a: Int32, _ b: Int32) -> Int8 {
      let product = a &* b
      let raw =
        VectorFixedPoint.multiply(product, by: multiplier, shift: shift) &+ outputZeroPoint
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

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> MulKernel {
    let operands = try BinaryOperands(context, optionsType: 21, optionsName: "MulOptions")
    let real =
      Double(operands.quantization1.scale) * Double(operands.quantization2.scale)
      / Double(operands.outputQuantization.scale)
    let m = FixedPoint.Multiplier(real)
    // TFLM shifts the product (|product| ≤ 255 × 255 < 2^16) left by `shift` bits in int32
    // before multiplying; past 15 bits that overflows, which is undefined in C++.
    guard m.shift <= 15 else {
      throw context.error(
        .invalidQuantization,
        "rescale factor \(real) (input scale × input scale / output scale) is too large: "
          + "the int32 requantization would overflow")
    }
    let arithmetic = Arithmetic(
      offset1: 0 &- operands.quantization1.zeroPoint,
      offset2: 0 &- operands.quantization2.zeroPoint,
      multiplier: m.multiplier, shift: m.shift,
      outputZeroPoint: operands.outputQuantization.zeroPoint,
      activationMin: operands.activationMin, activationMax: operands.activationMax)
    return MulKernel(operands: operands, arithmetic: arithmetic)
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
