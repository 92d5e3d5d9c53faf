import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/mean/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct MeanTests {
  @Test(arguments: [
    "mean_global_average_pooling",
    "mean_global_average_pooling_keepdims",
    "mean_axis1_keepdims",
    "mean_negative_axis",
    "mean_same_scale_hw_keepdims",
    "mean_same_scale_axis2",
    "mean_duplicate_negative_axes",
    "mean_hw_reversed_axes_batch2_gain",
    "mean_tiny_ratio_shift_clamp",
    "mean_axis0_scalar_axis_operand",
    "mean_three_axes",
    "mean_6d_two_axes",
    "mean_rows_of_29_channels",
  ])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("mean", fixture)
    #expect(result.operators.contains(.mean))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesAnAxisOutsideTheInput() throws {
    let error = try #require(try GoldenRunner.preparationError("mean", "invalid_axis_out_of_range"))
    #expect(error.kind == .unsupportedOperatorConfiguration)
    #expect(error.location == "subgraph 0, operator 0 (MEAN)")
    #expect(error.detail.contains("axis 3"), "\(error)")
    #expect(error.detail.contains("[-3, 2]"), "\(error)")
  }

  @Test func refusesAnInt64AxisOperandAsTFLMDoes() throws {
    let error = try #require(try GoldenRunner.preparationError("mean", "invalid_int64_axis"))
    #expect(error.kind == .unsupportedTensorType)
    #expect(error.detail.contains("INT64"), "\(error)")
  }
}
