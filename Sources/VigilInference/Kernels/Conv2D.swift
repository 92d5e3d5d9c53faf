/// CONV_2D for int8 activations and per-channel int8 weights: stride, dilation, SAME/VALID
/// padding, groups, fused RELU/RELU6/RELU_N1_TO_1.
///
/// Arithmetic: TFLM `reference_integer_ops::ConvPerChannel`, with `−zp_in × Σ w` folded into
/// the bias so the inner loops multiply raw int8 values; out-of-image taps read the input zero
/// point, which then contributes exactly nothing. Three variants compute identical results:
/// - *dot product* (ARM, and any model whose bytes are read-only): each output pixel's
///   receptive field is gathered into a scratch row (im2col) and multiplied with each filter
///   row; LLVM compiles the dot product to `smull`/`sdot` on AArch64;
/// - *outer product* (x86-64, for models loaded with `Model(exclusiveBytes:)`): the filter is
///   transposed in place to `[tap][input channel][output channel]` and eight output pixels ×
///   16 or 32 output channels accumulate at once in exact float32 arithmetic (see ``OuterProduct``);
/// - *planar* (where the outer product would run, on few channels over a small image; the
///   limits are in ``PlanarConvolution/Layout``): the image is copied into float32 planes and
///   sixteen output positions × eight output channels accumulate at once
///   (see ``PlanarConvolution``).
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

    /// The zero-padded grid every tap of every output pixel lies in (the image, its top and
    /// left padding, and as far below and right as the last output pixel's taps reach).
    var paddedGrid: (height: Int, width: Int) {
      let lastRow = (outputHeight - 1) * strideHeight + (filterHeight - 1) * dilationHeight
      let lastColumn = (outputWidth - 1) * strideWidth + (filterWidth - 1) * dilationWidth
      return (
        Swift.max(inputHeight + padTop, lastRow + 1),
        Swift.max(inputWidth + padLeft, lastColumn + 1)
      )
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
    case planar
  }

  private let packedGeometry: InlineArray<17, Int32>
  private var g: Geometry { Geometry(packedGeometry) }
  /// The variant chosen when preparing.
  let variant: Variant
  /// The planar variant's layout (when it was chosen).
  private let planarLayout: PlanarConvolution.Layout?
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
    planarLayout = variant == .planar ? PlanarConvolution.Layout(geometry) : nil
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
    // The outer product fills eight pixel slots at a time: below four output pixels most of
    // them are wasted, and one dot product per pixel is faster (1 pixel × 7 channels × 36 taps:
    // 110 ns against 261 ns here).
    var variant: Variant =
      context.preferences.outerProductConvolution && rearrangement != nil && g.groups == 1
        && patchLength <= OuterProduct.maximumDepth
        && g.batches * g.outputHeight * g.outputWidth >= OuterProduct.minimumPixels
      ? .outerProduct : .dotProduct
    if variant == .outerProduct, context.preferences.planarConvolution,
      PlanarConvolution.Layout(g) != nil
    {
      variant = .planar
    }
    guard layout == .file || (layout == .innerMajor && variant != .dotProduct) else {
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
    if variant != .dotProduct, layout == .file, let rearrangement {
      OuterProduct.transposeInPlace(
        UnsafeMutablePointer(mutating: filterData), rows: g.outputDepth, columns: patchLength)
      rearrangement.record(filterIndex, .innerMajor)
    }
    // Dot product: one im2col row. Outer product: a zero-point filter row standing in for taps
    // outside the image. Planar: nothing (its buffers are on the stack).
    let scratchBytes: Int
    switch variant {
    case .dotProduct: scratchBytes = patchLength
    case .outerProduct: scratchBytes = g.filterWidth * g.inputDepth
    case .planar: scratchBytes = 0
    }
    let scratch = context.requestScratch(bytes: scratchBytes)
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
    case .planar:
      if let planarLayout {
        PlanarConvolution.run(
          g, layout: planarLayout, input: input, filter: filter, inputZeroPoint: inputZeroPoint,
          channels: channels, output: output)
      }
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
  /// The outer-product variant: the output pixels of each image, in order across rows, are
  /// taken eight at a time; for each block of 32, 16 or 8 output channels the eight pixels
  /// accumulate over every filter tap in exact float32, then the int32 sums get the folded bias
  /// and are requantized.
  fileprivate func invokeOuterProduct() {
    // Eight staged input vectors (512 bytes, on the stack: no heap allocation).
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 8) { staging in
      let padded = PaddedImage(g)
      if padded.bytes > 0 && padded.bytes <= PaddedImage.stackBytes && g.dilationWidth == 1 {
        // A padded convolution on a small image: each image is copied once into a stack
        // buffer with its padding filled with the zero point, so every block reads whole
        // filter rows (one run per row; with a dilated row there would be one per tap anyway).
        withUnsafeTemporaryAllocation(byteCount: PaddedImage.stackBytes, alignment: 16) {
          invokeOuterProduct(staging: staging.baseAddress!, padded: padded, buffer: $0.baseAddress!)
        }
      } else {
        invokeOuterProduct(staging: staging.baseAddress!, padded: nil, buffer: nil)
      }
    }
  }

  /// The zero-point-padded copy of one input image that a padded convolution reads instead of
  /// the image: big enough that every tap of every output pixel lies inside it.
  private struct PaddedImage {
    /// The most bytes the copy may take (a fixed stack buffer).
    static let stackBytes = 1024
    /// The geometry with the padded image as input and no padding.
    var geometry: Geometry
    /// Bytes of the copy; 0 when the convolution has no padding.
    var bytes: Int

    init(_ g: Geometry) {
      geometry = g
      let (height, width) = g.paddedGrid
      let padded = g.padTop > 0 || g.padLeft > 0 || height > g.inputHeight || width > g.inputWidth
      bytes = padded ? height * width * g.inputDepth : 0
      geometry.inputHeight = height
      geometry.inputWidth = width
      geometry.padTop = 0
      geometry.padLeft = 0
    }

    /// Copies image `source` (laid out as `original`) into `buffer` at the padding offsets and
    /// fills the rest with `zeroPoint`.
    func fill(
      _ buffer: UnsafeMutablePointer<Int8>, from source: UnsafePointer<Int8>, original: Geometry,
      zeroPoint: Int8
    ) {
      let depth = original.inputDepth
      buffer.update(repeating: zeroPoint, count: bytes)
      let rowBytes = original.inputWidth * depth
      for y in 0..<original.inputHeight {
        (buffer + ((y + original.padTop) * geometry.inputWidth + original.padLeft) * depth).update(
          from: source + y * rowBytes, count: rowBytes)
      }
    }
  }

  @inline(__always)
  private func invokeOuterProduct(
    staging: UnsafeMutablePointer<SIMD16<Float>>, padded: PaddedImage?,
    buffer: UnsafeMutableRawPointer?
  ) {
    let original = self.g
    let g = padded?.geometry ?? original
    // Scratch memory is shared with other operators, so the zero-point row is written each time.
    patch.update(repeating: inputZeroPoint, count: g.filterWidth * g.inputDepth)
    let depth = g.outputDepth
    let filterEnd = filter + depth * g.filterHeight * g.filterWidth * g.inputDepth
    let span = (g.filterWidth - 1) * g.dilationWidth
    let pixelsPerImage = g.outputHeight * g.outputWidth
    var out = output!
    for batch in 0..<g.batches {
      var image = input + batch * original.inputHeight * original.inputWidth * g.inputDepth
      if let padded, let buffer {
        let copy = buffer.assumingMemoryBound(to: Int8.self)
        padded.fill(copy, from: image, original: original, zeroPoint: inputZeroPoint)
        image = UnsafePointer(copy)
      }
      var first = 0
      while first < pixelsPerImage {
        let count = Swift.min(8, pixelsPerImage - first)
        // Each pixel's receptive-field origin. Pixels past the last one repeat it; their
        // results are not stored.
        var block = PixelBlock(whole: g.dilationWidth == 1)
        for p in 0..<8 {
          let (outY, outX) = (first + Swift.min(p, count - 1)).quotientAndRemainder(
            dividingBy: g.outputWidth)
          block.originY[p] = outY * g.strideHeight - g.padTop
          block.originX[p] = outX * g.strideWidth - g.padLeft
          // A filter row is one contiguous run of `filterWidth × inputDepth` when all its taps
          // are inside the image's width for every pixel (and the dilation is 1).
          if block.originX[p] < 0 || block.originX[p] + span >= g.inputWidth { block.whole = false }
        }
        let runsPerRow = block.whole ? 1 : g.filterWidth
        // The three block widths repeat their tap loop on purpose: one loop taking the
        // micro-kernel as a closure measured 70 % slower on bench_conv_1m (119 → 201 µs).
        var channel = 0
        while channel < depth {
          let remaining = depth - channel
          if remaining >= 32 {
            var a = OuterProduct.zero32
            for fy in 0..<g.filterHeight {
              for r in 0..<runsPerRow {
                let tap = tapRun(
                  g, image: image, fy: fy, run: r, block: block, channel: channel)
                OuterProduct.accumulate8x32(
                  &a, tap.pixels, weights: tap.weights, stride: depth, run: tap.length,
                  staging: staging)
              }
            }
            withUnsafeBytes(of: &a) {
              store($0, pixels: count, lanes: 32, width: 32, channel: channel, into: out)
            }
            channel += 32
          } else if remaining > 8 {
            // A block of 16 lanes; it may reach past the final channel.
            let width = Swift.min(remaining, 16)
            var a = OuterProduct.zero8
            for fy in 0..<g.filterHeight {
              for r in 0..<runsPerRow {
                let tap = tapRun(
                  g, image: image, fy: fy, run: r, block: block, channel: channel)
                OuterProduct.accumulate8x16(
                  &a, tap.pixels, weights: tap.weights, stride: depth, run: tap.length,
                  end: filterEnd, staging: staging)
              }
            }
            withUnsafeBytes(of: &a) {
              store($0, pixels: count, lanes: 16, width: width, channel: channel, into: out)
            }
            channel += width
          } else {
            // The last (at most 8) channels: a block of 8 lanes.
            let width = remaining
            var a = OuterProduct.zero8x8
            for fy in 0..<g.filterHeight {
              for r in 0..<runsPerRow {
                let tap = tapRun(
                  g, image: image, fy: fy, run: r, block: block, channel: channel)
                OuterProduct.accumulate8x8(
                  &a, tap.pixels, weights: tap.weights, stride: depth, run: tap.length,
                  end: filterEnd, staging: staging)
              }
            }
            withUnsafeBytes(of: &a) {
              store($0, pixels: count, lanes: 8, width: width, channel: channel, into: out)
            }
            channel += width
          }
        }
        out += count * depth
        first += count
      }
    }
  }

  /// The receptive-field origins of a block of eight output pixels, and whether each filter
  /// row can be read as one run for all of them.
  private struct PixelBlock {
    /// Input row of each pixel's first filter tap (negative in the top padding).
    var originY = InlineArray<8, Int>(repeating: 0)
    /// Input column of each pixel's first filter tap (negative in the left padding).
    var originX = InlineArray<8, Int>(repeating: 0)
    /// Whether every pixel's filter rows lie inside the image's width, with dilation 1.
    var whole: Bool

    init(whole: Bool) { self.whole = whole }
  }

  /// Run `run` of filter row `fy` for the eight pixels of `block`: the pixels' input pointers
  /// (the zero-point row for taps outside the image), the transposed weights starting at output
  /// channel `channel`, and the run's length: the whole filter row when `block.whole`, else the
  /// single tap `run`.
  @inline(__always)
  private func tapRun(
    _ g: Geometry, image: UnsafePointer<Int8>, fy: Int, run: Int, block: PixelBlock, channel: Int
  ) -> (pixels: OuterProduct.Pixels, weights: UnsafePointer<Int8>, length: Int) {
    let inputDepth = g.inputDepth
    // `filterWidth × inputDepth` zero points: a whole filter row above or below the image.
    let zeroRow = UnsafePointer(patch!)
    let weights = filter + ((fy * g.filterWidth + run) * inputDepth) * g.outputDepth + channel
    let dy = fy * g.dilationHeight
    let dx = block.whole ? 0 : run * g.dilationWidth
    @inline(__always) func tap(_ p: Int) -> UnsafePointer<Int8> {
      let y = block.originY[p] + dy
      let x = block.originX[p] + dx
      return y >= 0 && y < g.inputHeight && x >= 0 && x < g.inputWidth
        ? image + (y * g.inputWidth + x) * inputDepth : zeroRow
    }
    return (
      (tap(0), tap(1), tap(2), tap(3), tap(4), tap(5), tap(6), tap(7)), weights,
      block.whole ? g.filterWidth * inputDepth : inputDepth
    )
  }

  /// Adds the folded bias to the exact float sums of `pixels` pixels (`lanes` floats each, the
  /// first `width` of them channels `channel..<channel + width`) and writes them requantized.
  @inline(__always)
  private func store(
    _ sums: UnsafeRawBufferPointer, pixels: Int, lanes: Int, width: Int, channel: Int,
    into out: UnsafeMutablePointer<Int8>
  ) {
    let floats = sums.baseAddress!.assumingMemoryBound(to: Float.self)
    let bias = channels.bias + channel
    if width <= 8 {
      // Few channels: one channel at a time across the eight pixels, so the requantization
      // runs eight lanes wide with one multiplier and shift.
      for l in 0..<width {
        var staged = InlineArray<8, Int32>(repeating: 0)
        for p in 0..<8 { staged[p] = OuterProduct.exactInt32(floats[p * lanes + l]) &+ bias[l] }
        var results = InlineArray<8, Int8>(repeating: 0)
        for p in 0..<8 { results[p] = channels.requantize(staged[p], channel: channel + l) }
        for p in 0..<pixels { out[p * g.outputDepth + channel + l] = results[p] }
      }
      return
    }
    var staged = InlineArray<32, Int32>(repeating: 0)
    for p in 0..<pixels {
      let row = floats + p * lanes
      for l in 0..<width { staged[l] = OuterProduct.exactInt32(row[l]) &+ bias[l] }
      let destination = out + p * g.outputDepth + channel
      staged.span.withUnsafeBufferPointer {
        channels.requantize($0.baseAddress!, channels: channel, width: width, into: destination)
      }
    }
  }
}
