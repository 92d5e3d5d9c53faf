import Testing

@testable import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/depthwise_conv_2d/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct DepthwiseConv2DTests {
  /// Both with the pixel-block kernel and with the per-pixel one (``KernelPreferences/pixelBlocks``).
  @Test(
    arguments: [
      "dw_keras_3x3_same_relu6",
      "dw_dm2_s2_same_odd_padding",
      "dw_keras_dm3_dilation2_valid_relu",
      "dw_keras_dm2_dilation2_same",
      "dw_keras_1x5_stride2_one_high",
      "dw_5x1_dm2_valid_one_wide",
      "dw_keras_4x4_even_kernel_same_nobias",
      "dw_keras_stride3_16ch_relu",
      "dw_35ch_valid",
      "dw_per_tensor_filter_relu_n1_to_1",
      "dw_dm3_stride2_dilation2_same_nobias",
    ], [true, false])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String, pixelBlocks: Bool) throws {
    let result = try GoldenRunner.run("depthwise_conv_2d", fixture, pixelBlocks: pixelBlocks)
    #expect(result.operators.contains(.depthwiseConv2D))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  /// With exclusive model bytes the per-pixel kernel reorders a filter with a depth multiplier in
  /// place rather than copying it; a second interpreter made from the same model finds it
  /// reordered and uses it as it is. Both give TFLM's outputs. (The pixel-block kernel reads the
  /// file's layout and leaves the bytes as they are.)
  @Test(arguments: [
    "dw_dm2_s2_same_odd_padding", "dw_keras_dm3_dilation2_valid_relu",
    "dw_5x1_dm2_valid_one_wide", "dw_dm3_stride2_dilation2_same_nobias",
  ])
  func aFilterReorderedInPlaceGivesTFLMsOutputsForEveryInterpreterOfTheModel(_ fixture: String)
    throws
  {
    let file = AlignedBytes(try Fixtures.data("depthwise_conv_2d", fixture + ".tflite"))
    let original = [UInt8](file.bytes)
    let inputs = try Fixtures.data("depthwise_conv_2d", fixture + ".input.bin")
    let expected = [UInt8](try Fixtures.data("depthwise_conv_2d", fixture + ".output.bin"))
    let model = try Model(exclusiveBytes: file.mutableBytes)
    var preferences = KernelPreferences.platformDefault
    preferences.pixelBlocks = false
    let first = try Interpreter(model: model, preferences: preferences)
    #expect([UInt8](file.bytes) != original, "the filter was not reordered in place")
    let second = try Interpreter(model: model, preferences: preferences)
    #expect(GoldenRunner.run(first, inputs: inputs) == expected)
    #expect(GoldenRunner.run(second, inputs: inputs) == expected)
  }

  @Test func refusesADepthMultiplierThatDisagreesWithTheFilter() throws {
    let error = try #require(
      try GoldenRunner.preparationError("depthwise_conv_2d", "invalid_depth_multiplier"))
    #expect(error.kind == .unsupportedOperatorConfiguration)
    #expect(error.location == "subgraph 0, operator 0 (DEPTHWISE_CONV_2D)")
    #expect(error.detail.contains("depth_multiplier 3"), "\(error)")
    #expect(error.detail.contains("4 output channels"), "\(error)")
  }
}
