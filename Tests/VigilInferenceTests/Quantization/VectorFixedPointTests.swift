import Testing

@testable import VigilInference

/// The branch-free forms the kernels vectorize give exactly TFLite's scalar arithmetic
/// (``FixedPoint``, ``GemmlowpFixedPoint``) on their domains.
@Suite struct VectorFixedPointTests {
  /// int32 extremes, ties of every rounding shift, small values and seeded noise.
  static let values: [Int32] = {
    var values: [Int32] = [.min, .min + 1, -1 << 30, -65_537, -256, -3, -2, -1, 0, 1, 2, 3, 255]
    values += [65_536, 1 << 30, .max - 1, .max]
    for shift in Int32(1)...31 {
      let half = Int32(truncatingIfNeeded: Int64(1) << Int64(shift - 1))
      values += [half, 0 &- half, half &+ 1, 0 &- half &- 1, 3 &* half, 0 &- 3 &* half]
    }
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    for _ in 0..<600 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      values.append(Int32(truncatingIfNeeded: state >> 29) >> Int32(state % 24))
    }
    return values
  }()

  static let multipliers: [Int32] = [0, 1, 715_827_883, 1 << 30, 1_518_500_250, .max]

  @Test func highMultiplyEqualsSaturatingRoundingDoublingHighMulForEveryMultiplierButMin() {
    for a in Self.values {
      for b in Self.multipliers + [-1, -(1 << 30), .min + 1] + Self.values.filter({ $0 != .min }) {
        #expect(
          VectorFixedPoint.highMul(a, b) == FixedPoint.saturatingRoundingDoublingHighMul(a, b),
          "\(a) × \(b)")
      }
    }
  }

  @Test func theSixteenLaneHighMultiplyEqualsTheScalarOneInEveryLane() {
    // Sixteen consecutive values per vector, so every value meets both even and odd lanes.
    let values = Self.values
    for b in Self.multipliers + [-1, -(1 << 30), .min + 1, 1_073_741_825, 2_147_483_646] {
      for start in 0..<(values.count - 16) {
        let lanes = SIMD16<Int32>((0..<16).map { values[start + $0] })
        let vector = VectorFixedPoint.highMul(lanes, b)
        for lane in 0..<16 where vector[lane] != VectorFixedPoint.highMul(lanes[lane], b) {
          Issue.record("lane \(lane): \(lanes[lane]) × \(b) gave \(vector[lane])")
          return
        }
      }
    }
  }

  @Test func theThirtyTwoBitHighMultiplyOfAShiftedInputEqualsTheSixtyFourBitOneForEveryInput() {
    // Every v with |v| < 2^11 (ADD's inputs offset by a zero point lie within ±255), shifted
    // left by 20 as TFLM's ADD does, against every kind of non-negative multiplier.
    var multipliers = Self.multipliers.filter { $0 >= 0 } + [2047, 2048, (1 << 30) + 2047]
    var state: UInt64 = 99
    for _ in 0..<40 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      multipliers.append(Int32(truncatingIfNeeded: state >> 33))
    }
    var compared = 0
    for m in multipliers {
      let (high, low) = VectorFixedPoint.splitForShifted20(m)
      for v in Int32(-2047)...2047 {
        let expected = FixedPoint.saturatingRoundingDoublingHighMul(v &<< 20, m)
        let actual = VectorFixedPoint.highMulOfShifted20(v, high: high, low: low)
        if actual != expected {
          Issue.record("v \(v), m \(m): \(actual) instead of \(expected)")
          return
        }
        compared += 1
      }
    }
    #expect(compared == multipliers.count * 4095)
  }

  @Test func roundingShiftRightEqualsRoundingDivideByPOTForShifts0To31() {
    for x in Self.values {
      for exponent in Int32(0)...31 {
        #expect(
          VectorFixedPoint.roundingShiftRight(x, exponent)
            == FixedPoint.roundingDivideByPOT(x, exponent), "\(x) >> \(exponent)")
      }
    }
  }

  @Test func multiplyEqualsMultiplyByQuantizedMultiplierForEveryShift() {
    for x in Self.values {
      for multiplier in Self.multipliers {
        for shift in Int32(-31)...30 {
          #expect(
            VectorFixedPoint.multiply(x, by: multiplier, shift: shift)
              == FixedPoint.multiply(x, by: multiplier, shift: shift),
            "\(x) · \(multiplier) · 2^\(shift)")
        }
        for right in Int32(0)...31 {
          #expect(
            VectorFixedPoint.multiplySmallerThanOne(x, by: multiplier, right: right)
              == FixedPoint.multiplySmallerThanOne(x, by: multiplier, shift: -right))
        }
      }
    }
  }

  /// Q5.26 arguments over all of [−32, 0] on a grid of 2^14 raw steps, every one of the last
  /// 2^16 before 0, and those around each barrel-shifter bit.
  @Test func softmaxsBranchFreeExponentialEqualsGemmlowpsExpOnNegativeValues() {
    var arguments: [Int32] = Array(stride(from: Int32.min, through: 0, by: 1 << 14))
    arguments += (0..<(1 << 16)).map { -Int32($0) }
    for bit in Int32(20)...30 {
      let center = -(Int32(1) << bit)
      arguments += (-512...512).map { center &+ Int32($0) }.filter { $0 <= 0 }
    }
    var mismatches = 0
    for a in arguments
    where SoftmaxKernel.exponential(a) != GemmlowpFixedPoint.expOnNegativeValues(a, integerBits: 5)
    {
      mismatches += 1
    }
    #expect(mismatches == 0)
    #expect(arguments.count > 190_000)
  }
}
