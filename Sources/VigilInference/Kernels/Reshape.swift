/// RESHAPE: the same elements under a new shape. The output shares the input's memory
/// whenever the planner allows it, so the operator usually costs nothing.
///
/// TFLM uses the output tensor's shape and ignores the shape operand; Vigil also checks that a
/// shape operand (or the legacy `ReshapeOptions.new_shape`), when present, agrees with the
/// output shape, allowing one `-1` wildcard.
///
/// Operator versions: TFLite assigns version 1 to every form (op_version.cc has no RESHAPE
/// case).
enum ReshapeKernel {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> PreparedOperator {
    try context.expectInputs(1, 2)
    let output = context.output
    if let shape = context.optionalInput(1) {
      guard shape.shape.count <= 1 else {
        throw context.error(
          .invalidShape, "shape operand '\(shape.name)' must be 1-D; its shape is \(shape.shape)")
      }
      try check(try context.constantInt32s(shape, "shape operand"), against: output, context)
    } else if let options = try context.options(17, "ReshapeOptions"),
      let vector = try options.vector(0, elementSize: 4, "ReshapeOptions.new_shape")
    {
      var values: [Int] = []
      for i in 0..<vector.count {
        values.append(Int(try vector.i32(i, "ReshapeOptions.new_shape")))
      }
      try check(values, against: output, context)
    }
    return try TensorCopyKernel.prepareAlias(context)
  }

  /// Throws unless `requested` (with at most one -1) describes the output shape.
  private static func check(
    _ requested: [Int], against output: TensorInfo, _ context: PrepareContext
  )
    throws(ModelError)
  {
    // TFLite's legacy converter wrote [0] for a scalar.
    if output.shape.isEmpty && (requested.isEmpty || requested == [0]) { return }
    let wildcards = requested.filter { $0 == -1 }.count
    let matches =
      requested.count == output.shape.count && wildcards <= 1
      && zip(requested, output.shape).allSatisfy { $0 == $1 || $0 == -1 }
    guard matches else {
      throw context.error(
        .invalidShape,
        "requested shape \(requested) does not describe output shape \(output.shape)")
    }
  }
}
