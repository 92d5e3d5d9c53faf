/// What preparing an operator produced.
enum PreparedOperator {
  /// A kernel to run at every invoke.
  case kernel(OperatorKernel)
  /// The output holds exactly the input's bytes (RESHAPE, SQUEEZE, EXPAND_DIMS): the planner
  /// lets them share memory and the operator costs nothing, or runs `copy` where sharing is
  /// not safe.
  case alias(input: Int, output: Int, copy: OperatorKernel)
}

/// Maps each builtin operator to the `prepare` function in its kernel file.
enum KernelRegistry {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> PreparedOperator {
    switch context.info.op {
    case .fullyConnected: return .kernel(try FullyConnectedKernel.prepare(&context))
    case .conv2D: return .kernel(try Conv2DKernel.prepare(&context))
    case .add: return .kernel(try AddKernel.prepare(&context))
    case .sub: return .kernel(try SubKernel.prepare(&context))
    case .mul: return .kernel(try MulKernel.prepare(&context))
    case .quantize: return try QuantizeKernel.prepare(&context)
    case .dequantize: return .kernel(try DequantizeKernel.prepare(&context))
    case .logistic: return .kernel(try LogisticKernel.prepare(&context))
    case .tanh: return .kernel(try TanhKernel.prepare(&context))
    case .softmax: return .kernel(try SoftmaxKernel.prepare(&context))
    case .relu: return .kernel(try ReluKernel.prepare(&context))
    case .relu6: return .kernel(try Relu6Kernel.prepare(&context))
    case .leakyRelu: return .kernel(try LeakyReluKernel.prepare(&context))
    case .depthwiseConv2D: return .kernel(try DepthwiseConv2DKernel.prepare(&context))
    case .averagePool2D: return .kernel(try AveragePool2DKernel.prepare(&context))
    case .maxPool2D: return .kernel(try MaxPool2DKernel.prepare(&context))
    case .concatenation: return .kernel(try ConcatenationKernel.prepare(&context))
    case .mean: return .kernel(try MeanKernel.prepare(&context))
    case .reduceMax: return .kernel(try ReduceMaxKernel.prepare(&context))
    case .pad: return .kernel(try PadKernel.prepare(&context))
    case .stridedSlice: return .kernel(try StridedSliceKernel.prepare(&context))
    case .transpose: return .kernel(try TransposeKernel.prepare(&context))
    case .reshape: return try ReshapeKernel.prepare(&context)
    case .squeeze: return try SqueezeKernel.prepare(&context)
    case .expandDims: return try ExpandDimsKernel.prepare(&context)
    }
  }
}
