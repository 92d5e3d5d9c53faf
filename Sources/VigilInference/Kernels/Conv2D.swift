/// CONV_2D for int8 activations and per-channel int8 weights: stride, dilation, SAME/VALID
/// padding, groups, fused RELU/RELU6/RELU_N1_TO_1.
///
/// Arithmetic: TFLM `reference_integer_ops::ConvPerChannel`, with `−zp_in × Σ w` folded into
/// the bias so the inner loops multiply raw int8 values; out-of-image taps read the input zero
/// point, which then contributes exactly nothing. Two variants compute identical results:
/// - *dot product* (ARM, and any model whose bytes are read-only): each output pixel's
///   receptive field is gathered into a scratch row (im2col) and multiplied with each filter
///   row; LLVM compiles the dot product to `smull`/`sdot` on AArch64;
/// - *outer product* (x86-64, for models loaded with `Model(exclusiveBytes:)`): the filter is
///   transposed in place to `[tap][input channel][output channel]` and four output pixels ×
///   16 or 32 output channels accumulate at once in exact float32 FMA (see ``OuterProduct``).
final class Conv2DKernel: OperatorKernel {
  struct Geometry {
    var batches = 0, inputHeight = 0, inputWidth = 0, inputDepth = 0
    var outputHeight = 0, outputWidth = 0, outputDepth = 0
    var filterHeight = 0, filterWidth = 0, filterDepth = 0
    var strideHeight = 0, strideWidth = 0, dilationHeight = 0, dilationWidth = 0
    var padTop = 0, padLeft = 0, groups = 1

    /// The geometry as 17 `Int32` values (every size fits: tensors are at most 2^30 bytes, and
    /// strides and dilations at most 1024), as the kernel keeps it.
    var packed: InlineArray<17, Int32> {
      [
        batches, inputHeight, inputWidth, inputDepth, outputHeight, outputWidth, outputDepth,
        filterHeight, filterWidth, filterDepth, strideHeight, strideWidth, dilationHeight,
        dilationWidth, padTop, padLeft, groups,
      ].withUnsafeBufferPointer { values in
        InlineArray { Int32(truncatingIfNeeded: values[$0]) }
      }
    }

    /// Unpacks ``packed``.
    init(_ packed: InlineArray<17, Int32>) {
      func v(_ i: Int) -> Int { Int(packed[i]) }
      (batches, inputHeight, inputWidth, inputDepth) = (v(0), v(1), v(2), v(3))
      (outputHeight, outputWidth, outputDepth) = (v(4), v(5), v(6))
      (filterHeight, filterWidth, filterDepth) = (v(7), v(8), v(9))
      (strideHeight, strideWidth, dilationHeight, dilationWidth) = (v(10), v(11), v(12), v(13))
      (padTop, padLeft, groups) = (v(14), v(15), v(16))
    }

    init() {}
  }

  /// How the kernel computes (see the type's documentation).
  enum Variant: Equatable {
    case dotProduct
    case outerProduct
  }

  private let packedGeometry: InlineArray<17, Int32>
  private var g: Geometry { Geometry(packedGeometry) }
  private let variant: Variant
  private let inputIndex: Int32, filterIndex: Int32, outputIndex: Int32, scratchIndex: Int32
  private let inputZeroPoint: Int8
  private let channels: ChannelParameters
  private var input: UnsafePointer<Int8>!
  private var filter: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!
  private var patch: UnsafeMutablePointer<Int8>!

