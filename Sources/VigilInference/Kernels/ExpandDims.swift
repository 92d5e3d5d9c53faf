/// EXPAND_DIMS: inserts a size-1 axis; the output shares the input's memory whenever the
/// planner allows it.
///
/// The axis operand is a constant int32 scalar or one-element vector, as TFLM requires
/// (it refuses int64 axes); negative axes count from the end of the output.
///
/// Operator versions: TFLite assigns version 1 to every form (op_version.cc has no
/// EXPAND_DIMS case; runtime_version.cc lists only version 1).
enum ExpandDimsKernel {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> PreparedOperator {
    try context.expectInputs(2)
    let input = try context.input(0)
    let axisTensor = try context.input(1)
    let output = context.output
    let values = try context.constantInt32s(axisTensor, "axis operand")
    guard axisTensor.shape.count <= 1, values.count == 1 else {
      throw context.error(
        .invalidShape,
        "axis operand '\(axisTensor.name)' must hold one value; its shape is \(axisTensor.shape)")
    }
    let rank = input.shape.count
    let axis = try context.normalizedAxis(values[0], rank: rank + 1, "axis")
    var expected = input.shape
    expected.insert(1, at: axis)
    guard output.shape == expected else {
      throw context.error(
        .invalidShape,
        "output shape \(output.shape) is not input shape \(input.shape) with an axis inserted at \(axis) (\(expected))"
      )
    }
    return try TensorCopyKernel.prepareAlias(context)
  }
}
