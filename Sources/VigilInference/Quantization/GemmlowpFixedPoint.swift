/// gemmlowp's scalar fixed-point arithmetic, reproduced bit for bit for int32 raw values.
///
/// Source: gemmlowp `fixedpoint/fixedpoint.h` (google/gemmlowp), which TensorFlow Lite Micro
/// uses for LOGISTIC, TANH and SOFTMAX (recent TFLM carries an adapted copy as
/// `tensorflow/lite/micro/kernels/internal/fixedpoint.h`; the arithmetic is the same), plus
/// `GetReciprocal` from TFLite's `kernels/internal/common.h`.
///
/// A gemmlowp `FixedPoint<int32_t, IntegerBits>` is a raw `Int32` read as
/// `raw / 2^(31 − IntegerBits)`: `IntegerBits` bits left of the binary point besides the sign.
/// Swift has no integer template parameters usable here, so the integer-bit counts are passed
/// as arguments; every function states the formats of its arguments and result. gemmlowp's
/// non-saturating `+`, `-` and negation are undefined on overflow in C++; the algorithms below
/// never overflow on their documented domains, and Swift's wrapping operators are used so an
/// out-of-domain argument gives a wrong value rather than a trap.
public enum GemmlowpFixedPoint {
  // MARK: Primitives

  /// `FixedPoint<int32_t, integerBits>::One()`: 1.0, or the largest value below 1 when there
  /// are no integer bits.
  @inline(__always)
  public static func one(integerBits: Int) -> Int32 {
    integerBits == 0 ? Int32.max : Int32(1) << (31 - integerBits)
  }

  /// `ConstantPOT<exponent>()` in a format with `integerBits` integer bits: exactly `2^exponent`.
  @inline(__always)
  public static func constantPOT(_ exponent: Int, integerBits: Int) -> Int32 {
    Int32(1) << (31 - integerBits + exponent)
  }

  /// Fixed-point `a * b`: `SaturatingRoundingDoublingHighMul` of the raw values. The result's
  /// integer bits are the sum of the operands'.
  @inline(__always)
  public static func multiply(_ a: Int32, _ b: Int32) -> Int32 {
    FixedPoint.saturatingRoundingDoublingHighMul(a, b)
  }

  /// `RoundingHalfSum(a, b)`: `(a + b) / 2` rounded to nearest, ties away from zero (VRHADD).
  @inline(__always)
  public static func roundingHalfSum(_ a: Int32, _ b: Int32) -> Int32 {
    let sum = Int64(a) + Int64(b)
    let sign: Int64 = sum >= 0 ? 1 : -1
    return Int32(truncatingIfNeeded: (sum + sign) / 2)
  }

  /// `SaturatingRoundingMultiplyByPOT<exponent>(x)`: a saturating left shift for a positive
  /// exponent, a rounding right shift (`RoundingDivideByPOT`) for a negative one.
  @inline(__always)
  public static func saturatingRoundingMultiplyByPOT(_ x: Int32, _ exponent: Int) -> Int32 {
    if exponent == 0 { return x }
    if exponent < 0 { return FixedPoint.roundingDivideByPOT(x, Int32(-exponent)) }
    let threshold = (Int32(1) << (31 - exponent)) &- 1
    if x > threshold { return Int32.max }
    if x < -threshold { return Int32.min }
    return x << exponent
  }

  /// `Rescale<to>(x)` for `x` with `from` integer bits: the same real value with `to` integer
  /// bits, rounding when bits are dropped and saturating when the value does not fit.
  @inline(__always)
  public static func rescale(_ x: Int32, from: Int, to: Int) -> Int32 {
    saturatingRoundingMultiplyByPOT(x, from - to)
  }

  // MARK: Exponential

  /// `exp_on_interval_between_negative_one_quarter_and_0_excl`: `exp(a)` for `a` in [−1/4, 0),
  /// both Q0.31, by a fourth-order Taylor expansion around −1/8.
  public static func expOnIntervalBetweenNegativeOneQuarterAnd0Excl(_ a: Int32) -> Int32 {
    let constantTerm: Int32 = 1_895_147_668  // exp(−1/8)
    let constantOneThird: Int32 = 715_827_883  // 1/3
    let x = a &+ constantPOT(-3, integerBits: 0)
    let x2 = multiply(x, x)
    let x3 = multiply(x2, x)
    let x4 = multiply(x2, x2)
    let x4Over4 = saturatingRoundingMultiplyByPOT(x4, -2)
    let x4Over24PlusX3Over6PlusX2Over2 = saturatingRoundingMultiplyByPOT(
      multiply(x4Over4 &+ x3, constantOneThird) &+ x2, -1)
    return constantTerm &+ multiply(constantTerm, x &+ x4Over24PlusX3Over6PlusX2Over2)
  }

