import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/transpose/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct TransposeTests {
  @Test(arguments: [
    "transpose_3d_swap_last",
    "transpose_4d_nhwc_to_nchw",
    "transpose_4d_reverse",
    "transpose_5d",
    "transpose_2d",
  ])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("transpose", fixture)
    #expect(result.operators.contains(.transpose))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesAPermutationThatRepeatsAnAxis() throws {
    let error = try #require(try GoldenRunner.preparationError("transpose", "invalid_permutation"))
    #expect(error.kind == .unsupportedOperatorConfiguration)
    #expect(error.location == "subgraph 0, operator 0 (TRANSPOSE)")
    #expect(error.detail.contains("[0, 0, 2]"), "\(error)")
    #expect(error.detail.contains("each of the 3 input axes once"), "\(error)")
  }

  @Test func refusesAnOutputQuantizationThatWouldReinterpretTheValues() throws {
    // TFLM copies the bytes unchanged, so 0.05-scale values would be read at scale 0.1.
    let error = try #require(try GoldenRunner.preparationError("transpose", "invalid_rescaling"))
    #expect(error.kind == .invalidQuantization)
    #expect(error.detail.contains("must share one quantization"), "\(error)")
  }
}
