import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/squeeze/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct SqueezeTests {
  @Test(arguments: [
    "squeeze_axis1",
    "squeeze_all_unit_axes",
    "squeeze_negative_axis",
  ])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("squeeze", fixture)
    #expect(result.operators.contains(.squeeze))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesToSqueezeAnAxisLongerThanOne() throws {
    let error = try #require(try GoldenRunner.preparationError("squeeze", "invalid_non_unit_axis"))
    #expect(error.kind == .invalidShape)
    #expect(error.location == "subgraph 0, operator 0 (SQUEEZE)")
    #expect(error.detail.contains("axis 1"), "\(error)")
    #expect(error.detail.contains("size is 3"), "\(error)")
  }
}
