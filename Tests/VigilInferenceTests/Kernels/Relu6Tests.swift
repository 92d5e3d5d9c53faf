import Testing

@testable import VigilInference

/// RELU6 (`Fixtures/relu6`). Where input and output quantization are equal, Vigil is bit-exact
/// with TFLM (and LiteRT); where they differ — every standalone RELU6 TensorFlow's converter
/// writes — TFLM skips the requantization and its results are wrong, so Vigil follows LiteRT's
/// reference kernel.
@Suite struct Relu6Tests {
  @Test(arguments: try Fixtures.goldenModels("relu6", excluding: ["relu6_converted"]))
  func relu6WithEqualQuantizationMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "relu6")
    #expect(difference == nil, "\(model): \(difference ?? "")")
    let litert = try GoldenRunner.difference(fixture: model, op: "relu6", reference: "litert.bin")
    #expect(litert == nil, "\(model) vs LiteRT: \(litert ?? "")")
  }

  @Test func convertedRelu6RequantizesLikeLiteRTWhereTFLMDoesNot() throws {
    let litert = try GoldenRunner.difference(
      fixture: "relu6_converted", op: "relu6", reference: "litert.bin")
    #expect(litert == nil, "vs LiteRT: \(litert ?? "")")
    // The recorded TFLM output differs: it copies clamped input bytes into a tensor with
    // another scale and zero point.
    #expect(try GoldenRunner.difference(fixture: "relu6_converted", op: "relu6") != nil)
    // All −128 input (real −4.0 at this model's input quantization) must read as 0.0: the
    // output zero point −128.
    let (outputs, _) = try GoldenRunner.run(fixture: "relu6_converted", op: "relu6")
    #expect(outputs.prefix(32).allSatisfy { Int8(bitPattern: $0) == -128 })
  }

  @Test func relu6WithMismatchedSizesIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "relu6_size_mismatch", op: "relu6"))
    #expect(error.kind == .invalidShape)
    #expect(error.location.contains("RELU6"))
  }
}
