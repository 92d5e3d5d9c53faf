/// FULLY_CONNECTED for int8 activations and int8 weights (per-channel or per-tensor), with an
/// optional int32 bias, fused activation and `keep_num_dims`.
///
/// Arithmetic: TFLM `reference_integer_ops::FullyConnected[PerChannel]`.
final class FullyConnectedKernel: OperatorKernel {
  private let inputIndex: Int32, filterIndex: Int32, outputIndex: Int32
  private let batches: Int32, depth: Int32, outputDepth: Int32
  private let channels: ChannelParameters
  private var input: UnsafePointer<Int8>!
  private var filter: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(
    inputIndex: Int, filterIndex: Int, outputIndex: Int, batches: Int, depth: Int, outputDepth: Int,
    channels: consuming ChannelParameters
  ) {
    self.inputIndex = Int32(inputIndex)
    self.filterIndex = Int32(filterIndex)
    self.outputIndex = Int32(outputIndex)
    self.batches = Int32(batches)
    self.depth = Int32(depth)
    self.outputDepth = Int32(outputDepth)
    self.channels = channels
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> FullyConnectedKernel {
    try context.expectInputs(2, 3)
    let input = try context.input(0)
    let filter = try context.input(1)
    let bias = context.optionalInput(2)
    let output = context.output
    try context.expectType(input, .int8, "input")
    try context.expectType(filter, .int8, "weights")
    try context.expectType(output, .int8, "output")
    let options = try context.options(8, "FullyConnectedOptions")
    let activation = try FusedActivation(
      code: try options?.i8(0, default: 0, "FullyConnectedOptions.fused_activation_function") ?? 0,
      context: context)
    if let format = try options?.i8(1, default: 0, "FullyConnectedOptions.weights_format"),
      format != 0
    {
      throw context.error(
        .unsupportedOperatorConfiguration, "shuffled weights format \(format) is not supported")
    }
    let keepNumDims = try options?.bool(2, "FullyConnectedOptions.keep_num_dims") ?? false

    guard filter.shape.count == 2 else {
      throw context.error(
        .invalidShape, "weights must be 2-D [output depth, input depth]; shape is \(filter.shape)")
    }
    let outputDepth = filter.shape[0]
    let depth = filter.shape[1]
    guard input.elementCount % depth == 0 else {
      throw context.error(
        .invalidShape,
        "input of \(input.elementCount) elements is not a whole number of \(depth)-element rows")
    }
    let batches = input.elementCount / depth
    var expected = keepNumDims ? input.shape : [batches, outputDepth]
    if keepNumDims { expected[expected.count - 1] = outputDepth }
    guard
      output.shape == expected
        || (output.elementCount == batches * outputDepth && output.shape.last == outputDepth)
    else {
      throw context.error(.invalidShape, "output shape \(output.shape) does not match \(expected)")
    }

    let inputQ = try context.perTensorQuantization(input, "input")
    let outputQ = try context.perTensorQuantization(output, "output")
    guard let filterQ = filter.quantization else {
      throw context.error(
        .invalidQuantization, "weights '\(filter.name)' have no quantization parameters")
    }
    guard filterQ.zeroPoints.allSatisfy({ $0 == 0 }) else {
      throw context.error(.invalidQuantization, "int8 weights must be symmetric (zero point 0)")
    }
    guard
      filterQ.scales.count == 1
        || (filterQ.scales.count == outputDepth && filterQ.quantizedDimension == 0)
    else {
      throw context.error(
        .invalidQuantization,
        "weights have \(filterQ.scales.count) scales for \(outputDepth) output channels")
    }
    var biasData: UnsafeRawPointer?
    if let bias {
      try context.expectType(bias, .int32, "bias")
      guard bias.elementCount == outputDepth else {
        throw context.error(
          .invalidShape, "bias has \(bias.elementCount) elements for \(outputDepth) output channels"
        )
      }
      biasData = try context.expectConstant(bias, "bias").baseAddress
    }
    let filterData = try context.expectConstant(filter, "weights")

    let multipliers: ChannelMultipliers
    if filterQ.isPerChannel {
      multipliers = ChannelMultipliers(
        inputScale: inputQ.scale, filterScales: filterQ.scales, outputScale: outputQ.scale,
        channels: outputDepth)
    } else {
      // TFLM's GetQuantizedConvolutionMultipler multiplies the two float scales in float.
      let m = FixedPoint.Multiplier(Double(inputQ.scale * filterQ.scale) / Double(outputQ.scale))
      multipliers = ChannelMultipliers(
        multipliers: [Int32](repeating: m.multiplier, count: outputDepth),
        shifts: [Int32](repeating: m.shift, count: outputDepth))
    }
    let range = activation.int8Range(scale: outputQ.scale, zeroPoint: outputQ.zeroPoint)
    let channels = try ChannelParameters(
      count: outputDepth, filter: filterData.baseAddress!.assumingMemoryBound(to: Int8.self),
      rowLength: depth, rowStride: depth, bias: biasData, inputZeroPoint: inputQ.zeroPoint,
      multipliers: multipliers, outputZeroPoint: outputQ.zeroPoint, activationMin: range.min,
      activationMax: range.max, context: context)
    return FullyConnectedKernel(
      inputIndex: try context.inputIndex(0), filterIndex: try context.inputIndex(1),
      outputIndex: context.outputIndex,
      batches: batches, depth: depth, outputDepth: outputDepth, channels: channels)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    filter = UnsafePointer(memory.int8(filterIndex))
    output = memory.int8(outputIndex)
  }

  override func invoke() {
    let (batches, depth, outputDepth) = (Int(self.batches), Int(self.depth), Int(self.outputDepth))
    let bias = channels.bias
    for b in 0..<batches {
      let row = input + b * depth
      let out = output + b * outputDepth
      for c in 0..<outputDepth {
        let accumulator = Int8Dot.dot(row, filter + c * depth, count: depth) &+ bias[c]
        out[c] = channels.requantize(accumulator, channel: c)
      }
    }
  }
}
