/// STRIDED_SLICE of int8 tensors up to 4-D: constant int32 begin/end/strides, negative
/// indices and strides, `begin_mask`, `end_mask` and `shrink_axis_mask`.
///
/// Arithmetic: none; TFLM `reference_ops::StridedSlice` with its index rules
/// (`StridedSliceStartForAxis`/`EndForAxis`): a negative index counts from the end, indices
/// are clamped to `[0, size]` (forward) or `[−1, size − 1]` (backward), a mask bit replaces the
/// index by the first or last element, and a shrunk axis takes one element at `begin`.
///
/// Refused, as TFLM cannot run them correctly: `ellipsis_mask` and `new_axis_mask` (TFLM
/// ignores both), `offset` (TFLM ignores it), inputs above 4-D, int64 operands, zero strides,
/// and a shrunk axis with a negative stride or a `begin` outside the axis (TFLM then leaves the
/// output unwritten).
///
/// Operator versions: TFLite assigns version 2 to the int8 form up to 4-D (op_version.cc;
/// 4 is for >4-D, 6 for ellipsis/new-axis masks, 8 for `offset`, none of which TFLM runs).
final class StridedSliceKernel: OperatorKernel {
  /// TFLM's `kMaxDim` in strided_slice_common.cc.
  static let maximumRank = 4

  /// Per axis of the input extended to 4-D: element count, first input offset step (signed).
  private let counts: InlineArray<4, Int32>
  private let steps: InlineArray<4, Int32>
  private let start: Int32
  private let innerContiguous: Bool
  private let inputIndex: Int32, outputIndex: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(
    counts: [Int], steps: [Int], start: Int, inputIndex: Int, outputIndex: Int
  ) {
    self.counts = TensorLayout.packed(counts)
    self.steps = TensorLayout.packed(steps)
    self.start = Int32(start)
    innerContiguous = steps[3] == 1
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> StridedSliceKernel {
    try context.expectInputs(4)
    let input = try context.input(0)
    let output = context.output
    try context.expectType(input, .int8, "input")
    try context.expectType(output, .int8, "output")
    let rank = input.shape.count
    guard rank >= 1, rank <= maximumRank else {
      throw context.error(
        .invalidShape, "input has \(rank) dimensions; STRIDED_SLICE supports 1-\(maximumRank)")
    }
    let options = try context.options(32, "StridedSliceOptions")
    let beginMask = Int(try options?.i32(0, default: 0, "StridedSliceOptions.begin_mask") ?? 0)
    let endMask = Int(try options?.i32(1, default: 0, "StridedSliceOptions.end_mask") ?? 0)
    let ellipsisMask = try options?.i32(2, default: 0, "StridedSliceOptions.ellipsis_mask") ?? 0
    let newAxisMask = try options?.i32(3, default: 0, "StridedSliceOptions.new_axis_mask") ?? 0
    let shrinkMask = Int(
      try options?.i32(4, default: 0, "StridedSliceOptions.shrink_axis_mask") ?? 0)
    let offset = try options?.bool(5, "StridedSliceOptions.offset") ?? false
    guard ellipsisMask == 0, newAxisMask == 0, !offset else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "ellipsis_mask \(ellipsisMask), new_axis_mask \(newAxisMask) and offset \(offset) are not supported (TFLM ignores them); only begin, end and shrink masks are"
      )
    }

    var operands: [[Int]] = []
    for (slot, role) in [(1, "begin"), (2, "end"), (3, "strides")] {
      let tensor = try context.input(slot)
      let values = try context.constantInt32s(tensor, role)
      guard tensor.shape.count == 1, values.count == rank else {
        throw context.error(
          .invalidShape,
          "\(role) '\(tensor.name)' has shape \(tensor.shape); a \(rank)-D input needs [\(rank)]")
      }
      operands.append(values)
    }
    let (begin, end, strides) = (operands[0], operands[1], operands[2])
    let inputStrides = TensorLayout.strides(input.shape)
    var counts: [Int] = []
    var steps: [Int] = []
    var first = 0
    var expected: [Int] = []
    for axis in 0..<rank {
      let size = input.shape[axis]
      let stride = strides[axis]
      guard stride != 0 else {
        throw context.error(.unsupportedOperatorConfiguration, "stride of axis \(axis) is 0")
      }
      let shrink = shrinkMask & (1 << axis) != 0
      guard !shrink || stride > 0 else {
        throw context.error(
          .unsupportedOperatorConfiguration,
          "shrunk axis \(axis) has stride \(stride); TFLM takes no element from it unless the stride is positive"
        )
      }
      if shrink && beginMask & (1 << axis) == 0 {
        guard begin[axis] >= -size, begin[axis] < size else {
          throw context.error(
            .unsupportedOperatorConfiguration,
            "begin \(begin[axis]) of shrunk axis \(axis) is outside an axis of size \(size)")
        }
      }
      // TFLM's StridedSliceStartForAxis.
      var lower = begin[axis]
      if lower < 0 { lower += size }
      lower =
        stride > 0
        ? Swift.min(Swift.max(lower, 0), size) : Swift.min(Swift.max(lower, -1), size - 1)
      if beginMask & (1 << axis) != 0 { lower = stride > 0 ? 0 : size - 1 }
      // TFLM's StridedSliceEndForAxis.
      var upper: Int
      if shrink {
        upper = lower + 1
      } else {
        upper = end[axis]
        if upper < 0 { upper += size }
        upper =
          stride > 0
          ? Swift.min(Swift.max(upper, 0), size) : Swift.min(Swift.max(upper, -1), size - 1)
        if endMask & (1 << axis) != 0 { upper = stride > 0 ? size : -1 }
      }
      let span = stride > 0 ? upper - lower : lower - upper
      let step = stride > 0 ? stride : -stride
      let count = span <= 0 ? 0 : (span + step - 1) / step
      if !shrink { expected.append(count) }
      counts.append(count)
      steps.append(stride * inputStrides[axis])
      first += lower * inputStrides[axis]
    }
    guard output.shape == expected else {
      throw context.error(
        .invalidShape, "output shape \(output.shape) does not match the slice's shape \(expected)")
    }
    try context.expectSameQuantization(input, "input", as: output)
    let extend = maximumRank - rank
    return StridedSliceKernel(
      counts: [Int](repeating: 1, count: extend) + counts,
      steps: [Int](repeating: 0, count: extend) + steps, start: first,
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.int8(outputIndex)
  }

  override func invoke() {
    let n = (Int(counts[0]), Int(counts[1]), Int(counts[2]))
    let s = (Int(steps[0]), Int(steps[1]), Int(steps[2]))
    let start = Int(self.start)
    let innerCount = Int(counts[3])
    let innerStep = Int(steps[3])
    var out = output!
    for i0 in 0..<n.0 {
      for i1 in 0..<n.1 {
        for i2 in 0..<n.2 {
          let offset: Int = start + i0 * s.0 + i1 * s.1 + i2 * s.2
          let row = input + offset
          if innerContiguous {
            out.update(from: row, count: innerCount)
          } else {
            for i in 0..<innerCount { out[i] = row[i * innerStep] }
          }
          out += innerCount
        }
      }
    }
  }
}