  /// `exp_on_negative_values`: `exp(a)` for `a ≤ 0` with `integerBits` integer bits; the
  /// result is Q0.31 (1.0 saturates to `Int32.max`).
  public static func expOnNegativeValues(_ a: Int32, integerBits: Int) -> Int32 {
    let fractionalBits = 31 - integerBits
    let oneQuarter = constantPOT(-2, integerBits: integerBits)
    let mask = oneQuarter &- 1
    let aModQuarterMinusOneQuarter = (a & mask) &- oneQuarter
    var result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
      rescale(aModQuarterMinusOneQuarter, from: integerBits, to: 0))
    let remainder = aModQuarterMinusOneQuarter &- a

    // The barrel shifter: multiply by exp(−2^k) for each bit k of the remainder (constants
    // in Q0.31, as gemmlowp lists them).
    func step(_ exponent: Int, _ multiplier: Int32) {
      guard integerBits > exponent else { return }
      let bit = Int32(1) << (fractionalBits + exponent)
      if remainder & bit != 0 { result = multiply(result, multiplier) }
    }
    step(-2, 1_672_461_947)
    step(-1, 1_302_514_674)
    step(0, 790_015_084)
    step(1, 290_630_308)
    step(2, 39_332_535)
    step(3, 720_401)
    step(4, 242)

    if integerBits > 5 {
      // exp(x) for x < −32 is below the Q0.31 resolution.
      let clamp = -(Int32(1) << (36 - integerBits))
      if a < clamp { result = 0 }
    }
    if a == 0 { result = one(integerBits: 0) }
    return result
  }

  // MARK: Division, tanh, logistic

  /// Newton-Raphson iteration shared by the two `…_for_x_in_0_1` functions: approximately
  /// `1 / (1 + a)` in Q2.29 for `a` in [0, 1) (Q0.31), with its half-denominator.
  private static func reciprocalOfOnePlus(_ a: Int32) -> Int32 {
    let halfDenominator = roundingHalfSum(a, one(integerBits: 0))
    let constant48Over17: Int32 = 1_515_870_810  // Q2.29
    let constantNeg32Over17: Int32 = -1_010_580_540  // Q2.29
    var x = constant48Over17 &+ multiply(halfDenominator, constantNeg32Over17)
    let oneQ2 = one(integerBits: 2)
    for _ in 0..<3 {
      let halfDenominatorTimesX = multiply(halfDenominator, x)  // Q2.29
      let oneMinusHalfDenominatorTimesX = oneQ2 &- halfDenominatorTimesX
      x = x &+ rescale(multiply(x, oneMinusHalfDenominatorTimesX), from: 4, to: 2)
    }
    return x
  }

  /// `one_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` for `a` in [0, 1), Q0.31 in and out.
  public static func oneOverOnePlusXForXIn01(_ a: Int32) -> Int32 {
    // ExactMulByPot<-1> turns Q2.29 into Q1.30 without touching the raw value.
    rescale(reciprocalOfOnePlus(a), from: 1, to: 0)
  }

  /// `one_minus_x_over_one_plus_x_for_x_in_0_1`: `(1 − a) / (1 + a)` for `a` in [0, 1),
  /// Q0.31 in and out.
  public static func oneMinusXOverOnePlusXForXIn01(_ a: Int32) -> Int32 {
    rescale(reciprocalOfOnePlus(a) &- one(integerBits: 2), from: 2, to: 0)
  }

  /// `tanh(a)` for any `a` with `integerBits` integer bits; the result is Q0.31.
  public static func tanh(_ a: Int32, integerBits: Int) -> Int32 {
    if a == 0 { return 0 }
    let negative = a < 0
    let n = negative ? a : 0 &- a
    // neg_tanh_on_negative_values: ExactMulByPot<1> doubles the value by reading it with one
    // more integer bit.
    let t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits: integerBits + 1))
    return negative ? 0 &- t : t
  }

  /// `logistic(a) = 1 / (1 + exp(−a))` for any `a` with `integerBits` integer bits; the result
  /// is Q0.31.
  public static func logistic(_ a: Int32, integerBits: Int) -> Int32 {
    if a == 0 { return Int32(1) << 30 }
    let positive = a > 0
    let absolute = positive ? a : 0 &- a
    let resultIfPositive = oneOverOnePlusXForXIn01(
      expOnNegativeValues(0 &- absolute, integerBits: integerBits))
    return positive ? resultIfPositive : one(integerBits: 0) &- resultIfPositive
  }

  /// TFLite's `GetReciprocal(x, x_integer_digits, &num_bits_over_unit)`: for a positive `x`
  /// with `integerDigits` integer bits, a Q0.31 `scale` and `bitsOverUnit` such that
  /// `1/x ≈ scale × 2^(−bitsOverUnit)`.
  public static func reciprocal(_ x: Int32, integerDigits: Int) -> (
    scale: Int32, bitsOverUnit: Int
  ) {
    let headroomPlusOne = UInt32(bitPattern: x).leadingZeroBitCount
    let bitsOverUnit = integerDigits - headroomPlusOne
    let shiftedSumMinusOne = Int32(
      bitPattern: (UInt32(bitPattern: x) << UInt32(headroomPlusOne)) &- (UInt32(1) << 31))
    return (oneOverOnePlusXForXIn01(shiftedSumMinusOne), bitsOverUnit)
  }
}
