/// PAD of int8 tensors up to 5-D with constant paddings, filling with the output zero point
/// (the quantized 0.0), or with the optional third operand's value.
///
/// Arithmetic: none; TFLM `reference_ops::Pad` writes the pad value outside the input and
/// copies the input inside. Paddings are a constant `[rank, 2]` tensor of non-negative int32 or
/// int64 values. (TFLM itself reads paddings as int32 whatever their type, so it refuses int64
/// paddings that TFLite accepts; TFLite's converter writes int32.)
///
/// Operator versions: TFLite assigns version 2 to the int8 form up to 4-D and version 4 to
/// 5-D inputs (op_version.cc; 1 is float, 3 int16).
final class PadKernel: OperatorKernel {
  /// TFLM's `PadKernelMaxDimensionCount()`.
  static let maximumRank = 5

  /// Input dimensions, extended to 5-D with leading 1s.
  private let inputShape: InlineArray<5, Int32>
  /// Output element strides of the extended output's four outer axes.
  private let outputStrides: InlineArray<4, Int32>
  /// Where the input's first element lands in the output.
  private let firstOffset: Int32
  private let outputCount: Int32
  private let padValue: Int8
  private let inputIndex: Int32, outputIndex: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(
    inputShape: [Int], outputStrides: [Int], before: [Int], outputCount: Int, padValue: Int8,
    inputIndex: Int, outputIndex: Int
  ) {
    self.inputShape = TensorLayout.packed(inputShape)
    self.outputStrides = TensorLayout.packed(Array(outputStrides[0..<4]))
    var offset = 0
    for axis in 0..<PadKernel.maximumRank { offset += before[axis] * outputStrides[axis] }
    firstOffset = Int32(offset)
    self.outputCount = Int32(outputCount)
    self.padValue = padValue
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> PadKernel {
    try context.expectInputs(2, 3)
    let input = try context.input(0)
    let paddings = try context.input(1)
    let output = context.output
    try context.expectType(input, .int8, "input")
    try context.expectType(output, .int8, "output")
    let rank = input.shape.count
    guard rank <= maximumRank else {
      throw context.error(
        .invalidShape, "input has \(rank) dimensions; PAD supports at most \(maximumRank)")
    }
    guard paddings.shape == [rank, 2] else {
      throw context.error(
        .invalidShape,
        "paddings '\(paddings.name)' have shape \(paddings.shape); a \(rank)-D input needs [\(rank), 2]"
      )
    }
    let values = try context.constantIntegers(paddings, "paddings")
    var expected: [Int] = []
    for axis in 0..<rank {
      let (low, high) = (values[2 * axis], values[2 * axis + 1])
      guard low >= 0, high >= 0, low <= 1 << 24, high <= 1 << 24 else {
        throw context.error(
          .unsupportedOperatorConfiguration,
          "paddings (\(low), \(high)) of axis \(axis) must be 0...\(1 << 24)")
      }
      expected.append(input.shape[axis] + low + high)
    }
    guard output.shape == expected else {
      throw context.error(
        .invalidShape,
        "output shape \(output.shape) is not input shape \(input.shape) padded to \(expected)")
    }
    try context.expectSameQuantization(input, "input", as: output)
    let outputQ = try context.perTensorQuantization(output, "output")
    var padValue = Int8(truncatingIfNeeded: outputQ.zeroPoint)
    if let constant = context.optionalInput(2) {
      try context.expectType(constant, .int8, "pad value")
      guard constant.elementCount == 1 else {
        throw context.error(
          .invalidShape,
          "pad value '\(constant.name)' must hold one element; its shape is \(constant.shape)")
      }
      try context.expectSameQuantization(constant, "pad value", as: output)
      padValue = try context.expectConstant(constant, "pad value").load(as: Int8.self)
    }

    let extend = maximumRank - rank
    let inputShape = [Int](repeating: 1, count: extend) + input.shape
    let outputShape = [Int](repeating: 1, count: extend) + output.shape
    var before = [Int](repeating: 0, count: maximumRank)
    for axis in 0..<rank { before[extend + axis] = values[2 * axis] }
    return PadKernel(
      inputShape: inputShape, outputStrides: TensorLayout.strides(outputShape), before: before,
      outputCount: output.elementCount, padValue: padValue,
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.int8(outputIndex)
  }

  override func invoke() {
    output.update(repeating: padValue, count: Int(outputCount))
    let d = (Int(inputShape[0]), Int(inputShape[1]), Int(inputShape[2]), Int(inputShape[3]))
    let s = (
      Int(outputStrides[0]), Int(outputStrides[1]), Int(outputStrides[2]), Int(outputStrides[3])
    )
    let row = Int(inputShape[4])
    var x = input!
    let offset0 = Int(firstOffset)
    for i0 in 0..<d.0 {
      for i1 in 0..<d.1 {
        for i2 in 0..<d.2 {
          let base = offset0 + i0 * s.0 + i1 * s.1 + i2 * s.2
          for i3 in 0..<d.3 {
            (output + base + i3 * s.3).update(from: x, count: row)
            x += row
          }
        }
      }
    }
  }
}
