import Testing

@testable import VigilInference

/// LOGISTIC against TFLM goldens (`Fixtures/logistic`): a converted model and every int8 input
/// value at input scales from 0.001 (all inputs inside the saturation radius) to 100 (radius 0).
@Suite struct LogisticTests {
  @Test(arguments: try Fixtures.goldenModels("logistic"))
  func logisticMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "logistic")
    #expect(difference == nil, "\(model): \(difference ?? "")")
  }

  @Test func logisticOfTheZeroPointIsOneHalf() throws {
    let scaling = try #require(SigmoidInputScaling(scale: 0.1))
    let table = LogisticKernel.table(scaling, inputZeroPoint: 7)
    #expect(table[7] == 0)  // 0.5 in steps of 1/256 from −128
    #expect(table[Int(UInt8(bitPattern: -128))] == -128)
    #expect(table[127] == 127)
  }

  @Test func saturationRadiusFollowsTFLMsCalculateInputRadius() throws {
    // scale 0.1: 0.1 · 2^27 = 13421772.8 = 0.8 · 2^24, so the left shift is 24 and the radius
    // floor(15 · 2^27 / 2^24) = 120.
    let scaling = try #require(SigmoidInputScaling(scale: 0.1))
    #expect(scaling.leftShift == 24)
    #expect(scaling.radius == 120)
    #expect(SigmoidInputScaling(scale: 100)?.radius == 0)
    #expect(SigmoidInputScaling(scale: 1e-9) == nil)
  }

  @Test func logisticWithTheWrongOutputZeroPointIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "logistic_output_zero_point", op: "logistic"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.location.contains("LOGISTIC"))
    #expect(error.detail.contains("scale 1/256, zero point -128"))
  }
}
