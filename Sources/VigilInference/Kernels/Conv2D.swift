/// CONV_2D for int8 activations and per-channel int8 weights: stride, dilation, SAME/VALID
/// padding, groups, fused RELU/RELU6/RELU_N1_TO_1.
///
/// Arithmetic: TFLM `reference_integer_ops::ConvPerChannel`. Each output pixel's receptive
/// field is gathered into a scratch row (im2col) with out-of-image taps set to the input zero
/// point, which contributes exactly nothing once `−zp_in × Σ w` is folded into the bias; the
/// row is then multiplied with each filter row.
final class Conv2DKernel: OperatorKernel {
  struct Geometry {
    var batches = 0, inputHeight = 0, inputWidth = 0, inputDepth = 0
    var outputHeight = 0, outputWidth = 0, outputDepth = 0
    var filterHeight = 0, filterWidth = 0, filterDepth = 0
    var strideHeight = 0, strideWidth = 0, dilationHeight = 0, dilationWidth = 0
    var padTop = 0, padLeft = 0, groups = 1
  }

  private let g: Geometry
  private let inputIndex: Int, filterIndex: Int, outputIndex: Int, scratchIndex: Int
  private let inputZeroPoint: Int8
  private let channels: ChannelParameters
  private let requantizer: Requantizer
  private var input: UnsafePointer<Int8>!
  private var filter: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!
  private var patch: UnsafeMutablePointer<Int8>!

  private init(
    geometry: Geometry, inputIndex: Int, filterIndex: Int, outputIndex: Int, scratchIndex: Int,
    inputZeroPoint: Int8, channels: ChannelParameters, requantizer: Requantizer
  ) {
    g = geometry
    self.inputIndex = inputIndex
    self.filterIndex = filterIndex
    self.outputIndex = outputIndex
    self.scratchIndex = scratchIndex
    self.inputZeroPoint = inputZeroPoint
    self.channels = channels
    self.requantizer = requantizer
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> Conv2DKernel {
    try context.expectInputs(2, 3)
    let input = try context.input(0)
    let filter = try context.input(1)
    let bias = context.optionalInput(2)
    let output = context.output
    try context.expectType(input, .int8, "input")
    try context.expectType(filter, .int8, "filter")
    try context.expectType(output, .int8, "output")
    guard input.shape.count == 4, filter.shape.count == 4, output.shape.count == 4 else {
      throw context.error(
        .invalidShape,
        "input, filter and output must be 4-D; shapes are \(input.shape), \(filter.shape), \(output.shape)"
      )
    }
    let options = try context.options(1, "Conv2DOptions")
    guard
      let padding = PaddingKind(
        rawValue: try options?.i8(0, default: 0, "Conv2DOptions.padding") ?? 0)
    else {
      throw context.error(.unsupportedOperatorConfiguration, "unknown padding")
    }
    var g = Geometry()
    g.strideWidth = Int(try options?.i32(1, default: 0, "Conv2DOptions.stride_w") ?? 0)
    g.strideHeight = Int(try options?.i32(2, default: 0, "Conv2DOptions.stride_h") ?? 0)
    let activation = try FusedActivation(
      code: try options?.i8(3, default: 0, "Conv2DOptions.fused_activation_function") ?? 0,
      context: context)
    g.dilationWidth = Int(try options?.i32(4, default: 1, "Conv2DOptions.dilation_w_factor") ?? 1)
    g.dilationHeight = Int(try options?.i32(5, default: 1, "Conv2DOptions.dilation_h_factor") ?? 1)
    guard g.strideWidth >= 1, g.strideHeight >= 1, g.dilationWidth >= 1, g.dilationHeight >= 1,
      g.strideWidth <= 1024, g.strideHeight <= 1024, g.dilationWidth <= 1024,
      g.dilationHeight <= 1024
    else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "strides (\(g.strideHeight), \(g.strideWidth)) and dilations (\(g.dilationHeight), \(g.dilationWidth)) must be 1-1024"
      )
    }
    let inputShape = NHWC(input.shape)
    g.batches = inputShape.batches
    g.inputHeight = inputShape.height
    g.inputWidth = inputShape.width
    g.inputDepth = inputShape.channels
    g.outputDepth = filter.shape[0]
    g.filterHeight = filter.shape[1]
    g.filterWidth = filter.shape[2]
    g.filterDepth = filter.shape[3]
    guard g.inputDepth % g.filterDepth == 0, g.outputDepth % (g.inputDepth / g.filterDepth) == 0
    else {
      throw context.error(
        .invalidShape,
        "filter depth \(g.filterDepth) and \(g.outputDepth) output channels do not divide input depth \(g.inputDepth) into groups"
      )
    }
    g.groups = g.inputDepth / g.filterDepth
    let rows = SpatialGeometry(
      padding: padding, inputSize: g.inputHeight, filterSize: g.filterHeight,
      stride: g.strideHeight, dilation: g.dilationHeight)
    let columns = SpatialGeometry(
      padding: padding, inputSize: g.inputWidth, filterSize: g.filterWidth, stride: g.strideWidth,
      dilation: g.dilationWidth)
    g.outputHeight = rows.outputSize
    g.outputWidth = columns.outputSize
    g.padTop = rows.paddingBefore
    g.padLeft = columns.paddingBefore
    guard output.shape == [g.batches, g.outputHeight, g.outputWidth, g.outputDepth] else {
      throw context.error(
        .invalidShape,
        "output shape \(output.shape) does not match [\(g.batches), \(g.outputHeight), \(g.outputWidth), \(g.outputDepth)]"
      )
    }

