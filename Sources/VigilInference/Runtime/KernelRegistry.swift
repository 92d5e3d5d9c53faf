/// What preparing an operator produced.
enum PreparedOperator {
  /// A kernel to run at every invoke.
  case kernel(any OperatorKernel)
  /// The output holds exactly the input's bytes (RESHAPE, SQUEEZE, EXPAND_DIMS): the planner
  /// lets them share memory and the operator costs nothing, or runs `copy` where sharing is
  /// not safe.
  case alias(input: Int, output: Int, copy: any OperatorKernel)
}

/// Maps each builtin operator to the `prepare` function in its kernel file.
enum KernelRegistry {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> PreparedOperator {
    switch context.info.op {
    case .fullyConnected: return .kernel(try FullyConnectedKernel.prepare(&context))
    case .conv2D: return .kernel(try Conv2DKernel.prepare(&context))
    default:
      throw context.error(
        .unsupportedOperator, "operator \(context.info.op.name) is not implemented yet")
    }
  }
}
