import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/concatenation/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct ConcatenationTests {
  @Test(arguments: [
    "concat_input_and_reversed_rows",
    "concat_axis0_three_inputs_with_constant",
    "concat_negative_axis_constant_first",
    "concat_last_axis_1d_rows",
  ])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("concatenation", fixture)
    #expect(result.operators.contains(.concatenation))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesAnAxisOutsideTheRank() throws {
    let error = try #require(try GoldenRunner.preparationError("concatenation", "invalid_axis"))
    #expect(error.kind == .unsupportedOperatorConfiguration)
    #expect(error.location == "subgraph 0, operator 0 (CONCATENATION)")
    #expect(error.detail.contains("axis 2"), "\(error)")
    #expect(error.detail.contains("[-2, 1]"), "\(error)")
  }

  @Test func refusesAnInputAtAnotherScale() throws {
    let error = try #require(
      try GoldenRunner.preparationError("concatenation", "invalid_mismatched_scales"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.location == "subgraph 0, operator 0 (CONCATENATION)")
    #expect(error.detail.contains("input 1"), "\(error)")
    #expect(error.detail.contains("scale 0.2"), "\(error)")
    #expect(error.detail.contains("share one quantization"), "\(error)")
  }
}
