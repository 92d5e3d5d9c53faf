import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/average_pool_2d/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct AveragePool2DTests {
  /// Both with the pixel-block kernel and with the per-pixel one (``KernelPreferences/pixelBlocks``).
  @Test(
    arguments: [
      "avg_3x3_s2_same_partial_windows",
      "avg_2x2_s2_valid_odd",
      "avg_4x3_s1_same_odd_total",
      "avg_1x4_s3_same_one_high",
      "avg_3x3_s1_same_relu6",
      "avg_global_4x4_valid",
      "avg_3x3_s2_same_20ch_relu6",
    ], [true, false])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String, pixelBlocks: Bool) throws {
    let result = try GoldenRunner.run("average_pool_2d", fixture, pixelBlocks: pixelBlocks)
    #expect(result.operators.contains(.averagePool2D))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesAnOutputWithAnotherScale() throws {
    let error = try #require(
      try GoldenRunner.preparationError("average_pool_2d", "invalid_output_quantization"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.location == "subgraph 0, operator 0 (AVERAGE_POOL_2D)")
    #expect(error.detail.contains("scale 0.1"), "\(error)")
    #expect(error.detail.contains("share one quantization"), "\(error)")
  }
}
