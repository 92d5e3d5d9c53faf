/// CONCATENATION of up to 10 int8 tensors (constants included) along any axis, negative axes
/// counting from the end.
///
/// Arithmetic: none; TFLM copies the bytes (`reference_ops::Concatenation`). TFLM refuses
/// inputs whose scale differs from the output's, and Vigil also requires equal zero points, so
/// the copy never reinterprets a value; TFLite's converter inserts a requantizing QUANTIZE
/// where the scales differ. At most 10 inputs, at most 6 dimensions and no fused activation,
/// as in TFLM's `ConcatenationPrepare`.
///
/// Operator versions: TFLite assigns version 2 to the int8 form (op_version.cc; 1 is float,
/// 3 int16, 4 uint32).
final class ConcatenationKernel: OperatorKernel {
  /// TFLM's `kMaxInputNum`.
  static let maximumInputs = 10
  /// TFLM's `RuntimeShape::kMaxSmallSize`.
  static let maximumRank = 6

  private let outputIndex: Int32
  private let inputCount: Int32
  private let outerCount: Int32
  /// One allocation: the bytes each input contributes per outer step, then each input's
  /// address (its tensor index until ``bind(_:)``).
  private let entries: UnsafeMutablePointer<Int>
  private var output: UnsafeMutablePointer<Int8>!

  private init(inputIndices: [Int], outputIndex: Int, chunkBytes: [Int], outerCount: Int) {
    self.outputIndex = Int32(outputIndex)
    inputCount = Int32(inputIndices.count)
    self.outerCount = Int32(outerCount)
    entries = .allocate(capacity: 2 * inputIndices.count)
    for i in inputIndices.indices {
      entries[i] = chunkBytes[i]
      entries[inputIndices.count + i] = inputIndices[i]
    }
  }

  deinit { entries.deallocate() }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> ConcatenationKernel {
    try context.expectInputs(1, maximumInputs)
    let output = context.output
    try context.expectType(output, .int8, "output")
    let rank = output.shape.count
    guard rank >= 1, rank <= maximumRank else {
      throw context.error(
        .invalidShape, "output has \(rank) dimensions; CONCATENATION supports 1-\(maximumRank)")
    }
    let options = try context.options(10, "ConcatenationOptions")
    let activation =
      try options?.i8(1, default: 0, "ConcatenationOptions.fused_activation_function") ?? 0
    guard activation == 0 else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "fused activation \(activation) is not supported; TFLM concatenates without one")
    }
    let axis = try context.normalizedAxis(
      Int(try options?.i32(0, default: 0, "ConcatenationOptions.axis") ?? 0), rank: rank, "axis")
    let inner = TensorLayout.product(output.shape, (axis + 1)..<rank)
    var indices: [Int] = []
    var chunks: [Int] = []
    var total = 0
    for slot in 0..<context.info.inputs.count {
      let input = try context.input(slot)
      let role = "input \(slot)"
      try context.expectType(input, .int8, role)
      var expected = output.shape
      if input.shape.count == rank { expected[axis] = input.shape[axis] }
      guard input.shape == expected else {
        throw context.error(
          .invalidShape,
          "\(role) shape \(input.shape) does not match output shape \(output.shape) outside axis \(axis)"
        )
      }
      try context.expectSameQuantization(input, role, as: output)
      indices.append(try context.inputIndex(slot))
      chunks.append(input.shape[axis] * inner)
      total += input.shape[axis]
    }
    guard total == output.shape[axis] else {
      throw context.error(
        .invalidShape,
        "inputs add up to \(total) along axis \(axis) but the output has \(output.shape[axis])")
    }
    return ConcatenationKernel(
      inputIndices: indices, outputIndex: context.outputIndex, chunkBytes: chunks,
      outerCount: TensorLayout.product(output.shape, 0..<axis))
  }

  override func bind(_ memory: TensorMemory) {
    let addresses = entries + Int(inputCount)
    for i in 0..<Int(inputCount) {
      addresses[i] = Int(bitPattern: memory.address(addresses[i]))
    }
    output = memory.int8(outputIndex)
  }

  override func invoke() {
    var out = output!
    let count = Int(inputCount)
    let chunks = UnsafePointer(entries)
    let sources = UnsafePointer(entries + count)
    for outer in 0..<Int(outerCount) {
      for i in 0..<count {
        let size = chunks[i]
        let source = UnsafePointer<Int8>(bitPattern: sources[i])!
        out.update(from: source + outer * size, count: size)
        out += size
      }
    }
  }
}
