/// An int8 → int8 element-wise operator whose per-element arithmetic is cheap: computed element
/// by element, in a branch-free form LLVM vectorizes, so the kernel keeps no table.
///
/// Used by int8 QUANTIZE (requantization), RELU, RELU6 and LEAKY_RELU; the arithmetic of each
/// is documented with its operator. Operators whose arithmetic is expensive per element
/// (LOGISTIC, TANH) use a 256-entry ``Int8TableKernel`` instead.
final class Int8MapKernel: OperatorKernel {
  /// The per-element function.
  enum Function {
    /// `clamp(zp_out + MultiplyByQuantizedMultiplier(x − zp_in), low, high)`.
    case requantize(Requantization)
    /// `clamp(x, low, high)`.
    case clamp(low: Int8, high: Int8)
    /// LEAKY_RELU's two requantizations, chosen by the sign of `x − zp_in`.
    case leakyRelu(LeakyRelu)
  }

  /// `clamp(zp_out + MultiplyByQuantizedMultiplier(x − zp_in, multiplier, shift), low, high)`.
  struct Requantization: Int8Function {
    let inputZeroPoint: Int32
    let multiplier: Int32, shift: Int32
    let outputZeroPoint: Int32
    let low: Int32, high: Int32

    /// The requantization by `multiplier` (whose multiplier must be non-negative, as
    /// `QuantizeMultiplier` gives for a positive scale ratio), clamped to `low...high`.
    init(
      inputZeroPoint: Int32, multiplier: FixedPoint.Multiplier, outputZeroPoint: Int32,
      low: Int32 = -128, high: Int32 = 127
    ) {
      precondition(multiplier.multiplier >= 0, "requantization multipliers are non-negative")
      self.inputZeroPoint = inputZeroPoint
      self.multiplier = multiplier.multiplier
      shift = multiplier.shift
      self.outputZeroPoint = outputZeroPoint
      self.low = Swift.max(-128, low)
      self.high = Swift.min(127, high)
    }

    @inline(__always)
    func apply(_ x: Int8) -> Int8 {
      let value =
        outputZeroPoint
        &+ VectorFixedPoint.multiply(Int32(x) &- inputZeroPoint, by: multiplier, shift: shift)
      return Int8(truncatingIfNeeded: Swift.min(high, Swift.max(low, value)))
    }
  }

  /// `clamp(x, low, high)`.
  struct Clamp: Int8Function {
    let low: Int8, high: Int8

    @inline(__always)
    func apply(_ x: Int8) -> Int8 { Swift.min(high, Swift.max(low, x)) }
  }

  /// TFLM's `QuantizeLeakyRelu`: `zp_out + MBQM(v, identity)` for `v = x − zp_in ≥ 0`, else
  /// `zp_out ± MBQM(v, |alpha|)` (the product negated for a negative alpha), clamped to int8.
  struct LeakyRelu: Int8Function {
    let inputZeroPoint: Int32, outputZeroPoint: Int32
    let identityMultiplier: Int32, identityShift: Int32
    let alphaMultiplier: Int32, alphaShift: Int32
    /// −1 when alpha is negative, else 1.
    let alphaSign: Int32

    @inline(__always)
    func apply(_ x: Int8) -> Int8 {
      let v = Int32(x) &- inputZeroPoint
      let positive = VectorFixedPoint.multiply(v, by: identityMultiplier, shift: identityShift)
      let negative =
        VectorFixedPoint.multiply(v, by: alphaMultiplier, shift: alphaShift) &* alphaSign
      let value = outputZeroPoint &+ (v >= 0 ? positive : negative)
      return Int8(truncatingIfNeeded: Swift.min(127, Swift.max(-128, value)))
    }
  }

  private let function: Function
  private let count: Int
  private let inputIndex: Int32, outputIndex: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  /// A kernel applying `function` to `count` elements of tensor `inputIndex`, writing tensor
  /// `outputIndex`.
  init(inputIndex: Int, outputIndex: Int, count: Int, function: Function) {
    self.function = function
    self.count = count
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(Int(inputIndex)))
    output = memory.int8(Int(outputIndex))
  }

  override func invoke() {
    switch function {
    case .requantize(let f): Self.map(f, input, output, count)
    case .clamp(let low, let high): Self.map(Clamp(low: low, high: high), input, output, count)
    case .leakyRelu(let f): Self.map(f, input, output, count)
    }
  }

  @inline(__always)
  private static func map<F: Int8Function>(
    _ f: F, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>, _ count: Int
  ) {
    Blocks.map(input, output, count: count) { x, y in
      for j in 0..<Blocks.width { y[j] = f.apply(x[j]) }
    }
  }
}

/// A function of one int8 value giving int8.
protocol Int8Function {
  /// The output for input `x`.
  func apply(_ x: Int8) -> Int8
}

extension Int8Function {
  /// The function evaluated at every int8 value, in two's-complement byte order (for tests
  /// that compare it with a reference table).
  var table: [Int8] { (0..<256).map { apply(Int8(truncatingIfNeeded: $0)) } }
}
