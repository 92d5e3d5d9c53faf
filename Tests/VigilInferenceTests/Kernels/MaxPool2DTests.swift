import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/max_pool_2d/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct MaxPool2DTests {
  /// Both with the pixel-block kernel and with the per-pixel one (``KernelPreferences/pixelBlocks``).
  @Test(
    arguments: [
      "max_3x3_s2_same_partial_windows",
      "max_2x2_s2_valid_odd",
      "max_1x3_s1_same_one_high",
      "max_2x3_s2_same_relu",
      "max_3x3_s1_valid_relu_n1_to_1",
      "max_2x3_s2_same_17ch_relu",
    ], [true, false])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String, pixelBlocks: Bool) throws {
    let result = try GoldenRunner.run("max_pool_2d", fixture, pixelBlocks: pixelBlocks)
    #expect(result.operators.contains(.maxPool2D))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesAnOutputShapeTheWindowsDoNotProduce() throws {
    let error = try #require(
      try GoldenRunner.preparationError("max_pool_2d", "invalid_output_shape"))
    #expect(error.kind == .invalidShape)
    #expect(error.location == "subgraph 0, operator 0 (MAX_POOL_2D)")
    #expect(error.detail.contains("[1, 3, 3, 2]"), "\(error)")
    #expect(error.detail.contains("[1, 2, 2, 2]"), "\(error)")
  }
}
