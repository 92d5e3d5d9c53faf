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

/// The vector form of float → int8 quantization gives the scalar form's result for every kind
/// of input: exact halves (which round away from zero), values a few ulps either side of them,
/// negative zero, NaN, infinities, the largest floats and subnormals, across zero points.
@Suite struct QuantizeVectorTests {
  @Test(
    arguments: [
      (Float(0.25), Int32(-3)), (Float(0.0078125), Int32(-128)), (Float(1.0 / 3.0), Int32(127)),
      (Float(0.1), Int32(0)),
    ] as [(Float, Int32)])
  func theSixteenLaneFormMatchesTheScalarFormOnEveryInput(scale: Float, zeroPoint: Int32) {
    var values: [Float] = [
      0, -0, .nan, -.nan, .infinity, -.infinity, .greatestFiniteMagnitude,
      -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 3e38, -3e38,
      1e9, -1e9, 8_388_608, -8_388_608, 8_388_609, 16_777_217,
    ]
    for k in -600...600 {
      let half = (Float(k) + 0.5) * scale
      values += [half, half.nextUp, half.nextDown, Float(k) * scale]
    }
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2_000 { values.append(Float.random(in: -300...300, using: &generator) * scale) }
    while values.count % 16 != 0 { values.append(0) }
    var output = [Int8](repeating: 0, count: 16)
    for start in stride(from: 0, to: values.count, by: 16) {
      values.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer { y in
          QuantizeKernel.quantize16(
            x.baseAddress! + start, into: y.baseAddress!, scale: scale, zeroPoint: zeroPoint)
        }
      }
      for j in 0..<16 {
        let x = values[start + j]
        let expected = QuantizeKernel.quantize(x, scale: scale, zeroPoint: zeroPoint)
        #expect(output[j] == expected, "\(x) / \(scale) + \(zeroPoint)")
      }
    }
  }
}
