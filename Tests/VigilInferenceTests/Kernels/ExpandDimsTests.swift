import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/expand_dims/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct ExpandDimsTests {
  @Test(arguments: [
    "expand_dims_negative_axis",
    "expand_dims_axis0_scalar_operand",
    "expand_dims_transpose_squeeze_chain",
  ])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("expand_dims", fixture)
    #expect(result.operators.contains(.expandDims))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesAnAxisPastTheOutputRank() throws {
    let error = try #require(try GoldenRunner.preparationError("expand_dims", "invalid_axis"))
    #expect(error.kind == .unsupportedOperatorConfiguration)
    #expect(error.location == "subgraph 0, operator 0 (EXPAND_DIMS)")
    #expect(error.detail.contains("axis 4"), "\(error)")
    #expect(error.detail.contains("[-3, 2]"), "\(error)")
  }
}