    let inputQ = try context.perTensorQuantization(input, "input")
    let outputQ = try context.perTensorQuantization(output, "output")
    let filterScales = try filterScales(filter, channels: g.outputDepth, context: context)
    var biasData: UnsafeRawPointer?
    if let bias {
      try context.expectType(bias, .int32, "bias")
      guard bias.elementCount == g.outputDepth else {
        throw context.error(
          .invalidShape,
          "bias has \(bias.elementCount) elements for \(g.outputDepth) output channels")
      }
      biasData = try context.expectConstant(bias, "bias").baseAddress
    }
    let filterData = try context.expectConstant(filter, "filter").baseAddress!.assumingMemoryBound(
      to: Int8.self)
    let patchLength = g.filterHeight * g.filterWidth * g.filterDepth
    let channels = ChannelParameters(
      count: g.outputDepth, filter: filterData, rowLength: patchLength, rowStride: patchLength,
      bias: biasData,
      inputZeroPoint: inputQ.zeroPoint,
      multipliers: ChannelMultipliers(
        inputScale: inputQ.scale, filterScales: filterScales, outputScale: outputQ.scale,
        channels: g.outputDepth))
    let range = activation.int8Range(scale: outputQ.scale, zeroPoint: outputQ.zeroPoint)
    let scratch = context.requestScratch(bytes: patchLength)
    return Conv2DKernel(
      geometry: g, inputIndex: try context.inputIndex(0), filterIndex: try context.inputIndex(1),
      outputIndex: context.outputIndex, scratchIndex: scratch,
      inputZeroPoint: Int8(inputQ.zeroPoint),
      channels: channels,
      requantizer: Requantizer(
        outputZeroPoint: outputQ.zeroPoint, activationMin: range.min, activationMax: range.max))
  }

  /// The filter's per-output-channel (or single) scales, checked against the channel count.
  static func filterScales(_ filter: TensorInfo, channels: Int, context: PrepareContext)
    throws(ModelError) -> [Float]
  {
    guard let q = filter.quantization else {
      throw context.error(
        .invalidQuantization, "filter '\(filter.name)' has no quantization parameters")
    }
    guard q.zeroPoints.allSatisfy({ $0 == 0 }) else {
      throw context.error(.invalidQuantization, "int8 filters must be symmetric (zero point 0)")
    }
    guard q.scales.count == 1 || q.scales.count == channels else {
      throw context.error(
        .invalidQuantization, "filter has \(q.scales.count) scales for \(channels) output channels")
    }
    return q.scales
  }

  func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    filter = UnsafePointer(memory.int8(filterIndex))
    output = memory.int8(outputIndex)
    patch = memory.scratch(scratchIndex).assumingMemoryBound(to: Int8.self)
  }

  func invoke() {
    let g = self.g
    let patchLength = g.filterHeight * g.filterWidth * g.filterDepth
    let channelsPerGroup = g.outputDepth / g.groups
    let bias = channels.bias
    let multipliers = channels.multipliers
    let shifts = channels.shifts
    var out = output!
    for batch in 0..<g.batches {
      let image = input + batch * g.inputHeight * g.inputWidth * g.inputDepth
      for outY in 0..<g.outputHeight {
        let originY = outY * g.strideHeight - g.padTop
        for outX in 0..<g.outputWidth {
          let originX = outX * g.strideWidth - g.padLeft
          for group in 0..<g.groups {
            gatherPatch(
              image: image, originY: originY, originX: originX, channelOffset: group * g.filterDepth
            )
            let firstChannel = group * channelsPerGroup
            for c in firstChannel..<(firstChannel + channelsPerGroup) {
              let accumulator =
                Int8Dot.dot(patch, filter + c * patchLength, count: patchLength) &+ bias[c]
              out[c] = requantizer.int8(accumulator, multiplier: multipliers[c], shift: shifts[c])
            }
          }
          out += g.outputDepth
        }
      }
    }
  }

  /// Copies the receptive field at (`originY`, `originX`) into the patch row, in the filter's
  /// [height][width][depth] order, writing the input zero point for taps outside the image.
  @inline(__always)
  private func gatherPatch(
    image: UnsafePointer<Int8>, originY: Int, originX: Int, channelOffset: Int
  ) {
    let g = self.g
    var destination = patch!
    for fy in 0..<g.filterHeight {
      let y = originY + fy * g.dilationHeight
      for fx in 0..<g.filterWidth {
        let x = originX + fx * g.dilationWidth
        if y >= 0, y < g.inputHeight, x >= 0, x < g.inputWidth {
          let source = image + (y * g.inputWidth + x) * g.inputDepth + channelOffset
          destination.update(from: source, count: g.filterDepth)
        } else {
          destination.update(repeating: inputZeroPoint, count: g.filterDepth)
        }
        destination += g.filterDepth
      }
    }
  }
}
