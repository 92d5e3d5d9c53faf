/// The validated geometry of AVERAGE_POOL_2D and MAX_POOL_2D, shared by both kernels.
///
/// As TFLM's `PoolingPrepare` requires, input and output share one quantization (scales within
/// 1e-6 and equal zero points); the fused activation is applied as a clamp in that domain.
///
/// Sizes are held as `Int32` (every one is checked to fit): the geometry lives as long as the
/// interpreter.
struct PoolGeometry {
  var batches: Int32 = 0, inputHeight: Int32 = 0, inputWidth: Int32 = 0, depth: Int32 = 0
  var outputHeight: Int32 = 0, outputWidth: Int32 = 0
  var filterHeight: Int32 = 0, filterWidth: Int32 = 0
  var strideHeight: Int32 = 0, strideWidth: Int32 = 0
  var padTop: Int32 = 0, padLeft: Int32 = 0
  /// The fused activation's clamp in the output's quantized domain.
  var activationMin: Int32 = -128, activationMax: Int32 = 127

  /// The largest window Vigil accepts (keeps averaging sums far from int32 overflow).
  static let maximumWindow = 1 << 16

  /// Checks a pooling operator and computes its geometry.
  init(_ context: PrepareContext) throws(ModelError) {
    try context.expectInputs(1)
    let input = try context.input(0)
    let output = context.output
    try context.expectType(input, .int8, "input")
    try context.expectType(output, .int8, "output")
    guard input.shape.count == 4, output.shape.count == 4 else {
      throw context.error(
        .invalidShape,
        "input and output must be 4-D; shapes are \(input.shape) and \(output.shape)")
    }
    let options = try context.options(5, "Pool2DOptions")
    guard
      let padding = PaddingKind(
        rawValue: try options?.i8(0, default: 0, "Pool2DOptions.padding") ?? 0)
    else {
      throw context.error(.unsupportedOperatorConfiguration, "unknown padding")
    }
    let strideWidth = Int(try options?.i32(1, default: 0, "Pool2DOptions.stride_w") ?? 0)
    let strideHeight = Int(try options?.i32(2, default: 0, "Pool2DOptions.stride_h") ?? 0)
    let filterWidth = Int(try options?.i32(3, default: 0, "Pool2DOptions.filter_width") ?? 0)
    let filterHeight = Int(try options?.i32(4, default: 0, "Pool2DOptions.filter_height") ?? 0)
    let activation = try FusedActivation(
      code: try options?.i8(5, default: 0, "Pool2DOptions.fused_activation_function") ?? 0,
      context: context)
    guard strideWidth >= 1, strideHeight >= 1, strideWidth <= 1024, strideHeight <= 1024 else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "strides (\(strideHeight), \(strideWidth)) must be 1-1024")
    }
    guard filterWidth >= 1, filterHeight >= 1,
      filterWidth <= PoolGeometry.maximumWindow, filterHeight <= PoolGeometry.maximumWindow,
      filterWidth * filterHeight <= PoolGeometry.maximumWindow
    else {
      throw context.error(
        .unsupportedOperatorConfiguration,
        "filter \(filterHeight)x\(filterWidth) must be at least 1x1 and cover at most \(PoolGeometry.maximumWindow) taps"
      )
    }
    // Tensor shapes fit in Int32 (the model reader limits tensors to 2^30 bytes).
    let shape = NHWC(input.shape)
    let rows = SpatialGeometry(
      padding: padding, inputSize: shape.height, filterSize: filterHeight, stride: strideHeight,
      dilation: 1)
    let columns = SpatialGeometry(
      padding: padding, inputSize: shape.width, filterSize: filterWidth, stride: strideWidth,
      dilation: 1)
    guard output.shape == [shape.batches, rows.outputSize, columns.outputSize, shape.channels]
    else {
      throw context.error(
        .invalidShape,
        "output shape \(output.shape) does not match [\(shape.batches), \(rows.outputSize), \(columns.outputSize), \(shape.channels)]"
      )
    }
    batches = Int32(shape.batches)
    inputHeight = Int32(shape.height)
    inputWidth = Int32(shape.width)
    depth = Int32(shape.channels)
    self.strideWidth = Int32(strideWidth)
    self.strideHeight = Int32(strideHeight)
    self.filterWidth = Int32(filterWidth)
    self.filterHeight = Int32(filterHeight)
    outputHeight = Int32(rows.outputSize)
    outputWidth = Int32(columns.outputSize)
    padTop = Int32(rows.paddingBefore)
    padLeft = Int32(columns.paddingBefore)
    // Every window must hold at least one input pixel (TFLM fails at invoke otherwise).
    for outY in 0..<rows.outputSize where rowRange(outY).isEmpty {
      throw context.error(.unsupportedOperatorConfiguration, "output row \(outY) pools no input")
    }
    for outX in 0..<columns.outputSize where columnRange(outX).isEmpty {
      throw context.error(.unsupportedOperatorConfiguration, "output column \(outX) pools no input")
    }

    let inputQ = try context.perTensorQuantization(input, "input")
    let outputQ = try context.perTensorQuantization(output, "output")
    guard (Double(inputQ.scale) - Double(outputQ.scale)).magnitude <= 1e-6,
      inputQ.zeroPoint == outputQ.zeroPoint
    else {
      throw context.error(
        .invalidQuantization,
        "input (scale \(inputQ.scale), zero point \(inputQ.zeroPoint)) and output (scale \(outputQ.scale), zero point \(outputQ.zeroPoint)) must share one quantization, as TFLM requires"
      )
    }
    let range = activation.int8Range(scale: outputQ.scale, zeroPoint: outputQ.zeroPoint)
    activationMin = range.min
    activationMax = range.max
  }

  /// The geometry of a pooling over an NHWC input of `batches` × `inputHeight` × `inputWidth`
  /// × `depth` with no activation, unchecked (for tests; ``init(_:)`` checks a model's
  /// operator).
  init(
    batches: Int, inputHeight: Int, inputWidth: Int, depth: Int, filterHeight: Int,
    filterWidth: Int, strideHeight: Int, strideWidth: Int, padding: PaddingKind
  ) {
    let rows = SpatialGeometry(
      padding: padding, inputSize: inputHeight, filterSize: filterHeight, stride: strideHeight,
      dilation: 1)
    let columns = SpatialGeometry(
      padding: padding, inputSize: inputWidth, filterSize: filterWidth, stride: strideWidth,
      dilation: 1)
    self.batches = Int32(batches)
    self.inputHeight = Int32(inputHeight)
    self.inputWidth = Int32(inputWidth)
    self.depth = Int32(depth)
    self.filterHeight = Int32(filterHeight)
    self.filterWidth = Int32(filterWidth)
    self.strideHeight = Int32(strideHeight)
    self.strideWidth = Int32(strideWidth)
    outputHeight = Int32(rows.outputSize)
    outputWidth = Int32(columns.outputSize)
    padTop = Int32(rows.paddingBefore)
    padLeft = Int32(columns.paddingBefore)
  }

  /// The input rows under output row `outY`'s window, clamped to the image.
  @inline(__always)
  func rowRange(_ outY: Int) -> Range<Int> {
    let origin = outY * Int(strideHeight) - Int(padTop)
    let start = Swift.max(0, origin)
    return start..<Swift.max(start, Swift.min(Int(inputHeight), origin + Int(filterHeight)))
  }

  /// The input columns under output column `outX`'s window, clamped to the image.
  @inline(__always)
  func columnRange(_ outX: Int) -> Range<Int> {
    let origin = outX * Int(strideWidth) - Int(padLeft)
    let start = Swift.max(0, origin)
    return start..<Swift.max(start, Swift.min(Int(inputWidth), origin + Int(filterWidth)))
  }
}
