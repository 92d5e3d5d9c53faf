import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/fully_connected/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py`
/// (40 invocations each): per-channel and per-tensor weights, `keep_num_dims` on 3-D inputs, no
/// bias, fused RELU and RELU6, and input and output widths of 1, odd and wide.
@Suite struct FullyConnectedTests {
  @Test(arguments: [
    "fc_keras_dense_10_to_16_relu",
    "fc_keras_dense_3d_input",
    "fc_per_channel_17_to_70",
    "fc_per_tensor_33_to_70_relu6",
    "fc_keep_num_dims_3d_relu",
    "fc_3d_input_flattened_rows_per_tensor",
    "fc_output_width1_per_tensor_nobias",
    "fc_output_width1_3_rows_relu",
    "fc_input_width1_4_rows_relu6",
    "fc_odd_width_13_to_11_nobias",
  ])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("fully_connected", fixture)
    #expect(result.operators == [.fullyConnected])
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesABiasWhoseLengthIsNotTheOutputWidth() throws {
    let error = try #require(
      try GoldenRunner.preparationError("fully_connected", "invalid_bias_length"))
    #expect(error.kind == .invalidShape)
    #expect(error.location == "subgraph 0, operator 0 (FULLY_CONNECTED)")
    #expect(error.detail.contains("bias has 3 elements for 4 output channels"), "\(error)")
  }

  @Test func refusesAnInputThatIsNotAWholeNumberOfWeightRows() throws {
    let error = try #require(
      try GoldenRunner.preparationError("fully_connected", "invalid_input_not_whole_rows"))
    #expect(error.kind == .invalidShape)
    #expect(error.location == "subgraph 0, operator 0 (FULLY_CONNECTED)")
    #expect(error.detail.contains("not a whole number of 3-element rows"), "\(error)")
  }
}
