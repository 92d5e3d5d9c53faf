import Foundation
import Testing

@testable import VigilInference

/// RELU6 (`Fixtures/relu6`). Vigil reproduces TFLM bit for bit. Where input and output
/// quantization differ (every standalone RELU6 TensorFlow's converter writes), TFLM skips the
/// requantization LiteRT performs; Vigil follows TFLM and warns at load.
@Suite struct Relu6Tests {
  @Test(arguments: try Fixtures.goldenModels("relu6", excluding: ["relu6_converted"]))
  func relu6WithEqualQuantizationMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "relu6")
    #expect(difference == nil, "\(model): \(difference ?? "")")
    let litert = try GoldenRunner.difference(fixture: model, op: "relu6", reference: "litert.bin")
    #expect(litert == nil, "\(model) vs LiteRT: \(litert ?? "")")
  }

  @Test func convertedRelu6MatchesTFLMAndWarnsThatLiteRTWouldRequantize() throws {
    #expect(try GoldenRunner.difference(fixture: "relu6_converted", op: "relu6") == nil)
    // LiteRT's recorded output differs: it requantizes to the output's scale and zero point.
    #expect(
      try GoldenRunner.difference(fixture: "relu6_converted", op: "relu6", reference: "litert.bin")
        != nil)
    let loaded = try LoadedModel(fixture: "relu6_converted", op: "relu6")
    let warnings = try ArenaPlan(model: loaded.model).warnings
    #expect(warnings.count == 1)
    #expect(
      warnings.first?.contains("RELU6 output is quantized differently from its input") == true)
    #expect(warnings.first?.contains("operator 0 (RELU6)") == true)
  }

  @Test func theRequantizingTableReproducesLiteRTsConvertedRelu6() throws {
    let loaded = try LoadedModel(fixture: "relu6_converted", op: "relu6")
    let model = loaded.model
    let context = PrepareContext(model: model, index: 0, info: model.operators[0], scratchSizes: [])
    let input = try #require(model.tensors[model.inputs[0]].quantization)
    let output = try #require(model.tensors[model.outputs[0]].quantization)
    let table = try ReluKernel.clampTable(
      input: (input.scale, input.zeroPoint), output: (output.scale, output.zeroPoint), upper: 6,
      context)
    let inputs = try Fixtures.data("relu6", "relu6_converted.input.bin")
    let litert = try Fixtures.data("relu6", "relu6_converted.litert.bin")
    #expect(inputs.map { UInt8(bitPattern: table[Int($0)]) } == [UInt8](litert))
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
      // And Vigil's own output is exactly that.
      let interpreter = try loaded.interpreter()
      #expect(GoldenRunner.run(interpreter, inputs: inputs) == [UInt8](tflm))
    }
  }

  @Test func relu6WithMismatchedSizesIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "relu6_size_mismatch", op: "relu6"))
    #expect(error.kind == .invalidShape)
    #expect(error.location.contains("RELU6"))
  }
}
