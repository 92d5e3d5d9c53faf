import Testing
import VigilInference

/// Whole converted Keras models in which the spatial, reduction and layout operators feed each
/// other and CONV_2D/FULLY_CONNECTED, against TFLM (fixtures in `Fixtures/models/`).
@Suite struct MixedModelTests {
  @Test func aSmallMobileNetMatchesTFLMBitForBit() throws {
    let result = try GoldenRunner.run("models", "mini_mobilenet")
    #expect(
      result.operators == [
        .conv2D, .depthwiseConv2D, .conv2D, .depthwiseConv2D, .averagePool2D, .mean,
        .fullyConnected,
      ])
    #expect(result.invocations == 40)
    #expect(result.mismatchedBytes == 0, "\(result.firstMismatch)")
  }

  @Test func aCausalConv1DModelWithGlobalMaxPoolingMatchesTFLMBitForBit() throws {
    let result = try GoldenRunner.run("models", "ppg_conv1d_global_max")
    #expect(
      result.operators == [
        .pad, .reshape, .conv2D, .maxPool2D, .reshape, .pad, .reshape, .conv2D, .reshape,
        .reduceMax, .fullyConnected,
      ])
    #expect(result.invocations == 40)
    #expect(result.mismatchedBytes == 0, "\(result.firstMismatch)")
  }
}
