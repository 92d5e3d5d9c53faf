import Testing
import VigilInference

/// The operator versions TFLite's converter gives the int8 forms Vigil runs
/// (`tensorflow/lite/tools/versioning/op_version.cc`), and how unsupported ones are named.
@Suite struct BuiltinOperatorVersionTests {
  @Test func maximumVersionsAreThoseTFLiteAssignsToTheInt8Forms() {
    #expect(BuiltinOperator.depthwiseConv2D.maximumVersion == 3)
    #expect(BuiltinOperator.averagePool2D.maximumVersion == 2)
    #expect(BuiltinOperator.maxPool2D.maximumVersion == 2)
    #expect(BuiltinOperator.concatenation.maximumVersion == 2)
    #expect(BuiltinOperator.mean.maximumVersion == 2)
    #expect(BuiltinOperator.reduceMax.maximumVersion == 2)
    #expect(BuiltinOperator.pad.maximumVersion == 4)  // 5-D int8
    #expect(BuiltinOperator.reshape.maximumVersion == 1)
    #expect(BuiltinOperator.squeeze.maximumVersion == 1)
    #expect(BuiltinOperator.expandDims.maximumVersion == 1)
    #expect(BuiltinOperator.stridedSlice.maximumVersion == 2)
    #expect(BuiltinOperator.transpose.maximumVersion == 4)  // 5-D int8
  }

  @Test func aDepthwiseConvolutionWithInt4FiltersIsRefusedByVersion() throws {
    let error = try #require(
      try GoldenRunner.preparationError("depthwise_conv_2d", "invalid_version_7"))
    #expect(error.kind == .unsupportedOperatorVersion)
    #expect(error.detail.contains("version 7"))
    #expect(error.detail.contains("versions 1-3"))
  }

  @Test func spaceToBatchAndBatchToSpaceAreNamedWhenRefused() throws {
    #expect(BuiltinOperator.schemaName(code: 37) == "BATCH_TO_SPACE_ND")
    #expect(BuiltinOperator.schemaName(code: 38) == "SPACE_TO_BATCH_ND")
    let error = try #require(
      try GoldenRunner.preparationError("unsupported", "space_to_batch_nd_dilated_pattern"))
    #expect(error.kind == .unsupportedOperator)
    #expect(error.location == "subgraph 0, operator 0 (SPACE_TO_BATCH_ND)")
    #expect(error.detail.contains("SPACE_TO_BATCH_ND"))
  }
}
