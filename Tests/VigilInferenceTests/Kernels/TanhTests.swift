import Testing

@testable import VigilInference

/// TANH against TFLM goldens (`Fixtures/tanh`): a converted model and every int8 input value at
/// input scales from 0.001 to 100.
@Suite struct TanhTests {
  @Test(arguments: try Fixtures.goldenModels("tanh"))
  func tanhMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "tanh")
    #expect(difference == nil, "\(model): \(difference ?? "")")
  }

  /// tanh is odd; only saturation breaks the symmetry (+1.0 clamps to 127, −1.0 is −128).
  @Test func tanhIsOddAroundTheZeroPoint() throws {
    let scaling = try #require(SigmoidInputScaling(scale: 0.05))
    let table = TanhKernel.table(scaling, inputZeroPoint: 0)
    #expect(table[0] == 0)
    for x in 1...127 {
      let positive = Int(table[x])
      let negative = Int(table[Int(UInt8(bitPattern: Int8(-x)))])
      #expect(positive == -negative || (positive == 127 && negative == -128))
    }
    #expect(table[127] == 127)
  }

  @Test func tanhWithAnOutputScaleTFLMWouldIgnoreIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "tanh_output_scale", op: "tanh"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.detail.contains("scale 1/128, zero point 0"))
  }

  @Test func tanhWithATinyInputScaleIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "tanh_tiny_input_scale", op: "tanh"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.detail.contains("too small"))
  }
}
