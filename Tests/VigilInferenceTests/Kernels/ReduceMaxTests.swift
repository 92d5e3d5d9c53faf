import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/reduce_max/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct ReduceMaxTests {
  @Test(arguments: [
    "reduce_max_global_max_pooling_1d",
    "reduce_max_last_axis_keepdims",
    "reduce_max_hw_4d",
    "reduce_max_axes_0_and_2",
    "reduce_max_rows_of_29_channels",
  ])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("reduce_max", fixture)
    #expect(result.operators.contains(.reduceMax))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesAnOutputWithAnotherScale() throws {
    let error = try #require(try GoldenRunner.preparationError("reduce_max", "invalid_rescaling"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.location == "subgraph 0, operator 0 (REDUCE_MAX)")
    #expect(error.detail.contains("scale 0.1"), "\(error)")
    #expect(error.detail.contains("share one quantization"), "\(error)")
  }
}
