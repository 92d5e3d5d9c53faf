import Testing

@testable import VigilInference

/// SOFTMAX against TFLM goldens (`Fixtures/softmax`): depths 1, 7, 9, 10, 13, 33 and 300, beta
/// 0.5, 1 and 2.7, ranks 1, 2 and 4, input scales 0.002 to 1.
@Suite struct SoftmaxTests {
  @Test(arguments: try Fixtures.goldenModels("softmax"))
  func softmaxMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "softmax")
    #expect(difference == nil, "\(model): \(difference ?? "")")
  }

  /// 600 equal inputs: the exponentials sum to 600 ≥ 512, TFLM's `TFLITE_CHECK(exponent <= 31)`
  /// fails and it aborts (recorded in the manifest). Each probability is 1/600, below half an
  /// output step, so Vigil outputs −128 throughout.
  @Test func rowsWhoseExponentialsSumPast512GiveZeroWhereTFLMAborts() throws {
    let manifest = try Fixtures.manifest("softmax")
    let entry = try #require(manifest.models.first { $0.name == "softmax_wide_uniform_600" })
    #expect(entry.tflmFailure != nil)
    let (outputs, _) = try GoldenRunner.run(fixture: "softmax_wide_uniform_600", op: "softmax")
    #expect(outputs.count == 600)
    #expect(outputs.allSatisfy { Int8(bitPattern: $0) == -128 })
  }

  @Test func depthOneAlwaysGivesCertainty() throws {
    let (outputs, _) = try GoldenRunner.run(fixture: "softmax_depth1", op: "softmax")
    #expect(outputs.allSatisfy { Int8(bitPattern: $0) == 127 })
  }

  @Test func exponentialTableStartsAtOneAndExcludesDifferencesBelowDiffMin() throws {
    // beta 1, scale 1: multiplier 2^26 gives left shift 27, diff_min −floor(31 · 2^26 / 2^27) = −15.
    let table = try #require(SoftmaxKernel.exponentialTable(beta: 1, inputScale: 1))
    #expect(table[0] == Int32.max)
    #expect(table[15] > 0)
    #expect(table[16] == 0)
    #expect(SoftmaxKernel.exponentialTable(beta: 0, inputScale: 1) == nil)
  }

  @Test func softmaxWithoutBetaIsRejectedWhereTFLMAborts() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "softmax_without_beta", op: "softmax"))
    #expect(error.kind == .unsupportedOperatorConfiguration)
    #expect(error.detail.contains("beta 0.0"))
  }

  @Test func softmaxWithAnOutputScaleOtherThan1Over256IsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "softmax_output_scale", op: "softmax"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.detail.contains("scale 1/256, zero point -128"))
  }
}
