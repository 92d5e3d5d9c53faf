/// Division by a fixed positive integer, rounded half away from zero, without a divide
/// instruction: TFLM's averaging rounding `(a > 0 ? a + d/2 : a − d/2) / d` (C++ division,
/// truncating toward zero) computed as a multiply and a shift.
///
/// For `n = |a| + d/2` the quotient `n / d` equals `(n × m) >> s` with `m = ⌊2^s / d⌋ + 1`
/// whenever `n × d < 2^s`: writing `n = q·d + r`, the product is `2^s·(q + r/d) + n·e/d` with
/// `0 < e = m·d − 2^s ≤ d`, and `r + n·e/2^s < d` keeps the floor at `q`. Choosing `s` from the
/// largest dividend makes it exact for every input the caller can produce.
struct RoundingDivisor: Equatable {
  /// The divisor.
  let divisor: Int32
  let magic: UInt64
  let shift: UInt64

  /// A divisor for dividends with `|a| ≤ maximumMagnitude`; `divisor` is 1...2^16 and
  /// `maximumMagnitude` at most 2^24, which keeps every product below 2^64.
  init(_ divisor: Int32, maximumMagnitude: Int64) {
    precondition(divisor >= 1 && divisor <= 1 << 16 && maximumMagnitude <= 1 << 24)
    self.divisor = divisor
    let largest = UInt64(maximumMagnitude) + UInt64(divisor / 2)
    // The smallest shift of at least 1 with (largest × divisor) >> shift == 0.
    let bits = UInt64(64 - (largest * UInt64(divisor)).leadingZeroBitCount)
    let shift = Swift.min(63, Swift.max(1, bits))
    self.shift = shift
    magic = (UInt64(1) << shift) / UInt64(divisor) + 1
  }

  /// `a / divisor` rounded half away from zero, as TFLM's average pooling rounds.
  @inline(__always)
  func divide(_ a: Int32) -> Int32 {
    let magnitude = UInt64(a.magnitude) + UInt64(divisor >> 1)
    let q = Int32(truncatingIfNeeded: (magnitude &* magic) &>> shift)
    let sign = a &>> 31  // 0, or −1 for a negative dividend
    return (q ^ sign) &- sign
  }
}
