import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/pad/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct PadTests {
  @Test(arguments: [
    "pad_4d_height_width",
    "pad_3d_causal",
    "pad_5d_every_axis",
    "pad_channels_only",
    "pad_1d",
  ])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("pad", fixture)
    #expect(result.operators.contains(.pad))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesAnOutputShapeThePaddingsDoNotGive() throws {
    let error = try #require(try GoldenRunner.preparationError("pad", "invalid_output_shape"))
    #expect(error.kind == .invalidShape)
    #expect(error.location == "subgraph 0, operator 0 (PAD)")
    #expect(error.detail.contains("[1, 6]"), "\(error)")
    #expect(error.detail.contains("[1, 5]"), "\(error)")
  }

  @Test func int64PaddingsPadLikeTheirInt32Equivalent() throws {
    // TFLM reads paddings as int32 and refuses int64 ones; the golden is TFLM's output for the
    // same model with int32 paddings.
    let result = try GoldenRunner.run("pad", "pad_int64_paddings")
    #expect(result.invocations == 40)
    #expect(result.mismatchedBytes == 0, "\(result.firstMismatch)")
  }
}
