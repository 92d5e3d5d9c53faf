import Testing

@testable import VigilInference

@Suite struct ChannelParametersTests {
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

  @Test func branchFreeRequantizationEqualsTFLMsScalarArithmeticForEveryShift() {
    // One channel per shift in [-31, 30], with multipliers at both ends of [2^30, 2^31) and 0.
    let scalar = Requantizer(outputZeroPoint: -7, activationMin: -100, activationMax: 120)
    var compared = 0
    for shift in Int32(-31)...30 {
      for multiplier in [Int32(1 << 30), 1_518_500_250, .max, 0] {
        for x in Self.accumulators {
          let expected = scalar.int8(x, multiplier: multiplier, shift: shift)
          let actual = ChannelParameters.requantize(
            x, multiplier: multiplier, shift: shift, zeroPoint: -7, low: -100, high: 120)
          #expect(actual == expected, "acc \(x), multiplier \(multiplier), shift \(shift)")
          compared += 1
        }
      }
    }
    #expect(compared == 415 * 248)
  }

  @Test func aShiftTFLitesArithmeticCannotExpressIsRefusedAtLoad() throws {
    let file = AlignedBytes(try LoaderFixture.bytes("dense.tflite"))
    let model = try Model(bytes: file.bytes)
    let context = PrepareContext(model: model, index: 0, info: model.operators[0], scratchSizes: [])
    let weights: [Int8] = [1, 2, 3]
    #expect(throws: ModelError.self) {
      _ = try weights.withUnsafeBufferPointer { filter throws(ModelError) in
        let parameters = try ChannelParameters(
          count: 1, filter: filter.baseAddress!, rowLength: 3, rowStride: 3, bias: nil,
          inputZeroPoint: 0,
          multipliers: ChannelMultipliers(multipliers: [1 << 30], shifts: [31]), outputZeroPoint: 0,
          activationMin: -128, activationMax: 127, context: context)
        _ = parameters.count
      }
    }
  }
}
