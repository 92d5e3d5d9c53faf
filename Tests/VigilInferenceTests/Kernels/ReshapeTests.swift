import Testing
import VigilInference

/// Bit-exactness against TensorFlow Lite Micro and refusal of invalid configurations; fixtures in
/// `Fixtures/reshape/` come from `Tools/fixtures/spatial_reduce_layout_fixtures.py` (40 invocations each).
@Suite struct ReshapeTests {
  @Test(arguments: [
    "reshape_input_to_output",
    "reshape_transpose_reshape_chain",
    "reshape_shape_from_options_only",
    "reshape_minus_one",
  ])
  func matchesTFLMBitForBitOnEveryInvocation(_ fixture: String) throws {
    let result = try GoldenRunner.run("reshape", fixture)
    #expect(result.operators.contains(.reshape))
    #expect(result.invocations == 40)
    #expect(
      result.mismatchedBytes == 0,
      "\(result.mismatchedBytes) of \(result.comparedBytes) bytes differ; first: \(result.firstMismatch)"
    )
  }

  @Test func refusesAShapeWithAnotherElementCount() throws {
    let error = try #require(try GoldenRunner.preparationError("reshape", "invalid_element_count"))
    #expect(error.kind == .invalidShape)
    #expect(error.location == "subgraph 0, operator 0 (RESHAPE)")
    #expect(error.detail.contains("6 elements"), "\(error)")
    #expect(error.detail.contains("8"), "\(error)")
  }
}

/// How the planner treats RESHAPE, SQUEEZE and EXPAND_DIMS: shared memory inside the graph, a
/// copy where sharing is unsafe.
@Suite struct ReshapeAliasingTests {
  @Test func reshapesInsideTheGraphShareTheirInputsMemoryAndCostNothing() throws {
    try GoldenRunner.withModel("reshape", "reshape_transpose_reshape_chain") { model in
      let plan = try ArenaPlan(model: model)
      func offset(_ name: String) -> Int? {
        plan.tensorOffsets[model.tensors.firstIndex { $0.name == name }!]
      }
      #expect(plan.kernelCount == 1)  // only the TRANSPOSE runs
      #expect(offset("reshaped") != nil)
      #expect(offset("reshaped") == offset("input"))
      #expect(offset("output") == offset("transposed"))
      #expect(offset("output") != offset("input"))
    }
  }

  @Test func aReshapeFromTheModelInputStraightToTheModelOutputCopies() throws {
    try GoldenRunner.withModel("reshape", "reshape_input_to_output") { model in
      let plan = try ArenaPlan(model: model)
      #expect(model.operators.map(\.op) == [.reshape])
      #expect(plan.kernelCount == 1)
      #expect(plan.tensorOffsets[model.inputs[0]] != plan.tensorOffsets[model.outputs[0]])
    }
  }
}
