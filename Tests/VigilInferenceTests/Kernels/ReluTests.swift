import Testing

@testable import VigilInference

/// RELU against TFLM goldens (`Fixtures/relu`): converted (output requantized to a different
/// scale), identical quantization, and an output scale a quarter of the input's.
@Suite struct ReluTests {
  @Test(arguments: try Fixtures.goldenModels("relu"))
  func reluMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "relu")
    #expect(difference == nil, "\(model): \(difference ?? "")")
  }

  @Test func reluOfInt16IsRejectedNamingTheType() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "relu_int16_v2", op: "relu"))
    #expect(error.kind == .unsupportedTensorType)
    #expect(error.detail.contains("INT16"))
  }

  @Test func reluVersion3IsRejectedAtLoad() throws {
    let error = try #require(try GoldenRunner.preparationError(invalid: "relu_int16", op: "relu"))
    #expect(error.kind == .unsupportedOperatorVersion)
  }
}
