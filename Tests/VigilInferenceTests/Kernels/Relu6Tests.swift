import Foundation
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

  /// The conformance set's `relu6` (another converter-made standalone RELU6) records TFLM's
  /// behaviour; ``Relu6Kernel/tflmTable(input:)`` reproduces it byte for byte, which shows the
  /// divergence is exactly the missing requantization.
  @Test(arguments: [("relu6", "relu6_converted")])
  func tflmsRelu6IsTheInputClampedWithoutRequantization(conformance: String, fixture: String)
    throws
  {
    let cases: [(model: Data, inputs: Data, tflm: Data)] = [
      (
        try Conformance.file(conformance, ".tflite"),
        try Conformance.file(conformance, ".input.bin"),
        try Conformance.file(conformance, ".output.bin")
      ),
      (
        try Fixtures.data("relu6", fixture + ".tflite"),
        try Fixtures.data("relu6", fixture + ".input.bin"),
        try Fixtures.data("relu6", fixture + ".output.bin")
      ),
    ]
    for (model, inputs, tflm) in cases {
      let loaded = try LoadedModel(model)
      let q = try #require(loaded.model.tensors[loaded.model.inputs[0]].quantization)
      let table = Relu6Kernel.tflmTable(input: (q.scale, q.zeroPoint))
      let emulated = inputs.map { UInt8(bitPattern: table[Int($0)]) }
      #expect(emulated == [UInt8](tflm))
      // And Vigil's own output differs from it.
      let interpreter = try loaded.interpreter()
      #expect(GoldenRunner.run(interpreter, inputs: inputs) != [UInt8](tflm))
    }
  }

  @Test func relu6WithMismatchedSizesIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "relu6_size_mismatch", op: "relu6"))
    #expect(error.kind == .invalidShape)
    #expect(error.location.contains("RELU6"))
  }
}