  private init(
    geometry: Geometry, variant: Variant, inputIndex: Int, filterIndex: Int, outputIndex: Int,
    scratchIndex: Int, inputZeroPoint: Int8, channels: consuming ChannelParameters
  ) {
    packedGeometry = geometry.packed
    self.variant = variant
    self.inputIndex = Int32(inputIndex)
    self.filterIndex = Int32(filterIndex)
    self.outputIndex = Int32(outputIndex)
    self.scratchIndex = Int32(scratchIndex)
    self.inputZeroPoint = inputZeroPoint
    self.channels = channels
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
    let filterIndex = try context.inputIndex(1)
    let rearrangement = context.model.rearrangement
    let layout = rearrangement?.layout(of: filterIndex) ?? .file
    let variant: Variant =
      context.preferences.outerProductConvolution && rearrangement != nil && g.groups == 1
        && g.outputDepth >= 16 && patchLength <= OuterProduct.maximumDepth
      ? .outerProduct : .dotProduct
    guard layout == .file || (layout == .innerMajor && variant == .outerProduct) else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "filter '\(filter.name)' was rearranged for another operator that shares it")
    }
    let range = activation.int8Range(scale: outputQ.scale, zeroPoint: outputQ.zeroPoint)
    let channels = try ChannelParameters(
      count: g.outputDepth, filter: filterData, rowLength: patchLength,
      rowStride: layout == .file ? patchLength : 1,
      elementStride: layout == .file ? 1 : g.outputDepth,
      bias: biasData,
      inputZeroPoint: inputQ.zeroPoint,
      multipliers: ChannelMultipliers(
        inputScale: inputQ.scale, filterScales: filterScales, outputScale: outputQ.scale,
        channels: g.outputDepth),
      outputZeroPoint: outputQ.zeroPoint, activationMin: range.min, activationMax: range.max,
      context: context)
    if variant == .outerProduct, layout == .file, let rearrangement {
      OuterProduct.transposeInPlace(
        UnsafeMutablePointer(mutating: filterData), rows: g.outputDepth, columns: patchLength)
      rearrangement.record(filterIndex, .innerMajor)
    }
    // Dot product: one im2col row. Outer product: a zero-point row standing in for taps
    // outside the image.
    let scratch = context.requestScratch(
      bytes: variant == .dotProduct ? patchLength : g.inputDepth)
    return Conv2DKernel(
      geometry: g, variant: variant, inputIndex: try context.inputIndex(0),
      filterIndex: filterIndex,
      outputIndex: context.outputIndex, scratchIndex: scratch,
      inputZeroPoint: Int8(inputQ.zeroPoint),
      channels: channels)
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

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    filter = UnsafePointer(memory.int8(filterIndex))
    output = memory.int8(outputIndex)
    patch = memory.scratch(scratchIndex).assumingMemoryBound(to: Int8.self)
  }

  override func invoke() {
    switch variant {
    case .dotProduct: invokeDotProduct()
    case .outerProduct: invokeOuterProduct()
    }
  }

  private func invokeDotProduct() {
    let g = self.g
    let patchLength = g.filterHeight * g.filterWidth * g.filterDepth
    let channelsPerGroup = g.outputDepth / g.groups
    let bias = channels.bias
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
              out[c] = channels.requantize(accumulator, channel: c)
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

extension Conv2DKernel {
  /// The outer-product variant: for each row of output pixels, four pixels at a time, each block
  /// of 32 or 16 output channels accumulates over every filter tap in exact float32, then the
  /// int32 sums get the folded bias and are requantized a pixel row at a time.
  fileprivate func invokeOuterProduct() {
    let g = self.g
    // Scratch memory is shared with other operators, so the zero-point row is written each time.
    patch.update(repeating: inputZeroPoint, count: g.inputDepth)
    let depth = g.outputDepth
    var out = output!
    for batch in 0..<g.batches {
      let image = input + batch * g.inputHeight * g.inputWidth * g.inputDepth
      for outY in 0..<g.outputHeight {
        var outX = 0
        while outX < g.outputWidth {
          let count = Swift.min(4, g.outputWidth - outX)
          // Pixels past the end of the row repeat the last one; their results are not stored.
          let origins = (
            outX * g.strideWidth - g.padLeft,
            (outX + Swift.min(1, count - 1)) * g.strideWidth - g.padLeft,
            (outX + Swift.min(2, count - 1)) * g.strideWidth - g.padLeft,
            (outX + Swift.min(3, count - 1)) * g.strideWidth - g.padLeft
          )
          let originY = outY * g.strideHeight - g.padTop
          var channel = 0
          while channel < depth {
            let remaining = depth - channel
            if remaining >= 32 {
              var a = (
                SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(),
                SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>()
              )
              forEachTapRun(image: image, originY: originY, origins: origins, channel: channel) {
                x0, x1, x2, x3, weights, run in
                OuterProduct.accumulate4x32(
                  &a, x0: x0, x1: x1, x2: x2, x3: x3, weights: weights, stride: depth, depth: run)
              }
              store(a.0, a.1, channel: channel, into: out)
              if count > 1 { store(a.2, a.3, channel: channel, into: out + depth) }
              if count > 2 { store(a.4, a.5, channel: channel, into: out + 2 * depth) }
              if count > 3 { store(a.6, a.7, channel: channel, into: out + 3 * depth) }
              channel += 32
            } else if remaining >= 16 {
              var a = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
              forEachTapRun(image: image, originY: originY, origins: origins, channel: channel) {
                x0, x1, x2, x3, weights, run in
                OuterProduct.accumulate4x16(
                  &a, x0: x0, x1: x1, x2: x2, x3: x3, weights: weights, stride: depth, depth: run)
              }
              store(a.0, channel: channel, into: out)
              if count > 1 { store(a.1, channel: channel, into: out + depth) }
              if count > 2 { store(a.2, channel: channel, into: out + 2 * depth) }
              if count > 3 { store(a.3, channel: channel, into: out + 3 * depth) }
              channel += 16
            } else {
              // Fewer than 16 channels left: exact int32 arithmetic, one channel at a time.
              let bias = channels.bias
              for c in channel..<depth {
                var sums = (bias[c], bias[c], bias[c], bias[c])
                forEachTapRun(image: image, originY: originY, origins: origins, channel: c) {
                  x0, x1, x2, x3, weights, run in
                  for k in 0..<run {
                    let w = Int32(weights[k * depth])
                    sums.0 &+= Int32(x0[k]) &* w
                    sums.1 &+= Int32(x1[k]) &* w
                    sums.2 &+= Int32(x2[k]) &* w
                    sums.3 &+= Int32(x3[k]) &* w
                  }
                }
                out[c] = channels.requantize(sums.0, channel: c)
                if count > 1 { out[depth + c] = channels.requantize(sums.1, channel: c) }
                if count > 2 { out[2 * depth + c] = channels.requantize(sums.2, channel: c) }
                if count > 3 { out[3 * depth + c] = channels.requantize(sums.3, channel: c) }
              }
              channel = depth
            }
          }
          out += count * depth
          outX += count
        }
      }
    }
  }

  /// Adds the folded bias to 16 exact float sums of channels `channel..<channel + 16` and
  /// writes them requantized to `out[channel...]`.
  @inline(__always)
  private func store(_ sums: SIMD16<Float>, channel: Int, into out: UnsafeMutablePointer<Int8>) {
    var staged = SIMD16<Int32>()
    let bias = channels.bias + channel
    for l in 0..<16 { staged[l] = Int32(sums[l]) &+ bias[l] }
    withUnsafeBytes(of: &staged) {
      channels.requantize(
        $0.baseAddress!.assumingMemoryBound(to: Int32.self), channels: channel, width: 16,
        into: out + channel)
    }
  }

  /// ``store(_:channel:into:)`` for 32 channels held in two vectors.
  @inline(__always)
  private func store(
    _ low: SIMD16<Float>, _ high: SIMD16<Float>, channel: Int, into out: UnsafeMutablePointer<Int8>
  ) {
    store(low, channel: channel, into: out)
    store(high, channel: channel + 16, into: out)
  }

  /// Calls `body` with each contiguous run of filter taps for four pixels: the four pixels'
  /// input pointers (or the zero-point row, for taps outside the image), the transposed weights
  /// of the run starting at output channel `channel`, and the run's length. A filter row whose
  /// taps all lie inside the image for every pixel is one run when the dilation is 1.
  @inline(__always)
  private func forEachTapRun(
    image: UnsafePointer<Int8>, originY: Int, origins: (Int, Int, Int, Int), channel: Int,
    _ body: (
      UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafePointer<Int8>,
      UnsafePointer<Int8>, Int
    ) -> Void
  ) {
    let g = self.g
    let depth = g.outputDepth
    let inputDepth = g.inputDepth
    let zeroRow = UnsafePointer(patch!)
    let span = (g.filterWidth - 1) * g.dilationWidth
    let wholeRows =
      g.dilationWidth == 1 && Swift.min(origins.0, origins.1, origins.2, origins.3) >= 0
      && Swift.max(origins.0, origins.1, origins.2, origins.3) + span < g.inputWidth
    for fy in 0..<g.filterHeight {
      let y = originY + fy * g.dilationHeight
      let weights = filter + fy * g.filterWidth * inputDepth * depth + channel
      guard y >= 0, y < g.inputHeight else {
        for fx in 0..<g.filterWidth {
          body(zeroRow, zeroRow, zeroRow, zeroRow, weights + fx * inputDepth * depth, inputDepth)
        }
        continue
      }
      let row = image + y * g.inputWidth * inputDepth
      if wholeRows {
        body(
          row + origins.0 * inputDepth, row + origins.1 * inputDepth, row + origins.2 * inputDepth,
          row + origins.3 * inputDepth, weights, g.filterWidth * inputDepth)
        continue
      }
      for fx in 0..<g.filterWidth {
        let dx = fx * g.dilationWidth
        @inline(__always) func tap(_ origin: Int) -> UnsafePointer<Int8> {
          let x = origin + dx
          return x >= 0 && x < g.inputWidth ? row + x * inputDepth : zeroRow
        }
        body(
          tap(origins.0), tap(origins.1), tap(origins.2), tap(origins.3),
          weights + fx * inputDepth * depth,
          inputDepth)
      }
    }
  }
}
