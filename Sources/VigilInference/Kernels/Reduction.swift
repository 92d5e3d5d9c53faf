/// The validated operands of MEAN and REDUCE_MAX and the walk both use over the input.
///
/// The input is read once, in memory order. Axes of size 1 are dropped and neighbouring axes
/// that are both reduced or both kept are merged, so a global average pool `[1, H, W, C]` over
/// `(1, 2)` becomes `H·W` rows of `C` channels added into `C` sums, and a mean over the last axis
/// becomes one contiguous run per output; the innermost run is a plain loop LLVM vectorizes.
///
/// The plan is held inline in its kernel, its sizes as `Int32` (tensors are at most 2^30 bytes).
struct ReductionPlan {
  /// Elements in the output.
  var outputCount: Int { Int(outputElements) }
  /// Input elements folded into each output (the product of the reduced axes' sizes).
  var reducedCount: Int { Int(reducedElements) }
  private let outputElements: Int32
  private let reducedElements: Int32
  /// Merged axes, outermost first, without the innermost one (at most 7 of a rank-8 input).
  private let outerSizes: InlineArray<7, Int32>
  /// Output stride of each merged outer axis (0 for reduced axes).
  private let outerStrides: InlineArray<7, Int32>
  private let outerRank: Int32
  private let outerIterations: Int32
  /// Length of the innermost merged axis and whether it is reduced.
  private let innerCount: Int32
  private let innerReduced: Bool

  /// Resolves the axis operand (input 1) of the operator in `context` against input 0, checks
  /// the output shape against `keep_dims`, and plans the walk.
  ///
  /// - Parameter maximumRank: the largest input rank the kernel accepts.
  init(_ context: PrepareContext, maximumRank: Int) throws(ModelError) {
    try context.expectInputs(2)
    let input = try context.input(0)
    let axisTensor = try context.input(1)
    let output = context.output
    try context.expectType(input, .int8, "input")
    try context.expectType(output, .int8, "output")
    let rank = input.shape.count
    guard rank <= maximumRank else {
      throw context.error(
        .invalidShape,
        "input has \(rank) dimensions; \(context.info.op.name) supports at most \(maximumRank)")
    }
    guard axisTensor.shape.count <= 1 else {
      throw context.error(
        .invalidShape,
        "axis operand '\(axisTensor.name)' must be a scalar or 1-D; its shape is \(axisTensor.shape)"
      )
    }
    var isReduced = [Bool](repeating: false, count: rank)
    for value in try context.constantInt32s(axisTensor, "axis operand") {
      isReduced[try context.normalizedAxis(value, rank: rank, "axis")] = true
    }
    let options = try context.options(27, "ReducerOptions")
    let keepDims = try options?.bool(0, "ReducerOptions.keep_dims") ?? false
    var expected: [Int] = []
    var reducedCount = 1
    for axis in 0..<rank {
      if isReduced[axis] {
        reducedCount *= input.shape[axis]
        if keepDims { expected.append(1) }
      } else {
        expected.append(input.shape[axis])
      }
    }
    guard output.shape == expected else {
      throw context.error(
        .invalidShape,
        "output shape \(output.shape) does not match input shape \(input.shape) reduced \(keepDims ? "with" : "without") keep_dims (\(expected))"
      )
    }

    // Merge: drop unit axes, join neighbours with the same role.
    var sizes: [Int] = []
    var reduced: [Bool] = []
    for axis in 0..<rank where input.shape[axis] > 1 {
      if let last = reduced.last, last == isReduced[axis] {
        sizes[sizes.count - 1] *= input.shape[axis]
      } else {
        sizes.append(input.shape[axis])
        reduced.append(isReduced[axis])
      }
    }
    if sizes.isEmpty {
      sizes = [1]
      reduced = [false]
    }
    var strides = [Int](repeating: 0, count: sizes.count)
    var stride = 1
    for i in sizes.indices.reversed() where !reduced[i] {
      strides[i] = stride
      stride *= sizes[i]
    }
    outputElements = Int32(output.elementCount)
    reducedElements = Int32(reducedCount)
    let outerRank = sizes.count - 1
    self.outerRank = Int32(outerRank)
    innerCount = Int32(sizes[outerRank])
    innerReduced = reduced[outerRank]
    outerIterations = Int32(TensorLayout.product(sizes, 0..<outerRank))
    let padding = [Int](repeating: 0, count: 7 - outerRank)
    outerSizes = TensorLayout.packed(Array(sizes[0..<outerRank]) + padding)
    outerStrides = TensorLayout.packed(Array(strides[0..<outerRank]) + padding)
  }

  /// `(rows, count)` when the reduction is `rows` consecutive runs of `count` kept elements
  /// folded over the rows (a global pool: `[1, N, C]` over axis 1), else `nil`: the case
  /// where a kernel can keep its `count` accumulators in registers across the rows instead of
  /// loading and storing them for each row.
  var keptRunsOverRows: (rows: Int, count: Int)? {
    guard outerRank == 1, !innerReduced, outerStrides[0] == 0 else { return nil }
    return (Int(outerSizes[0]), Int(innerCount))
  }

  /// Feeds every input element to `step`, in memory order, with the output slot it reduces into.
  @inline(__always)
  func walk<Step: ReductionStep>(
    _ input: UnsafePointer<Int8>, into output: UnsafeMutablePointer<Step.Element>, _: Step.Type
  ) {
    var counters = InlineArray<7, Int32>(repeating: 0)
    let innerCount = Int(self.innerCount)
    var x = input
    var offset = 0
    for _ in 0..<Int(outerIterations) {
      if innerReduced {
        Step.fold(output + offset, x, count: innerCount)
      } else {
        Step.combine(output + offset, x, count: innerCount)
      }
      x += innerCount
      var axis = Int(outerRank) - 1
      while axis >= 0 {
        counters[axis] += 1
        offset += Int(outerStrides[axis])
        if counters[axis] < outerSizes[axis] { break }
        offset -= Int(outerStrides[axis]) * Int(outerSizes[axis])
        counters[axis] = 0
        axis -= 1
      }
    }
  }
}

/// How one reduction combines input values into its accumulators.
protocol ReductionStep {
  /// The accumulator type.
  associatedtype Element
  /// `out[i] ⊕= x[i]` for `i` in `0..<count` (a kept innermost axis).
  static func combine(_ out: UnsafeMutablePointer<Element>, _ x: UnsafePointer<Int8>, count: Int)
  /// `out[0] ⊕= x[0] ⊕ … ⊕ x[count − 1]` (a reduced innermost axis).
  static func fold(_ out: UnsafeMutablePointer<Element>, _ x: UnsafePointer<Int8>, count: Int)
}
