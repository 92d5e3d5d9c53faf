import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/strided_slice/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct StridedSliceTests {
  @Test(arguments: [
    "ss_stride2_and_masks",
    "ss_negative_stride_shrink_last",
    "ss_ellipsis_converted_to_masks",
    "ss_negative_begin_negative_stride2",
    "ss_shrink_first_and_middle_clamped_end",
    "ss_negative_stride_partial_2d",
    "ss_begin_end_masks_stride3_4d",
  ])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("strided_slice", fixture)
    #expect(result.operators.contains(.stridedSlice))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesAnEllipsisMask() throws {
    let error = try #require(
      try GoldenRunner.preparationError("strided_slice", "invalid_ellipsis_mask"))
    #expect(error.kind == .unsupportedOperatorConfiguration)
    #expect(error.location == "subgraph 0, operator 0 (STRIDED_SLICE)")
    #expect(error.detail.contains("ellipsis_mask 1"), "\(error)")
  }

  @Test func refusesAShrunkIndexPastTheEndThatTFLMWouldLeaveUnwritten() throws {
    let error = try #require(
      try GoldenRunner.preparationError("strided_slice", "invalid_shrink_index_past_end"))
    #expect(error.kind == .unsupportedOperatorConfiguration)
    #expect(error.detail.contains("begin 5 of shrunk axis 0"), "\(error)")
  }
}
