/// FULLY_CONNECTED for int8 activations and int8 weights (per-channel or per-tensor), with an
/// optional int32 bias, fused activation and `keep_num_dims`.
///
/// Arithmetic: TFLM `reference_integer_ops::FullyConnected[PerChannel]`.
final class FullyConnectedKernel: OperatorKernel {
  private let inputIndex: Int32, filterIndex: Int32, outputIndex: Int32
  private let batches: Int32, depth: Int32, outputDepth: Int32
  private let channels: ChannelParameters
  /// For inputs of at most ``shortDepth`` elements and at most ``shortOutputs`` outputs: each
  /// weight row widened to 16 int16 lanes (zero past `depth`), so that an output is one vector
  /// multiply and a horizontal sum. `nil` otherwise.
  private let shortRows: UnsafeMutablePointer<SIMD16<Int16>>?
  private var input: UnsafePointer<Int8>!
  private var filter: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(
    inputIndex: Int, filterIndex: Int, outputIndex: Int, batches: Int, depth: Int, outputDepth: Int,
    channels: consuming ChannelParameters, shortRows: UnsafeMutablePointer<SIMD16<Int16>>?
  ) {
    self.inputIndex = Int32(inputIndex)
    self.filterIndex = Int32(filterIndex)
    self.outputIndex = Int32(outputIndex)
    self.batches = Int32(batches)
    self.depth = Int32(depth)
    self.outputDepth = Int32(outputDepth)
    self.channels = channels
    self.shortRows = shortRows
  }

  deinit { shortRows?.deallocate() }

  /// The longest input row the short-row form takes (one 16-lane vector).
  static let shortDepth = 16
  /// The most outputs the short-row form takes (its table is 32 bytes per output, kept from
  /// load).
  static let shortOutputs = 32

  /// The short-row table for `weights` (`[outputDepth][depth]`), or `nil` when the shape is
  /// outside the short-row form's limits.
  private static func shortRowTable(
    _ weights: UnsafePointer<Int8>, depth: Int, outputDepth: Int
  ) -> UnsafeMutablePointer<SIMD16<Int16>>? {
    guard depth <= shortDepth, outputDepth <= shortOutputs else { return nil }
    let table = UnsafeMutablePointer<SIMD16<Int16>>.allocate(capacity: outputDepth)
    for c in 0..<outputDepth {
      var row = SIMD16<Int16>()
      for k in 0..<depth { row[k] = Int16(weights[c * depth + k]) }
      (table + c).initialize(to: row)
    }
    return table
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
      batches: batches, depth: depth, outputDepth: outputDepth, channels: channels,
      shortRows: shortRowTable(
        filterData.baseAddress!.assumingMemoryBound(to: Int8.self), depth: depth,
        outputDepth: outputDepth))
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    filter = UnsafePointer(memory.int8(filterIndex))
    output = memory.int8(outputIndex)
  }

  override func invoke() {
    if let shortRows {
      invokeShortRows(shortRows)
      return
    }
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

  /// Rows of at most 16 inputs: each row widened once, each output one int16 vector product
  /// (|x·w| ≤ 2^14 fits) summed in int32, then the row's outputs requantized together.
  private func invokeShortRows(_ rows: UnsafeMutablePointer<SIMD16<Int16>>) {
    let (batches, depth, outputDepth) = (Int(self.batches), Int(self.depth), Int(self.outputDepth))
    let bias = channels.bias
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.shortOutputs) { sums in
      let sums = sums.baseAddress!
      for b in 0..<batches {
        let row = input + b * depth
        var x = SIMD16<Int16>()
        for k in 0..<depth { x[k] = Int16(row[k]) }
        for c in 0..<outputDepth {
          let products = x &* rows[c]
          var wide = SIMD16<Int32>()
          for i in 0..<16 { wide[i] = Int32(products[i]) }
          sums[c] = wide.wrappedSum() &+ bias[c]
        }
        channels.requantize(sums, into: output + b * outputDepth)
      }
    }
  }
}
