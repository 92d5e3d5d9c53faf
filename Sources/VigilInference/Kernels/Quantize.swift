/// QUANTIZE: float32 → int8 (a float-I/O model's first operator), or int8 → int8 requantization.
///
/// float32 → int8 follows TFLM `quantize_common.cc` and `reference_ops::AffineQuantize`:
/// `clamp(Int32(roundf(x / scale)) + zero_point)`, dividing in single precision (the stored
/// double scale is narrowed back to the tensor's float scale) and rounding halves away from zero.
///
/// Where TFLM is undefined, Vigil saturates instead. TFLM converts the rounded quotient to int32
/// with a plain C++ cast, which is undefined for NaN and for |x / scale| ≥ 2^31; on x86-64 the
/// cast yields INT32_MIN, and adding a negative zero point then wraps, so the recorded TFLM
/// golden (`quantize_nonfinite`) maps NaN, +∞, −∞, ±3e38 and ±1e9 (scale 0.25, zero point −3)
/// all to 127; an ARM build would give other values. Vigil maps NaN to the zero point (real 0),
/// and values beyond the int8 range to −128 or 127 by sign. Every input for which TFLM's
/// arithmetic is defined gives TFLM's result.
///
/// int8 → int8 follows `reference_ops::Requantize`: `clamp(MultiplyByQuantizedMultiplier(x − zp_in,
/// s_in / s_out) + zp_out)`, computed element by element (``Int8MapKernel``).
///
/// Versions (`lite/tools/versioning/op_version.cc`): 1 for both forms; 2 (int16 output),
/// 3 (per-channel) and 4 (int4) are not implemented.
final class QuantizeKernel: OperatorKernel {
  private let inputIndex: Int32, outputIndex: Int32
  private let count: Int
  private let scale: Float
  private let zeroPoint: Int32
  private var input: UnsafePointer<Float>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(inputIndex: Int, outputIndex: Int, count: Int, scale: Float, zeroPoint: Int32) {
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
    self.count = count
    self.scale = scale
    self.zeroPoint = zeroPoint
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> PreparedOperator {
    try context.expectInputs(1)
    let input = try context.input(0)
    switch input.type {
    case .float32:
      let (input, output) = try context.elementwiseUnary(input: .float32, output: .int8)
      let outputQ = try context.positiveScaleQuantization(output, "output")
      return .kernel(
        QuantizeKernel(
          inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
          count: input.elementCount, scale: outputQ.scale, zeroPoint: outputQ.zeroPoint))
    case .int8:
      let (input, output) = try context.elementwiseUnary(input: .int8, output: .int8)
      let inputQ = try context.positiveScaleQuantization(input, "input")
      let outputQ = try context.positiveScaleQuantization(output, "output")
      let function = try requantization(input: inputQ, output: outputQ, context)
      return .kernel(
        Int8MapKernel(
          inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
          count: input.elementCount, function: .requantize(function)))
    default:
      throw context.error(
        .unsupportedTensorType,
        "input '\(input.name)' is \(input.type); QUANTIZE supports FLOAT32 or INT8 input")
    }
  }

  /// The int8 → int8 requantization (TFLM `reference_ops::Requantize`).
  static func requantization(
    input: (scale: Float, zeroPoint: Int32), output: (scale: Float, zeroPoint: Int32),
    _ context: PrepareContext
  ) throws(ModelError) -> Int8MapKernel.Requantization {
    let m = try ReluKernel.requantizingMultiplier(
      Double(input.scale) / Double(output.scale), context)
    return Int8MapKernel.Requantization(
      inputZeroPoint: input.zeroPoint, multiplier: m, outputZeroPoint: output.zeroPoint)
  }

  /// One element of the float → int8 path: TFLM's `AffineQuantize` where it is defined,
  /// saturation where it is not (see the type's documentation).
  @inline(__always)
  static func quantize(_ x: Float, scale: Float, zeroPoint: Int32) -> Int8 {
    let rounded = (x / scale).rounded(.toNearestOrAwayFromZero)
    // Anything beyond ±512 saturates whatever the zero point; NaN becomes 0 (the zero point).
    let bounded = rounded.isNaN ? 0 : Swift.min(512, Swift.max(-512, rounded))
    let value = Int32(bounded) &+ zeroPoint
    return Int8(truncatingIfNeeded: Swift.min(127, Swift.max(-128, value)))
  }

  /// ``quantize(_:scale:zeroPoint:)`` for 16 consecutive elements, branch-free: rounding half
  /// away from zero is truncation plus one step away from zero when the (exact) fraction is at
  /// least one half, and the bounded value becomes an integer through the 1.5 · 2^23 bias,
  /// so LLVM keeps it in vector registers. Tests compare it with the scalar form.
  @inline(__always)
  static func quantize16(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Int8>, scale: Float, zeroPoint: Int32
  ) {
    var q = SIMD16<Float>()
    for j in 0..<16 { q[j] = x[j] }
    q /= SIMD16(repeating: scale)
    var r = q.rounded(.towardZero)
    // |q| < 2^23 makes q − r exact; beyond it q is whole (or infinite: the fraction is NaN and
    // both comparisons are false).
    let fraction = q - r
    r.replace(with: r + 1, where: fraction .>= 0.5)
    r.replace(with: r - 1, where: fraction .<= -0.5)
    r.replace(with: 0, where: q .!= q)
    // The zero point is added and the int8 range applied in float (exact for whole numbers this
    // small; anything larger saturates by its sign, as the scalar form's ±512 bound does), with
    // compare-and-replace rather than `clamped`, whose NaN-aware lanes do not vectorize.
    r += SIMD16(repeating: Float(zeroPoint))
    r.replace(with: 127, where: r .> 127)
    r.replace(with: -128, where: r .< -128)
    // Adding 1.5 · 2^23 puts a whole number in [−2^22, 2^22] into the low mantissa bits.
    let biased = unsafeBitCast(r + SIMD16(repeating: 12_582_912), to: SIMD16<Int32>.self)
    let value = biased &- SIMD16(repeating: 0x4B40_0000)
    for j in 0..<16 { y[j] = Int8(truncatingIfNeeded: value[j]) }
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.address(Int(inputIndex)).assumingMemoryBound(to: Float.self))
    output = memory.int8(Int(outputIndex))
  }

  override func invoke() {
    let scale = self.scale
    let zeroPoint = self.zeroPoint
    Blocks.map(input, output, count: count) { x, y in
      QuantizeKernel.quantize16(x, into: y, scale: scale, zeroPoint: zeroPoint)
    }
  }
}
