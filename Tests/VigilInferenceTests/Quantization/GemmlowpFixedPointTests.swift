import Foundation
import Testing
import VigilInference

/// gemmlowp's fixed-point functions against values from the reference definitions
/// (`fixedpoint/fixedpoint.h`, transcribed independently in Python by
/// `Tools/fixtures/gemmlowp_reference.py`, which prints the tables below) and against the real
/// functions they approximate.
@Suite struct GemmlowpFixedPointTests {
  typealias G = GemmlowpFixedPoint

  /// Raw Q(integerBits) value of `x`, rounded to nearest.
  static func raw(_ x: Double, integerBits: Int) -> Int32 {
    Int32(
      clamping: Int64(
        (x * Double(sign: .plus, exponent: 31 - integerBits, significand: 1)).rounded()))
  }

  /// The real value of a Q0.31 raw value.
  static func real(_ raw: Int32) -> Double { Double(raw) / 2_147_483_648 }

  @Test(arguments: [
    (Int32(0), Int32(2_147_483_647)), (-8_388_608, 1_895_147_668), (-16_777_216, 1_672_462_419),
    (-67_108_864, 790_015_308), (-100_663_296, 479_168_506), (-134_217_728, 290_630_390),
    (-251_658_240, 50_503_989), (-536_870_912, 720_401), (-1_073_741_824, 242),
    (-2_140_772_762, 0),
  ])
  func expOnNegativeValuesInQ5MatchesTheReferenceDefinition(input: Int32, expected: Int32) {
    #expect(G.expOnNegativeValues(input, integerBits: 5) == expected)
  }

  @Test(arguments: [
    (Int32(-1_073_741_824), 0, Int32(1_302_515_042)), (-2_145_336_164, 0, 790_805_710),
    (-52_428_800, 12, 0), (-20_971_520, 12, 0), (-1_572_864, 12, 106_916_946),
  ])
  func expOnNegativeValuesInOtherFormatsMatchesTheReferenceDefinition(
    input: Int32, integerBits: Int, expected: Int32
  ) {
    #expect(G.expOnNegativeValues(input, integerBits: integerBits) == expected)
  }

  @Test(arguments: [
    (Int32(0), Int32(2_147_483_647), Int32(2_147_483_647)),
    (536_870_912, 1_717_986_914, 1_288_490_180), (1_073_741_824, 1_431_655_762, 715_827_876),
    (1_610_612_736, 1_227_133_516, 306_783_384), (2_145_336_164, 1_074_278_968, 1_074_288),
  ])
  func reciprocalsOnTheUnitIntervalMatchTheReferenceDefinition(
    input: Int32, oneOver: Int32, oneMinusOver: Int32
  ) {
    #expect(G.oneOverOnePlusXForXIn01(input) == oneOver)
    #expect(G.oneMinusXOverOnePlusXForXIn01(input) == oneMinusOver)
  }

  @Test(arguments: [
    (Int32(0), Int32(1_073_741_824), Int32(0)), (67_108_864, 1_336_721_090, 992_388_804),
    (-67_108_864, 810_762_557, -992_388_804), (134_217_728, 1_569_936_226, 1_635_510_876),
    (-134_217_728, 577_547_421, -1_635_510_876), (335_544_320, 1_984_579_402, 2_118_738_064),
    (-335_544_320, 162_904_245, -2_118_738_064), (1_060_320_051, 2_146_687_774, 2_147_483_052),
    (-1_060_320_051, 795_873, -2_147_483_052), (2_146_141_471, 2_147_483_406, 2_147_483_647),
  ])
  func logisticAndTanhInQ4MatchTheReferenceDefinition(
    input: Int32, logistic: Int32, tanh: Int32
  ) {
    #expect(G.logistic(input, integerBits: 4) == logistic)
    #expect(G.tanh(input, integerBits: 4) == tanh)
  }

