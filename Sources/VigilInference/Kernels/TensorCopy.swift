/// Copies a tensor's bytes unchanged: the kernel RESHAPE, SQUEEZE and EXPAND_DIMS run when
/// their output cannot share the input's memory (a constant input, or a model input that is
/// also a model output).
///
/// Arithmetic: none; TFLM's reshape, squeeze and expand_dims kernels are a `memcpy` too.
final class TensorCopyKernel: OperatorKernel {
  private let inputIndex: Int32, outputIndex: Int32, byteCount: Int
  private var input: UnsafeRawPointer!
  private var output: UnsafeMutableRawPointer!

  /// A copy of `byteCount` bytes from tensor `inputIndex` to tensor `outputIndex`.
  init(inputIndex: Int, outputIndex: Int, byteCount: Int) {
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
    self.byteCount = byteCount
  }

  /// Checks the shared rules of the reshaping operators: one input and one output of the same
  /// element type, the same number of elements and one quantization.
  static func prepareAlias(_ context: PrepareContext) throws(ModelError) -> PreparedOperator {
    let input = try context.input(0)
    let output = context.output
    guard input.type == output.type, input.type.byteSize != nil else {
      throw context.error(
        .unsupportedTensorType,
        "input '\(input.name)' is \(input.type) and output '\(output.name)' is \(output.type); both must have one fixed-size element type"
      )
    }
    guard input.elementCount == output.elementCount else {
      throw context.error(
        .invalidShape,
        "input shape \(input.shape) has \(input.elementCount) elements but output shape \(output.shape) has \(output.elementCount)"
      )
    }
    try context.expectSameQuantization(input, "input", as: output)
    let inputIndex = try context.inputIndex(0)
    return .alias(
      input: inputIndex, output: context.outputIndex,
      copy: TensorCopyKernel(
        inputIndex: inputIndex, outputIndex: context.outputIndex, byteCount: input.byteCount))
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafeRawPointer(memory.address(inputIndex))
    output = memory.address(outputIndex)
  }

  override func invoke() {
    output.copyMemory(from: input, byteCount: byteCount)
  }
}
