import Testing

@testable import VigilInference

@Suite struct FixedPointTests {
  @Test func quantizeMultiplierSplitsARealIntoQ31AndAPowerOfTwoAsFrexpDoes() {
    #expect(FixedPoint.Multiplier(0.5) == .init(multiplier: 1 << 30, shift: 0))
    #expect(FixedPoint.Multiplier(1.0) == .init(multiplier: 1 << 30, shift: 1))
    #expect(FixedPoint.Multiplier(0.75) == .init(multiplier: 1_610_612_736, shift: 0))
    #expect(FixedPoint.Multiplier(3.0) == .init(multiplier: 1_610_612_736, shift: 2))
    // 0.0037 = 0.9472 × 2^-8: q × 2^31 = 2034096511.39, rounded.
    #expect(FixedPoint.Multiplier(0.0037) == .init(multiplier: 2_034_096_511, shift: -8))
  }

  @Test func aSignificandThatRoundsUpToOneIsRenormalised() {
    #expect(FixedPoint.Multiplier(0.999_999_999_9) == .init(multiplier: 1 << 30, shift: 1))
  }

  @Test func multipliersBelowTwoToTheMinus31FlushToZero() {
    #expect(FixedPoint.Multiplier(0x1p-40) == .init(multiplier: 0, shift: 0))
    #expect(FixedPoint.Multiplier(0) == .init(multiplier: 0, shift: 0))
  }

  @Test
  func saturatingRoundingDoublingHighMulRoundsPositiveTiesUpNegativeTiesTowardZeroAndSaturates() {
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(Int32.min, Int32.min) == Int32.max)
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(1 << 30, 1 << 30) == 1 << 29)
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(101, 1 << 30) == 51)  // 50.5 → 51
    // A negative tie rounds toward zero: gemmlowp's nudge for negative products is 1 − 2^30.
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(-101, 1 << 30) == -50)  // −50.5 → −50
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(-103, 1 << 30) == -51)  // −51.5 → −51
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(100, 1 << 30) == 50)
  }

  @Test func roundingDivideByPowerOfTwoRoundsHalfAwayFromZero() {
    #expect(FixedPoint.roundingDivideByPOT(5, 1) == 3)
    #expect(FixedPoint.roundingDivideByPOT(-5, 1) == -3)
    #expect(FixedPoint.roundingDivideByPOT(4, 1) == 2)
    #expect(FixedPoint.roundingDivideByPOT(-3, 1) == -2)
    #expect(FixedPoint.roundingDivideByPOT(7, 2) == 2)
    #expect(FixedPoint.roundingDivideByPOT(-6, 2) == -2)
    #expect(FixedPoint.roundingDivideByPOT(6, 2) == 2)
    #expect(FixedPoint.roundingDivideByPOT(123, 0) == 123)
  }

  @Test func requantizationRoundsTwiceAsTFLMDoesNotOnce() {
    // 5 × 0.25: single rounding gives 1; TFLM's high-mul-then-shift gives 2.5 → 3 → 1.5 → 2.
    #expect(FixedPoint.multiply(5, by: 1 << 30, shift: -1) == 2)
    // Positive shifts scale up before the high multiply: 3 × 0.5 × 2^2 = 6.
    #expect(FixedPoint.multiply(3, by: 1 << 30, shift: 2) == 6)
  }
}
