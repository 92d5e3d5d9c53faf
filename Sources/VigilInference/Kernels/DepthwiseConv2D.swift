/// DEPTHWISE_CONV_2D for int8 activations and per-channel (or per-tensor) int8 filters: any
/// depth multiplier, stride, dilation, SAME/VALID padding, fused RELU/RELU6/RELU_N1_TO_1.
///
/// Arithmetic: TFLM `reference_integer_ops::DepthwiseConvPerChannel`, which sums
/// `w·(x − zp_in)` over the in-image taps, adds the bias and requantizes per channel. Here
/// `−zp_in × Σ w` is folded into the bias over *all* taps (``ChannelParameters``) and taps
/// outside the image read a row of `zp_in` values, whose contribution `w·zp_in` restores exactly
/// what the fold removed; the sums agree with TFLM's modulo 2^32.
///
/// Layout: the filter `[1, KH, KW, C·M]` (channel `c·M + m`) is stored multiplier-major,
/// `[KH·KW][M][C]`, so the inner loop runs over `C` contiguous input channels for every
/// multiplier `m` and vectorizes for any depth multiplier (for `M = 1` the file's filter is used
/// as it is).
///
/// Operator versions: TFLite assigns version 3 to the int8 form (op_version.cc; 1-2 are float,
/// 4 and 6 hybrid, 5 int16, 7 int4 filters).
final class DepthwiseConv2DKernel: OperatorKernel {
  struct Geometry {
    var batches = 0, inputHeight = 0, inputWidth = 0, inputDepth = 0, depthMultiplier = 1
    var outputHeight = 0, outputWidth = 0, outputDepth = 0
    var filterHeight = 0, filterWidth = 0
    var strideHeight = 0, strideWidth = 0, dilationHeight = 0, dilationWidth = 0
    var padTop = 0, padLeft = 0

    /// The geometry as 16 `Int32` values (every size fits: tensors are at most 2^30 bytes, and
    /// strides and dilations at most 1024), as the kernel keeps it.
    var packed: InlineArray<16, Int32> {
      [
        batches, inputHeight, inputWidth, inputDepth, depthMultiplier, outputHeight, outputWidth,
        outputDepth, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight,
        dilationWidth, padTop, padLeft,
      ].withUnsafeBufferPointer { values in
        InlineArray { Int32(truncatingIfNeeded: values[$0]) }
      }
    }

    /// Unpacks ``packed``.
    init(_ packed: InlineArray<16, Int32>) {
      func v(_ i: Int) -> Int { Int(packed[i]) }
      (batches, inputHeight, inputWidth, inputDepth, depthMultiplier) = (
        v(0), v(1), v(2), v(3), v(4)
      )
      (outputHeight, outputWidth, outputDepth, filterHeight, filterWidth) = (
        v(5), v(6), v(7), v(8), v(9)
      )
      (strideHeight, strideWidth, dilationHeight, dilationWidth) = (v(10), v(11), v(12), v(13))
      (padTop, padLeft) = (v(14), v(15))
    }

    init() {}
  }

  private let packedGeometry: InlineArray<16, Int32>
  private var g: Geometry { Geometry(packedGeometry) }
  private let inputIndex: Int32, outputIndex: Int32, scratchIndex: Int32
  /// `[tap][m][c]` filter values (the model's own filter when the multiplier is 1).
  private let filter: UnsafePointer<Int8>
  /// Owned storage behind `filter` and `zeroRow`.
  private let storage: UnsafeMutablePointer<Int8>
  /// `inputDepth` copies of the input zero point, read for taps outside the image.
  private let zeroRow: UnsafePointer<Int8>
  /// Per-channel bias (with the zero-point fold) and requantization, in `[m][c]` order.
  private let channels: ChannelParameters
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!
  private var accumulators: UnsafeMutablePointer<Int32>!
  /// One output pixel in `[m][c]` order, before it is interleaved (multiplier > 1 only).
  private var staging: UnsafeMutablePointer<Int8>!

  private init(
    geometry: Geometry, inputIndex: Int, outputIndex: Int, scratchIndex: Int,
    filter: UnsafePointer<Int8>, storage: UnsafeMutablePointer<Int8>,
    zeroRow: UnsafePointer<Int8>, channels: consuming ChannelParameters
  ) {
    packedGeometry = geometry.packed
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
    self.scratchIndex = Int32(scratchIndex)
    self.filter = filter
    self.storage = storage
    self.zeroRow = zeroRow
    self.channels = channels
  }

  deinit { storage.deallocate() }

