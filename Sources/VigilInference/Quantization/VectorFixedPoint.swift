/// Branch-free forms of ``FixedPoint``'s arithmetic, for inner loops LLVM vectorizes.
///
/// Each function gives exactly ``FixedPoint``'s result on the domain it states. The only case
/// they leave out is the saturating one of `SaturatingRoundingDoublingHighMul`
/// (`a == b == Int32.min`), which needs a multiplier of −2^31: `QuantizeMultiplier` never
/// produces one for a positive scale, and the gemmlowp constants are positive, so kernels check
/// their multipliers when preparing instead of testing every element.
///
/// - `highMul`: the int64 product plus 2^30, shifted right by 31 (gemmlowp's sign-dependent
///   nudge and truncating division come to that for either sign).
/// - `roundingShiftRight`: `RoundingDivideByPOT` with the mask and threshold computed without
///   branches (a shift by 31 gives the mask `Int32.max`, as the 64-bit form does).
enum VectorFixedPoint {
  /// `SaturatingRoundingDoublingHighMul(a, b)` for `b != Int32.min`.
  ///
  /// gemmlowp nudges the product `p` by 2^30, or by `1 − 2^30` when it is negative, and
  /// divides by 2^31 truncating toward zero. For `p < 0` the nudged value is negative, so the
  /// truncation is a ceiling, and `⌈(p + 1 − 2^30) / 2^31⌉ = ⌊(p + 2^30) / 2^31⌋`: both
  /// signs are one arithmetic shift of `p + 2^30` (no select, no bias for negatives).
  @inline(__always)
  static func highMul(_ a: Int32, _ b: Int32) -> Int32 {
    Int32(truncatingIfNeeded: (Int64(a) &* Int64(b) &+ (1 << 30)) &>> 31)
  }

  /// ``highMul(_:_:)`` of sixteen lanes by one multiplier, in 64-bit lanes without widening:
  /// the even lanes are sign-extended in place and the odd ones shifted down, each half is
  /// one 32 × 32 → 64-bit signed multiply (`vpmuldq` on x86-64), and the two halves' results
  /// are put back in their dwords (the even result's low 32 bits, and the odd product shifted
  /// left by one, which puts bits 31…62 in the high dword).
  @inline(__always)
  static func highMul(_ a: SIMD16<Int32>, _ b: Int32) -> SIMD16<Int32> {
    let wide = unsafeBitCast(a, to: SIMD8<Int64>.self)
    let even = (wide &<< 32) &>> 32
    let odd = wide &>> 32
    let multiplier = SIMD8<Int64>(repeating: Int64(b))
    let nudge = SIMD8<Int64>(repeating: 1 << 30)
    let evenResult = ((even &* multiplier &+ nudge) &>> 31) & 0xFFFF_FFFF
    let oddResult = ((odd &* multiplier &+ nudge) &<< 1) & ~0xFFFF_FFFF
    return unsafeBitCast(evenResult | oddResult, to: SIMD16<Int32>.self)
  }

  /// `SaturatingRoundingDoublingHighMul(v · 2^20, m)` for |v| < 2^11 and m ≥ 0 (ADD's and
  /// SUB's input rescaling), in 32-bit arithmetic only.
  ///
  /// With `v · 2^20` the product is a multiple of 2^20, so the nudged truncating division by
  /// 2^31 is `⌊(v·m + 2^10) / 2^11⌋` for either sign (round half up). Splitting
  /// `m = high · 2^11 + low` (``splitForShifted20(_:)``), that is
  /// `v·high + ⌊(v·low + 2^10) / 2^11⌋`, where |v·high| < 2^31 and |v·low| < 2^22.
  @inline(__always)
  static func highMulOfShifted20(_ v: Int32, high: Int32, low: Int32) -> Int32 {
    v &* high &+ ((v &* low &+ (1 << 10)) &>> 11)
  }

  /// A non-negative multiplier `m` as `(high, low)` with `m = high · 2^11 + low`, for
  /// ``highMulOfShifted20(_:high:low:)``.
  static func splitForShifted20(_ m: Int32) -> (high: Int32, low: Int32) {
    (m &>> 11, m & 0x7FF)
  }

  /// `RoundingDivideByPOT(x, exponent)` for `exponent` in 0...31.
  @inline(__always)
  static func roundingShiftRight(_ x: Int32, _ exponent: Int32) -> Int32 {
    let mask = (Int32(1) &<< exponent) &- 1
    let remainder = x & mask
    let threshold = (mask &>> 1) &+ ((x &>> 31) & 1)
    return (x &>> exponent) &+ (remainder > threshold ? 1 : 0)
  }

  /// `RoundingDivideByPOT(x, exponent)` for `x ≥ 0` and `exponent` in 0...31: adding half and
  /// shifting, in unsigned arithmetic so the sum cannot overflow.
  @inline(__always)
  static func roundingShiftRightNonNegative(_ x: Int32, _ exponent: Int32) -> Int32 {
    let half = (UInt32(1) &<< UInt32(exponent)) &>> 1
    return Int32(bitPattern: (UInt32(bitPattern: x) &+ half) &>> UInt32(exponent))
  }

  /// `MultiplyByQuantizedMultiplier(x, multiplier, shift)` (double rounding) for a multiplier
  /// other than `Int32.min` and `shift` in −31...30; `x · 2^shift` wraps as the C++ does in
  /// practice.
  @inline(__always)
  static func multiply(_ x: Int32, by multiplier: Int32, shift: Int32) -> Int32 {
    let left = shift > 0 ? shift : 0
    let right = shift > 0 ? 0 : 0 &- shift
    return roundingShiftRight(highMul(x &<< left, multiplier), right)
  }

  /// `MultiplyByQuantizedMultiplierSmallerThanOneExp(x, multiplier, −right)` for a multiplier
  /// other than `Int32.min` and `right` in 0...31.
  @inline(__always)
  static func multiplySmallerThanOne(_ x: Int32, by multiplier: Int32, right: Int32) -> Int32 {
    roundingShiftRight(highMul(x, multiplier), right)
  }
}
