/// SQUEEZE: removes size-1 axes (the listed ones, or all of them); the output shares the
/// input's memory whenever the planner allows it.
///
/// Operator versions: TFLite assigns version 1 to int8 and float32 (2 is for strings).
enum SqueezeKernel {
  /// TFLM's limit (`max_squeeze_dims` in squeeze.cc).
  static let maximumRank = 8

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> PreparedOperator {
    try context.expectInputs(1)
    let input = try context.input(0)
    let output = context.output
    let rank = input.shape.count
    guard rank <= maximumRank else {
      throw context.error(
        .invalidShape, "input has \(rank) dimensions; SQUEEZE supports at most \(maximumRank)")
    }
    var squeeze = [Bool](repeating: false, count: rank)
    var listed = false
    if let options = try context.options(30, "SqueezeOptions"),
      let vector = try options.vector(0, elementSize: 4, "SqueezeOptions.squeeze_dims")
    {
      for i in 0..<vector.count {
        let axis = try context.normalizedAxis(
          Int(try vector.i32(i, "SqueezeOptions.squeeze_dims")), rank: rank, "squeeze axis")
        guard input.shape[axis] == 1 else {
          throw context.error(
            .invalidShape,
            "cannot squeeze axis \(axis) of input shape \(input.shape): its size is \(input.shape[axis]), not 1"
          )
        }
        squeeze[axis] = true
        listed = true
      }
    }
    if !listed {
      for axis in 0..<rank where input.shape[axis] == 1 { squeeze[axis] = true }
    }
    var expected: [Int] = []
    for axis in 0..<rank where !squeeze[axis] { expected.append(input.shape[axis]) }
    guard output.shape == expected else {
      throw context.error(
        .invalidShape,
        "output shape \(output.shape) is not input shape \(input.shape) squeezed to \(expected)")
    }
    return try TensorCopyKernel.prepareAlias(context)
  }
}
