import Foundation
import Testing
import VigilInference

@Suite struct ConformanceTests {
  @Test func theConformanceSetIsPresentAndCoversEveryRequiredOperator() {
    let required = [
      "ADD", "SUB", "MUL", "AVERAGE_POOL_2D", "MAX_POOL_2D", "CONCATENATION", "CONV_2D",
      "DEPTHWISE_CONV_2D",
      "FULLY_CONNECTED", "QUANTIZE", "DEQUANTIZE", "LOGISTIC", "TANH", "SOFTMAX", "RELU", "RELU6",
      "LEAKY_RELU",
      "MEAN", "REDUCE_MAX", "PAD", "RESHAPE", "SQUEEZE", "EXPAND_DIMS", "STRIDED_SLICE",
      "TRANSPOSE",
    ]
    #expect(!Conformance.entries.isEmpty, "manifest.json missing in \(Conformance.directory.path)")
    let covered = Set(Conformance.entries.flatMap(\.ops))
    #expect(
      Set(required).subtracting(covered).isEmpty,
      "not covered: \(Set(required).subtracting(covered).sorted())")
  }

  @Test(arguments: Conformance.entries, KernelVariants.allCases)
  func everyOutputByteMatchesTensorFlowLiteMicro(
    _ entry: Conformance.Entry, _ variants: KernelVariants
  ) throws {
    let result = try compareWithGoldens(entry.name, variants: variants)
    #expect(result.invocations == entry.invocations)
    #expect(
      result.mismatchedBytes == 0,
      "\(entry.name): \(result.mismatchedBytes) of \(result.bytes) bytes differ; first: \(String(describing: result.firstMismatch))"
    )
  }

  @Test(arguments: Conformance.entries, KernelVariants.allCases)
  func theArenaIsNoLargerThanTheSmallestArenaTFLMRunsIn(
    _ entry: Conformance.Entry, _ variants: KernelVariants
  )
    throws
  {
    let result = try compareWithGoldens(entry.name, variants: variants)
    #expect(
      result.arenaBytes <= entry.tflmArenaBytes,
      "\(entry.name) (\(variants)): Vigil \(result.arenaBytes) > TFLM \(entry.tflmArenaBytes)")
  }
}
