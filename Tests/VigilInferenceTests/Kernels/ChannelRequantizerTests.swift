import Testing

@testable import VigilInference

@Suite struct ChannelRequantizerTests {
  /// Accumulators at the int32 extremes, around zero and at powers of two, and seeded noise.
  static let accumulators: [Int32] = {
    var values: [Int32] = [.min, .min + 1, -1 << 30, -65_537, -256, -2, -1, 0, 1, 2, 255, 65_536]
    values += [1 << 30, .max - 1, .max]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<400 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      values.append(Int32(truncatingIfNeeded: state >> 29) >> Int32(state % 16))
    }
    return values
  }()

  @Test func requantizesEveryChannelExactlyAsTheScalarTFLMPathDoes() {
    // One channel per shift in [-31, 30], with multipliers at both ends of [2^30, 2^31).
    var multipliers: [Int32] = []
    var shifts: [Int32] = []
    for shift in Int32(-31)...30 {
      for multiplier in [Int32(1 << 30), 1_518_500_250, .max, 0] {
        multipliers.append(multiplier)
        shifts.append(shift)
      }
    }
    let count = multipliers.count
    let scalar = Requantizer(outputZeroPoint: -7, activationMin: -100, activationMax: 120)
    let vector = ChannelRequantizer(
      multipliers: multipliers, shifts: shifts, count: count, outputZeroPoint: -7,
      activationMin: -100, activationMax: 120)!
    var output = [Int8](repeating: 0, count: count)
    var compared = 0
    for x in Self.accumulators {
      let acc = [Int32](repeating: x, count: count)
      output.withUnsafeMutableBufferPointer { vector.requantize(acc, into: $0.baseAddress!) }
      for c in 0..<count {
        let expected = scalar.int8(x, multiplier: multipliers[c], shift: shifts[c])
        #expect(output[c] == expected, "acc \(x), multiplier \(multipliers[c]), shift \(shifts[c])")
        compared += 1
      }
    }
    #expect(compared == 415 * 248)
  }

  @Test func refusesAShiftTFLMsArithmeticCannotExpress() {
    let made = ChannelRequantizer(
      multipliers: [1 << 30], shifts: [31], count: 1, outputZeroPoint: 0, activationMin: -128,
      activationMax: 127)
    #expect(made == nil)
  }
}
