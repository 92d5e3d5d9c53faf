/// TRANSPOSE of int8 tensors up to 5-D by a constant int32 permutation.
///
/// Arithmetic: none; TFLM `reference_ops::Transpose` writes the output in order, reading input
/// element `Σ i_k · stride[perm[k]]`. Here axes of size 1 are dropped and output axes that stay
/// neighbours in the input are merged first, so a transpose that keeps the innermost axis in
/// place copies whole rows.
///
/// The permutation must name every input axis once (TFLM only range-checks it).
///
/// Operator versions: TFLite assigns version 2 to the int8 form up to 4-D and version 4 to
/// 5-D inputs (op_version.cc; 5 is int16, 6 is for >5-D, which TFLM refuses).
final class TransposeKernel: OperatorKernel {
  /// TFLM's limit in transpose_common.cc.
  static let maximumRank = 5

  /// Output-order loop counts and input strides, extended to 5 axes with leading 1s.
  private let counts: InlineArray<5, Int32>
  private let inputStrides: InlineArray<5, Int32>
  private let inputIndex: Int32, outputIndex: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(counts: [Int], inputStrides: [Int], inputIndex: Int, outputIndex: Int) {
    self.counts = TensorLayout.packed(counts)
    self.inputStrides = TensorLayout.packed(inputStrides)
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> TransposeKernel {
    try context.expectInputs(2)
    let input = try context.input(0)
    let permutation = try context.input(1)
    let output = context.output
    try context.expectType(input, .int8, "input")
    try context.expectType(output, .int8, "output")
    let rank = input.shape.count
    guard rank >= 1, rank <= maximumRank else {
      throw context.error(
        .invalidShape, "input has \(rank) dimensions; TRANSPOSE supports 1-\(maximumRank)")
    }
    let perm = try context.constantInt32s(permutation, "permutation")
    var named = [Bool](repeating: false, count: rank)
    for axis in perm where axis >= 0 && axis < rank { named[axis] = true }
    guard permutation.shape == [rank], named.allSatisfy({ $0 }) else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "permutation \(perm) (shape \(permutation.shape)) must list each of the \(rank) input axes once"
      )
    }
    let expected = perm.map { input.shape[$0] }
    guard output.shape == expected else {
      throw context.error(
        .invalidShape,
        "output shape \(output.shape) is not input shape \(input.shape) permuted by \(perm) (\(expected))"
      )
    }
    try context.expectSameQuantization(input, "input", as: output)

    // Output axes in order with their input strides, unit axes dropped, and an output axis
    // merged into the previous one when it is the next input axis.
    let strides = TensorLayout.strides(input.shape)
    var counts: [Int] = []
    var inputStrides: [Int] = []
    var previousAxis = -2
    for axis in perm where input.shape[axis] > 1 {
      if axis == previousAxis + 1, let last = counts.last {
        counts[counts.count - 1] = last * input.shape[axis]
        inputStrides[inputStrides.count - 1] = strides[axis]
      } else {
        counts.append(input.shape[axis])
        inputStrides.append(strides[axis])
      }
      previousAxis = axis
    }
    let extend = maximumRank - counts.count
    return TransposeKernel(
      counts: [Int](repeating: 1, count: extend) + counts,
      inputStrides: [Int](repeating: 0, count: extend) + inputStrides,
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.int8(outputIndex)
  }

  override func invoke() {
    let n = (Int(counts[0]), Int(counts[1]), Int(counts[2]), Int(counts[3]))
    let s = (
      Int(inputStrides[0]), Int(inputStrides[1]), Int(inputStrides[2]), Int(inputStrides[3])
    )
    let innerCount = Int(counts[4])
    let innerStride = Int(inputStrides[4])
    var out = output!
    for i0 in 0..<n.0 {
      for i1 in 0..<n.1 {
        for i2 in 0..<n.2 {
          for i3 in 0..<n.3 {
            let offset: Int = i0 * s.0 + i1 * s.1 + i2 * s.2 + i3 * s.3
            let row = input + offset
            if innerStride == 1 {
              out.update(from: row, count: innerCount)
            } else {
              for i in 0..<innerCount { out[i] = row[i * innerStride] }
            }
            out += innerCount
          }
        }
      }
    }
  }
}
