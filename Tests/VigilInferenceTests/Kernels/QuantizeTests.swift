import Foundation
import Testing

@testable import VigilInference

/// QUANTIZE (float32 → int8 and int8 → int8) against TFLM goldens (`Fixtures/quantize`),
/// including float-I/O models that start with QUANTIZE and end with DEQUANTIZE.
@Suite struct QuantizeTests {
  @Test(arguments: try Fixtures.goldenModels("quantize", excluding: ["quantize_nonfinite"]))
  func quantizeMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "quantize")
    #expect(difference == nil, "\(model): \(difference ?? "")")
  }

  /// NaN, ±∞ and |x / scale| ≥ 2^31 are undefined behaviour in TFLM's float → int32 cast; the
  /// recorded x86-64 TFLM output is 127 for all eight (−∞ included). Vigil saturates by sign and
  /// maps NaN to the zero point.
  @Test func nonFiniteAndHugeFloatsSaturateWhereTFLMIsUndefined() throws {
    let (outputs, _) = try GoldenRunner.run(fixture: "quantize_nonfinite", op: "quantize")
    // Inputs: NaN, +inf, -inf, 3e38, -3e38, 1e9, -1e9, -NaN; scale 0.25, zero point -3.
    #expect(outputs.map { Int8(bitPattern: $0) } == [-3, 127, -128, 127, -128, 127, -128, -3])
    let tflm = [UInt8](try Fixtures.data("quantize", "quantize_nonfinite.output.bin"))
    #expect(tflm.map { Int8(bitPattern: $0) } == [Int8](repeating: 127, count: 8))
  }

  @Test func quantizeRoundsHalvesAwayFromZero() {
    #expect(QuantizeKernel.quantize(0.375, scale: 0.25, zeroPoint: 0) == 2)
    #expect(QuantizeKernel.quantize(-0.375, scale: 0.25, zeroPoint: 0) == -2)
    #expect(QuantizeKernel.quantize(0.125, scale: 0.25, zeroPoint: -3) == -2)
    #expect(QuantizeKernel.quantize(31.875, scale: 0.25, zeroPoint: 0) == 127)
    #expect(QuantizeKernel.quantize(-Float.nan, scale: 0.25, zeroPoint: 9) == 9)
  }

  @Test func quantizeFromInt16IsRejectedNamingTheType() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "quantize_int16_input", op: "quantize"))
    #expect(error.kind == .unsupportedTensorType)
    #expect(error.detail.contains("INT16"))
  }

  @Test func quantizeWithMismatchedSizesIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "quantize_size_mismatch", op: "quantize"))
    #expect(error.kind == .invalidShape)
    #expect(error.detail.contains("does not hold the 4 elements"))
  }
}
