import Testing

@testable import VigilInference

/// LEAKY_RELU against TFLM goldens (`Fixtures/leaky_relu`): alpha 0.2, −0.3, 1.7, 0.1, and
/// −0.5 with scales that make exact rounding ties (which pins down TFLM's sign handling).
@Suite struct LeakyReluTests {
  @Test(arguments: try Fixtures.goldenModels("leaky_relu"))
  func leakyReluMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "leaky_relu")
    #expect(difference == nil, "\(model): \(difference ?? "")")
  }

  @Test func leakyReluWithTwoInputsIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "leaky_relu_two_inputs", op: "leaky_relu"))
    #expect(error.kind == .unsupportedOperatorConfiguration)
    #expect(error.detail.contains("has 2 inputs"))
  }
}
