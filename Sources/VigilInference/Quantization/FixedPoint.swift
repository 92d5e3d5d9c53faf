/// TFLite's integer requantization arithmetic, reproduced bit for bit.
///
/// Vigil must give exactly TensorFlow Lite Micro's results, so these follow
/// `tensorflow/lite/kernels/internal/common.{h,cc}` and `quantization_util.cc` with TFLM's
/// default build, which uses *double rounding* (`TFLITE_SINGLE_ROUNDING` undefined):
/// a saturating rounding doubling high multiply, then a rounding right shift.
public enum FixedPoint {
  /// A real multiplier as a Q31 fixed-point value and a power-of-two exponent:
  /// `real ≈ multiplier × 2^(shift − 31)`.
  public struct Multiplier: Equatable, Sendable {
    /// The Q31 significand, in [2^30, 2^31), or 0.
    public var multiplier: Int32
    /// The power-of-two exponent; positive shifts left, negative shifts right.
    public var shift: Int32

    /// Creates a multiplier from its parts.
    public init(multiplier: Int32, shift: Int32) {
      self.multiplier = multiplier
      self.shift = shift
    }

    /// Quantizes `real` as TFLite's `QuantizeMultiplier` does: `frexp`, round half away from
    /// zero to Q31, renormalise a rounded-up 1.0, and flush exponents below −31 to zero.
    public init(_ real: Double) {
      guard real != 0, real.isFinite else {
        self.init(multiplier: 0, shift: 0)
        return
      }
      // frexp: real = q × 2^exponent with |q| in [0.5, 1).
      var exponent = Int32(real.exponent) + 1
      let q = real.significand / 2 * (real < 0 ? -1 : 1)
      var fixed = Int64((q * 2_147_483_648.0).rounded(.toNearestOrAwayFromZero))
      if fixed == (Int64(1) << 31) {
        fixed /= 2
        exponent += 1
      }
      if exponent < -31 {
        exponent = 0
        fixed = 0
      }
      self.init(multiplier: Int32(truncatingIfNeeded: fixed), shift: exponent)
    }
  }

  /// gemmlowp's `SaturatingRoundingDoublingHighMul`: the high 32 bits of `2·a·b`, rounded to
  /// nearest (ties away from zero), saturating the single overflow case `a == b == Int32.min`.
  @inline(__always)
  public static func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
    if a == b && a == Int32.min { return Int32.max }
    let product = Int64(a) &* Int64(b)
    let nudge: Int64 = product >= 0 ? (1 << 30) : (1 - (1 << 30))
    // C++ division truncates toward zero; Swift's `/` on integers does the same.
    return Int32(truncatingIfNeeded: (product &+ nudge) / (Int64(1) << 31))
  }

  /// gemmlowp's `RoundingDivideByPOT`: `x / 2^exponent` rounded to nearest, ties away from zero.
  @inline(__always)
  public static func roundingDivideByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
    let mask: Int32 = Int32(truncatingIfNeeded: (Int64(1) << Int64(exponent)) &- 1)
    let remainder = x & mask
    let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
    return (x >> exponent) &+ (remainder > threshold ? 1 : 0)
  }

  /// TFLite's `MultiplyByQuantizedMultiplier` (double rounding): scales an int32 accumulator
  /// by `multiplier × 2^(shift − 31)`.
  @inline(__always)
  public static func multiply(_ x: Int32, by multiplier: Int32, shift: Int32) -> Int32 {
    let leftShift = shift > 0 ? shift : 0
    let rightShift = shift > 0 ? 0 : -shift
    return roundingDivideByPOT(
      saturatingRoundingDoublingHighMul(x &* (Int32(1) &<< leftShift), multiplier), rightShift)
  }

  /// TFLite's `MultiplyByQuantizedMultiplierSmallerThanOneExp`, used by ADD and SUB.
  @inline(__always)
  public static func multiplySmallerThanOne(_ x: Int32, by multiplier: Int32, shift: Int32) -> Int32
  {
    roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -shift)
  }

  /// TFLite's `MultiplyByQuantizedMultiplierGreaterThanOne`.
  @inline(__always)
  public static func multiplyGreaterThanOne(_ x: Int32, by multiplier: Int32, shift: Int32) -> Int32
  {
    saturatingRoundingDoublingHighMul(x &* (Int32(1) &<< shift), multiplier)
  }
}