  @Test(arguments: [
    (Int32(524_288), Int32(2_147_483_647), 0), (786_432, 1_431_655_762, 0),
    (1_572_864, 1_431_655_762, 1), (3_670_016, 1_227_133_516, 2), (52_428_800, 1_374_389_534, 6),
    (268_383_027, 1_073_951_580, 8),
  ])
  func reciprocalOfAQ12SumMatchesTFLiteGetReciprocal(input: Int32, scale: Int32, bits: Int) {
    let result = G.reciprocal(input, integerDigits: 12)
    #expect(result.scale == scale)
    #expect(result.bitsOverUnit == bits)
  }

  @Test func expOnNegativeValuesIsWithinTwoToTheMinus21OfExp() {
    var worst = 0.0
    for i in 0...20_000 {
      let x = -31.9 * Double(i) / 20_000
      let a = Self.raw(x, integerBits: 5)
      let exact = Foundation.exp(Double(a) / Double(1 << 26))
      worst = max(worst, abs(Self.real(G.expOnNegativeValues(a, integerBits: 5)) - exact))
    }
    #expect(worst < 5e-7)
  }

  @Test func logisticAndTanhAreWithinTwoToTheMinus21OfTheRealFunctions() {
    var worstLogistic = 0.0
    var worstTanh = 0.0
    for i in -20_000...20_000 {
      let a = Self.raw(15.9 * Double(i) / 20_000, integerBits: 4)
      let x = Double(a) / Double(1 << 27)
      worstLogistic = max(
        worstLogistic, abs(Self.real(G.logistic(a, integerBits: 4)) - 1 / (1 + Foundation.exp(-x))))
      worstTanh = max(worstTanh, abs(Self.real(G.tanh(a, integerBits: 4)) - Foundation.tanh(x)))
    }
    #expect(worstLogistic < 2e-7)
    #expect(worstTanh < 3e-7)
  }

  @Test func oneOverOnePlusXIsWithinTwoToTheMinus26OfTheQuotient() {
    var worst = 0.0
    for i in 0..<10_000 {
      let a = Self.raw(Double(i) / 10_000, integerBits: 0)
      worst = max(worst, abs(Self.real(G.oneOverOnePlusXForXIn01(a)) - 1 / (1 + Self.real(a))))
    }
    #expect(worst < 1.5e-8)
  }

  @Test func logisticIsPointSymmetricAndTanhIsOdd() {
    for a in stride(from: Int32(-2_000_000_000), through: 2_000_000_000, by: 7_654_321) {
      #expect(G.logistic(a, integerBits: 4) &+ G.logistic(0 &- a, integerBits: 4) == Int32.max)
      #expect(G.tanh(a, integerBits: 4) == 0 &- G.tanh(0 &- a, integerBits: 4))
    }
  }

  @Test func multiplyByPowerOfTwoRoundsHalvesAwayFromZeroAndSaturates() {
    #expect(G.saturatingRoundingMultiplyByPOT(5, -1) == 3)
    #expect(G.saturatingRoundingMultiplyByPOT(-5, -1) == -3)
    #expect(G.saturatingRoundingMultiplyByPOT(6, -2) == 2)
    #expect(G.saturatingRoundingMultiplyByPOT(-6, -2) == -2)
    #expect(G.saturatingRoundingMultiplyByPOT(1 << 29, 2) == Int32.max)
    #expect(G.saturatingRoundingMultiplyByPOT(-(1 << 29), 2) == Int32.min)
    #expect(G.saturatingRoundingMultiplyByPOT((1 << 29) - 1, 2) == 2_147_483_644)
    #expect(G.rescale(1 << 20, from: 5, to: 3) == 1 << 22)
  }

  @Test func roundingHalfSumRoundsHalvesAwayFromZero() {
    #expect(G.roundingHalfSum(1, 2) == 2)
    #expect(G.roundingHalfSum(-1, -2) == -2)
    #expect(G.roundingHalfSum(Int32.max, Int32.max) == Int32.max)
    #expect(G.roundingHalfSum(Int32.min, Int32.min) == Int32.min)
  }
}
