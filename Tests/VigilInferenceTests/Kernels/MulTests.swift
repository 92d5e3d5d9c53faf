import Testing

@testable import VigilInference

/// MUL against TFLM goldens (`Fixtures/mul`): 4-D and 6-D broadcasts, rank-0 and per-channel
/// constants, squaring, a rescale above 1 (version 3), fused activations.
@Suite struct MulTests {
  @Test(arguments: try Fixtures.goldenModels("mul"))
  func mulMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "mul")
    #expect(difference == nil, "\(model): \(difference ?? "")")
  }

  @Test func mulWithFusedTanhIsRejectedNamingTheActivation() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "mul_fused_tanh", op: "mul"))
    #expect(error.kind == .unsupportedOperatorConfiguration)
    #expect(error.detail.contains("fused activation 4"))
  }

  @Test func mulWhoseRequantizationWouldOverflowIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "mul_rescale_overflows", op: "mul"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.detail.contains("too large"))
  }
}
