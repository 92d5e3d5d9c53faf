import Testing

@testable import VigilInference

/// DEQUANTIZE (int8 → float32) against TFLM goldens (`Fixtures/dequantize`), compared bit for
/// bit as float32.
@Suite struct DequantizeTests {
  @Test(arguments: try Fixtures.goldenModels("dequantize"))
  func dequantizeMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "dequantize")
    #expect(difference == nil, "\(model): \(difference ?? "")")
  }

  @Test func dequantizeGivesScaleTimesOffsetValue() {
    #expect(DequantizeKernel.dequantize(-128, scale: 0.0123, zeroPoint: 17) == Float(0.0123) * -145)
    #expect(DequantizeKernel.dequantize(17, scale: 0.0123, zeroPoint: 17) == 0)
    #expect(DequantizeKernel.dequantize(127, scale: 0.5, zeroPoint: -128) == 127.5)
  }

  @Test func dequantizeOfFloatIsRejectedNamingTheType() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "dequantize_float_input", op: "dequantize"))
    #expect(error.kind == .unsupportedTensorType)
    #expect(error.detail.contains("FLOAT32; expected INT8"))
  }

  @Test func dequantizeOfAnUnquantizedTensorIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "dequantize_unquantized_input", op: "dequantize"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.detail.contains("no quantization parameters"))
  }
}