  /// Checks the operator and prepares ``DepthwiseConv2DRowsKernel`` when the configuration is
  /// within its limits (few input channels), else this kernel.
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> OperatorKernel {
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
    guard filter.shape[0] == 1 else {
      throw context.error(
        .invalidShape, "filter shape \(filter.shape) must be [1, height, width, output channels]")
    }
    let options = try context.options(2, "DepthwiseConv2DOptions")
    guard
      let padding = PaddingKind(
        rawValue: try options?.i8(0, default: 0, "DepthwiseConv2DOptions.padding") ?? 0)
    else {
      throw context.error(.unsupportedOperatorConfiguration, "unknown padding")
    }
    var g = Geometry()
    g.strideWidth = Int(try options?.i32(1, default: 0, "DepthwiseConv2DOptions.stride_w") ?? 0)
    g.strideHeight = Int(try options?.i32(2, default: 0, "DepthwiseConv2DOptions.stride_h") ?? 0)
    let multiplierOption = Int(
      try options?.i32(3, default: 0, "DepthwiseConv2DOptions.depth_multiplier") ?? 0)
    let activation = try FusedActivation(
      code: try options?.i8(4, default: 0, "DepthwiseConv2DOptions.fused_activation_function")
        ?? 0,
      context: context)
    g.dilationWidth = Int(
      try options?.i32(5, default: 1, "DepthwiseConv2DOptions.dilation_w_factor") ?? 1)
    g.dilationHeight = Int(
      try options?.i32(6, default: 1, "DepthwiseConv2DOptions.dilation_h_factor") ?? 1)
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
    g.filterHeight = filter.shape[1]
    g.filterWidth = filter.shape[2]
    g.outputDepth = filter.shape[3]
    // TFLM loops over `depth_multiplier` from the options; a value that disagrees with the
    // filter makes it read past the filter, so it is refused.
    guard multiplierOption >= 1, g.inputDepth * multiplierOption == g.outputDepth else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "depth_multiplier \(multiplierOption) with \(g.inputDepth) input channels does not give the filter's \(g.outputDepth) output channels"
      )
    }
    g.depthMultiplier = multiplierOption
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
    let filterScales = try Conv2DKernel.filterScales(
      filter, channels: g.outputDepth, context: context)
    if filterScales.count > 1, filter.quantization?.quantizedDimension != 3 {
      throw context.error(
        .invalidQuantization, "per-channel filter scales must run along dimension 3")
    }
    var biasValues = [Int32](repeating: 0, count: g.outputDepth)
    if let bias {
      try context.expectType(bias, .int32, "bias")
      guard bias.elementCount == g.outputDepth else {
        throw context.error(
          .invalidShape,
          "bias has \(bias.elementCount) elements for \(g.outputDepth) output channels")
      }
      let data = try context.expectConstant(bias, "bias")
      for c in 0..<g.outputDepth {
        biasValues[c] = Int32(
          littleEndian: data.loadUnaligned(fromByteOffset: 4 * c, as: Int32.self))
      }
    }
    let modelFilter = try context.expectConstant(filter, "filter").baseAddress!
      .assumingMemoryBound(to: Int8.self)

    let taps = g.filterHeight * g.filterWidth
    let depth = g.inputDepth
    let multiplier = g.depthMultiplier
    let count = g.outputDepth
    let range = activation.int8Range(scale: outputQ.scale, zeroPoint: outputQ.zeroPoint)
    let filterIndex = try context.inputIndex(1)
    let rearrangement = context.model.rearrangement
    let layout = rearrangement?.layout(of: filterIndex) ?? .file

    // Few channels: blocks of output pixels (the filter read in the file's order).
    if context.preferences.pixelBlocks, layout == .file,
      let blocks = DepthwiseConv2DRowsKernel.blocks(for: g, inputZeroPoint: inputQ.zeroPoint)
    {
      let channels = try channelParameters(
        filter: modelFilter, taps: taps, count: count, bias: biasValues, scales: filterScales,
        input: inputQ, output: outputQ, range: range, context)
      return DepthwiseConv2DRowsKernel(
        g, blocks: blocks, filter: modelFilter, inputIndex: try context.inputIndex(0),
        outputIndex: context.outputIndex, channels: channels, context: &context)
    }

    // Reorder channel `c·M + m` to `m·C + c`: filter, bias, scales and multipliers alike.
    func modelChannel(_ j: Int) -> Int { (j % depth) * multiplier + j / depth }
    let reorder = multiplier > 1
    // The filter in `[tap][m][c]` order: the model's own when the multiplier is 1; for a larger
    // multiplier, reordered in place when the model's bytes are exclusive (kept in that order
    // for any other operator sharing the tensor), else copied.
    let inPlace = reorder && (layout == .multiplierMajor(depth: depth) || rearrangement != nil)
    guard layout == .file || (reorder && layout == .multiplierMajor(depth: depth)) else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "filter '\(filter.name)' was rearranged for another operator that shares it")
    }
    let storage = UnsafeMutablePointer<Int8>.allocate(
      capacity: depth + (reorder && !inPlace ? taps * count : 0))
    storage.initialize(repeating: Int8(truncatingIfNeeded: inputQ.zeroPoint), count: depth)
    let filterData: UnsafePointer<Int8>
    if inPlace {
      if layout == .file, let rearrangement {
        Self.reorder(
          UnsafeMutablePointer(mutating: modelFilter), taps: taps, depth: depth,
          multiplier: multiplier)
        rearrangement.record(filterIndex, .multiplierMajor(depth: depth))
      }
      filterData = modelFilter
    } else if reorder {
      let reordered = storage + depth
      for tap in 0..<taps {
        for j in 0..<count {
          (reordered + tap * count + j).initialize(to: modelFilter[tap * count + modelChannel(j)])
        }
      }
      filterData = UnsafePointer(reordered)
    } else {
      filterData = modelFilter
    }
    let scales =
      filterScales.count == 1 ? filterScales : (0..<count).map { filterScales[modelChannel($0)] }
    let reorderedBias = (0..<count).map { biasValues[modelChannel($0)] }
    let channels: ChannelParameters
    do {
      channels = try channelParameters(
        filter: filterData, taps: taps, count: count, bias: reorderedBias, scales: scales,
        input: inputQ, output: outputQ, range: range, context)
    } catch {
      storage.deallocate()
      throw error
    }
    // Accumulators, then (for a multiplier above 1) one staged output pixel.
    let scratch = context.requestScratch(bytes: 4 * count + (reorder ? count : 0))
    return DepthwiseConv2DKernel(
      geometry: g, inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      scratchIndex: scratch, filter: filterData, storage: storage, zeroRow: UnsafePointer(storage),
      channels: channels)
  }

  /// The per-channel constants of a filter laid out `[tap][count]` (channel `j`'s taps `count`
  /// apart) with the int32 `bias` and filter `scales` in the same channel order.
  private static func channelParameters(
    filter: UnsafePointer<Int8>, taps: Int, count: Int, bias: [Int32], scales: [Float],
    input: (scale: Float, zeroPoint: Int32), output: (scale: Float, zeroPoint: Int32),
    range: (min: Int32, max: Int32), _ context: PrepareContext
  ) throws(ModelError) -> ChannelParameters {
    let biasBuffer = UnsafeMutablePointer<Int32>.allocate(capacity: count)
    defer { biasBuffer.deallocate() }
    biasBuffer.initialize(from: bias, count: count)
    return try ChannelParameters(
      count: count, filter: filter, rowLength: taps, rowStride: 1, elementStride: count,
      bias: UnsafeRawPointer(biasBuffer), inputZeroPoint: input.zeroPoint,
      multipliers: ChannelMultipliers(
        inputScale: input.scale, filterScales: scales, outputScale: output.scale, channels: count),
      outputZeroPoint: output.zeroPoint, activationMin: range.min, activationMax: range.max,
      context: context)
  }

  /// Reorders each tap's `depth · multiplier` filter values from channel order `c·M + m` to
  /// `m·C + c`, in place, with a temporary row that is freed before returning (nothing is kept).
  static func reorder(
    _ filter: UnsafeMutablePointer<Int8>, taps: Int, depth: Int, multiplier: Int
  ) {
    let count = depth * multiplier
    let row = UnsafeMutablePointer<Int8>.allocate(capacity: count)
    defer { row.deallocate() }
    for tap in 0..<taps {
      let values = filter + tap * count
      row.update(from: values, count: count)
      for c in 0..<depth {
        for m in 0..<multiplier { values[m * depth + c] = row[c * multiplier + m] }
      }
    }
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.int8(outputIndex)
    let scratch = memory.scratch(scratchIndex)
    accumulators = scratch.assumingMemoryBound(to: Int32.self)
    staging = (scratch + 4 * g.outputDepth).assumingMemoryBound(to: Int8.self)
  }

  override func invoke() {
    let g = self.g
    let depth = g.inputDepth
    let count = g.outputDepth
    let multiplier = g.depthMultiplier
    let bias = channels.bias
    let acc = accumulators!
    var out = output!
    for batch in 0..<g.batches {
      let image = input + batch * g.inputHeight * g.inputWidth * depth
      for outY in 0..<g.outputHeight {
        let originY = outY * g.strideHeight - g.padTop
        for outX in 0..<g.outputWidth {
          let originX = outX * g.strideWidth - g.padLeft
          acc.update(from: bias, count: count)
          var weights = filter
          for fy in 0..<g.filterHeight {
            let y = originY + fy * g.dilationHeight
            let rowInside = y >= 0 && y < g.inputHeight
            for fx in 0..<g.filterWidth {
              let x = originX + fx * g.dilationWidth
              let pixel =
                rowInside && x >= 0 && x < g.inputWidth
                ? image + (y * g.inputWidth + x) * depth : zeroRow
              for m in 0..<multiplier {
                Self.accumulate(acc + m * depth, weights + m * depth, pixel, count: depth)
              }
              weights += count
            }
          }
          if multiplier == 1 {
            channels.requantize(acc, into: out)
          } else {
            channels.requantize(acc, into: staging)
            for m in 0..<multiplier {
              for c in 0..<depth { out[c &* multiplier &+ m] = staging[m &* depth &+ c] }
            }
          }
          out += count
        }
      }
    }
  }

  /// `acc[c] += w[c]·x[c]` over `count` channels: the loop LLVM vectorizes.
  @inline(__always)
  private static func accumulate(
    _ acc: UnsafeMutablePointer<Int32>, _ w: UnsafePointer<Int8>, _ x: UnsafePointer<Int8>,
    count: Int
  ) {
    for c in 0..<count {
      acc[c] &+= Int32(w[c]) &* Int32(x[c])
    }
  }
}
