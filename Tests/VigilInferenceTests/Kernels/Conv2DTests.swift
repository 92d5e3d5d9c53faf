import Foundation
import Testing

@testable import VigilInference

/// Bit-exactness of the three CONV_2D variants against TensorFlow Lite Micro, and refusal of
/// invalid configurations; fixtures in `Fixtures/conv_2d/` come from
/// `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
///
/// Every fixture runs through the dot-product variant (read-only model bytes), through the
/// outer-product variant (`Model(exclusiveBytes:)` with the outer product preferred, as on
/// x86-64, and the planar variant off), which takes groups of one with reductions of at most
/// 1024 and leaves the rest to the dot product, and with the planar variant on, which takes
/// the fixtures in ``planarFixtures`` and leaves the others to the outer product.
@Suite struct Conv2DTests {
  static let fixtures = [
    "conv_keras_3x3_same_relu6_8ch",
    "conv_keras_3x3_s2_same_5ch_relu_row_above",
    "conv_3x3_s2_same_16ch_row_below",
    "conv_5x5_s2_same_9ch_rows_above_and_below",
    "conv_5x5_same_17ch_relu6_three_rows_high",
    "conv_keras_1x1_24_to_40ch",
    "conv_1x1_depth3_9ch_nine_pixels",
    "conv_3x3_valid_32ch_per_tensor",
    "conv_3x3_dilation2_same_12ch",
    "conv_keras_3x3_dilation2_valid_9ch_relu",
    "conv_3x2_stride1x2_same_17ch",
    "conv_keras_4x4_even_kernel_same_9ch_nobias",
    "conv_keras_batch2_3x3_same_16ch_relu",
    "conv_1x1_depth1_nobias",
    "conv_keras_3x3_same_1ch_relu",
    "conv_per_tensor_s2x1_40ch_relu_n1_to_1",
    "conv_reduction_1024_4x4x64_same_10ch_extreme",
    "conv_reduction_1025_5x5x41_same_5ch_relu6",
    "conv_groups2_3x3_same_4ch",
  ]

  /// Fixtures the outer product does not take: a reduction longer than 1024, or two groups.
  static let dotProductOnly: Set = [
    "conv_reduction_1025_5x5x41_same_5ch_relu6", "conv_groups2_3x3_same_4ch",
  ]

  /// Fixtures the planar variant takes (at most 8 input and 24 output channels, at least 16
  /// output pixels, a small image, a row stride of at most 2): strides 2 and 1×2, dilation 2
  /// with SAME and VALID padding, an even kernel, a batch of two, one to three blocks of eight
  /// output channels, full and partial.
  static let planarFixtures: Set = [
    "conv_3x3_s2_same_16ch_row_below", "conv_keras_3x3_s2_same_5ch_relu_row_above",
    "conv_keras_3x3_same_relu6_8ch", "conv_3x3_dilation2_same_12ch",
    "conv_keras_3x3_dilation2_valid_9ch_relu", "conv_3x2_stride1x2_same_17ch",
    "conv_keras_batch2_3x3_same_16ch_relu", "conv_keras_3x3_same_1ch_relu",
    "conv_keras_4x4_even_kernel_same_9ch_nobias",
  ]

  /// The variant the interpreter's only kernel (a CONV_2D) was prepared with.
  static func variant(_ interpreter: Interpreter) -> Conv2DKernel.Variant? {
    (interpreter.kernels.first as? Conv2DKernel)?.variant
  }

  @Test(arguments: fixtures)
  func theDotProductVariantMatchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("conv_2d", fixture)
    #expect(result.operators == [.conv2D])
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  /// With exclusive model bytes the filter is transposed in place for the outer product (when it
  /// applies); a second interpreter made from the same model finds it transposed and uses it as
  /// it is. Both give TFLM's outputs.
  @Test(arguments: fixtures)
  func theOuterProductVariantMatchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let file = AlignedBytes(try Fixtures.data("conv_2d", fixture + ".tflite"))
    let inputs = try Fixtures.data("conv_2d", fixture + ".input.bin")
    let expected = [UInt8](try Fixtures.data("conv_2d", fixture + ".output.bin"))
    let model = try Model(exclusiveBytes: file.mutableBytes)
    var preferences = KernelPreferences(outerProductConvolution: true)
    preferences.planarConvolution = false
    let first = try Interpreter(model: model, preferences: preferences)
    let filterLayout = model.rearrangement?.layout(of: model.operators[0].inputs[1])
    if Self.dotProductOnly.contains(fixture) {
      #expect(filterLayout == .file, "the dot product's filter was rearranged")
      #expect(Self.variant(first) == .dotProduct)
    } else {
      #expect(filterLayout == .innerMajor, "the outer product was not chosen")
      #expect(Self.variant(first) == .outerProduct)
    }
    let second = try Interpreter(model: model, preferences: preferences)
    for (name, interpreter) in [("first", first), ("second", second)] {
      let difference = GoldenRunner.firstDifference(
        GoldenRunner.run(interpreter, inputs: inputs), expected, elementSize: 1,
        elementsPerInvocation: interpreter.outputs[0].data.count)
      #expect(difference == nil, "\(fixture), \(name) interpreter: \(difference ?? "")")
    }
  }

  /// With the planar variant allowed (the x86-64 default), the fixtures in ``planarFixtures``
  /// take it and the others keep the outer or dot product; all give TFLM's outputs.
  @Test(arguments: fixtures)
  func thePlanarVariantMatchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let file = AlignedBytes(try Fixtures.data("conv_2d", fixture + ".tflite"))
    let inputs = try Fixtures.data("conv_2d", fixture + ".input.bin")
    let expected = [UInt8](try Fixtures.data("conv_2d", fixture + ".output.bin"))
    var preferences = KernelPreferences(outerProductConvolution: true)
    preferences.planarConvolution = true
    let interpreter = try Interpreter(
      model: try Model(exclusiveBytes: file.mutableBytes), preferences: preferences)
    let expectedVariant: Conv2DKernel.Variant =
      Self.planarFixtures.contains(fixture)
      ? .planar : Self.dotProductOnly.contains(fixture) ? .dotProduct : .outerProduct
    #expect(Self.variant(interpreter) == expectedVariant, "\(fixture)")
    let difference = GoldenRunner.firstDifference(
      GoldenRunner.run(interpreter, inputs: inputs), expected, elementSize: 1,
      elementsPerInvocation: interpreter.outputs[0].data.count)
    #expect(difference == nil, "\(fixture): \(difference ?? "")")
  }

  @Test func refusesAFilterDepthThatDoesNotDivideTheInputDepth() throws {
    let error = try #require(
      try GoldenRunner.preparationError("conv_2d", "invalid_filter_depth_not_dividing_input"))
    #expect(error.kind == .invalidShape)
    #expect(error.location == "subgraph 0, operator 0 (CONV_2D)")
    #expect(error.detail.contains("filter depth 3"), "\(error)")
    #expect(error.detail.contains("input depth 5"), "\(error)")
  }

  @Test func refusesABiasWhoseLengthIsNotTheOutputDepth() throws {
    let error = try #require(try GoldenRunner.preparationError("conv_2d", "invalid_bias_length"))
    #expect(error.kind == .invalidShape)
    #expect(error.location == "subgraph 0, operator 0 (CONV_2D)")
    #expect(error.detail.contains("bias has 5 elements for 4 output channels"), "\(error)")
  }
}
