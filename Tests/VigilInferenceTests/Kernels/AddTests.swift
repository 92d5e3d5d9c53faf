import Testing

@testable import VigilInference

/// ADD against TFLM goldens (`Fixtures/add`): 4-D and 5-D broadcasts, rank-0 and 1-element
/// operands, fused RELU, RELU6 and RELU_N1_TO_1, extreme scales and zero points.
@Suite struct AddTests {
  @Test(arguments: try Fixtures.goldenModels("add"))
  func addMatchesTFLMBitForBit(model: String) throws {
    let difference = try GoldenRunner.difference(fixture: model, op: "add")
    #expect(difference == nil, "\(model): \(difference ?? "")")
  }

  /// Each precision fixture has scales where computing one multiplier in float instead of
  /// double changes it; matching TFLM on them (above) pins ADD's arithmetic to double.
  @Test(arguments: [(0, "input1"), (1, "input2"), (2, "output")])
  func precisionFixturesSeparateFloatFromDoubleMultipliers(which: Int, role: String) throws {
    let differences = try MultiplierPrecision.differences(
      fixture: "add_\(role)_multiplier_precision", op: "add")
    #expect(differences == [0, 1, 2].map { $0 == which })
  }

  @Test func addOfFloatTensorsIsRejectedNamingTheType() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "add_float_inputs", op: "add"))
    #expect(error.kind == .unsupportedTensorType)
    #expect(error.location.contains("ADD"))
    #expect(error.detail.contains("FLOAT32"))
  }

  @Test func addOfIncompatibleShapesIsRejectedNamingBoth() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "add_incompatible_shapes", op: "add"))
    #expect(error.kind == .invalidShape)
    #expect(error.detail.contains("[2, 3] and [4, 3] are not broadcast-compatible"))
  }

  @Test func addWhoseOutputIsNotTheBroadcastShapeIsRejected() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "add_wrong_output_shape", op: "add"))
    #expect(error.kind == .invalidShape)
    #expect(error.detail.contains("output shape [3, 2] is not the broadcast shape [2, 3]"))
  }

  @Test func addWhoseOutputScaleIsTooSmallIsRejectedWhereTFLMAborts() throws {
    let error = try #require(
      try GoldenRunner.preparationError(invalid: "add_output_scale_too_small", op: "add"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.detail.contains("output rescale factor"))
    #expect(error.detail.contains("outside (0, 1)"))
  }

  @Test func addVersion3IsRejectedAtLoad() throws {
    let error = try #require(try GoldenRunner.preparationError(invalid: "add_version_3", op: "add"))
    #expect(error.kind == .unsupportedOperatorVersion)
    #expect(error.detail.contains("version 3"))
  }
}

/// ADD's and SUB's three multipliers computed in single and in double precision.
enum MultiplierPrecision {
  /// For input 1, input 2 and the output of fixture `name`: whether the float and double
  /// computations of the multiplier differ.
  static func differences(fixture name: String, op: String) throws -> [Bool] {
    let model = try LoadedModel(fixture: name, op: op).model
    let s = model.tensors.prefix(3).map { $0.quantization!.scale }
    let twiceFloat: Float = 2 * max(s[0], s[1])
    let twiceDouble = 2 * Double(max(s[0], s[1]))
    let viaFloat = [
      Double(s[0] / twiceFloat), Double(s[1] / twiceFloat),
      Double(twiceFloat / (Float(1 << 20) * s[2])),
    ].map { FixedPoint.Multiplier($0) }
    let viaDouble = [
      Double(s[0]) / twiceDouble, Double(s[1]) / twiceDouble,
      twiceDouble / (Double(1 << 20) * Double(s[2])),
    ].map { FixedPoint.Multiplier($0) }
    return zip(viaFloat, viaDouble).map { $0 != $1 }
  }
}

/// Which kernel ADD, SUB and MUL prepare into for each operand pattern.
@Suite struct BinaryKernelSelectionTests {
  static func kernels(_ op: String, _ name: String) throws -> [OperatorKernel] {
    let loaded = try LoadedModel(fixture: name, op: op)
    return try PreparedGraph(model: loaded.model).kernels
  }

  /// Constant operands are read from the model where they lie, and `x * x` reads one tensor
  /// twice: no kernel keeps tables, so every pattern runs on the general kernels.
  @Test func constantOperandsAndATensorCombinedWithItselfUseTheGeneralKernels() throws {
    #expect(try Self.kernels("add", "add_scalar_const_relu6").first is AddKernel)
    #expect(try Self.kernels("mul", "mul_channel_const_relu").first is MulKernel)
    #expect(try Self.kernels("sub", "sub_const_minus_input_relu").first is AddKernel)
    #expect(try Self.kernels("mul", "mul_square").first is MulKernel)
  }

  @Test func largeConstantsAndTwoVariableInputsUseTheGeneralKernels() throws {
    #expect(try Self.kernels("add", "add_large_constant").first is AddKernel)
    #expect(try Self.kernels("add", "add_broadcast_4d").first is AddKernel)
    #expect(try Self.kernels("mul", "mul_broadcast_4d").first is MulKernel)
  }
}
