import Testing

@testable import VigilInference

/// SUB against TFLM goldens (`Fixtures/sub`).
@Suite struct SubTests {
  @Test(arguments: try Fixtures.goldenModels("sub"))
  func subMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "sub")
    #expect(difference == nil, "\(model): \(difference ?? "")")
  }

  /// Each precision fixture has scales where computing one multiplier in float instead of
  /// double changes it; matching TFLM on them (above) pins SUB's arithmetic to double.
  @Test(arguments: [(0, "input1"), (1, "input2"), (2, "output")])
  func precisionFixturesSeparateFloatFromDoubleMultipliers(which: Int, role: String) throws {
    let differences = try MultiplierPrecision.differences(
      fixture: "sub_\(role)_multiplier_precision", op: "sub")
    #expect(differences == [0, 1, 2].map { $0 == which })
  }

  @Test func subWithAPerChannelInputIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "sub_per_channel_input", op: "sub"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.location.contains("SUB"))
    #expect(error.detail.contains("input 2"))
    #expect(error.detail.contains("per tensor"))
  }
}
