/// MAX_POOL_2D for int8: SAME/VALID padding, strides, fused RELU/RELU6/RELU_N1_TO_1.
///
/// Arithmetic: TFLM `reference_integer_ops::MaxPool`: the largest in-image pixel of each
/// window (padding never wins), clamped to the activation range.
///
/// Operator versions: TFLite assigns version 2 to the int8 form (op_version.cc; 1 is float,
/// 3 int16).
final class MaxPool2DKernel: OperatorKernel {
  private let g: PoolGeometry
  private let inputIndex: Int32, outputIndex: Int32
  /// Whether each output pixel's channels are one vector of lanes (``PoolVectors``).
  private let vectors: Bool
  /// The stack row buffer's entries when the rows fit it (``PoolVectors/lineLength(_:)``),
  /// else 0.
  private let lineLength: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(geometry: PoolGeometry, vectors: Bool, inputIndex: Int, outputIndex: Int) {
    g = geometry
    self.vectors = vectors
    lineLength = vectors ? PoolVectors.lineLength(geometry) : 0
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> MaxPool2DKernel {
    let g = try PoolGeometry(context)
    return MaxPool2DKernel(
      geometry: g, vectors: context.preferences.pixelBlocks && g.depth <= PoolVectors.maximumDepth,
      inputIndex: try context.inputIndex(0),
      outputIndex: context.outputIndex)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(Int(inputIndex)))
    output = memory.int8(Int(outputIndex))
  }

  override func invoke() {
    if lineLength != 0 {
      switch PoolVectors.lanes(depth: Int(g.depth)) {
      case 4: invokeRows(SIMD4<Int8>.self, SIMD4<Int32>.self)
      case 8: invokeRows(SIMD8<Int8>.self, SIMD8<Int32>.self)
      default: invokeRows(SIMD16<Int8>.self, SIMD16<Int32>.self)
      }
    } else if vectors {
      switch PoolVectors.lanes(depth: Int(g.depth)) {
      case 4: invokeVectors(SIMD4<Int8>.self)
      case 8: invokeVectors(SIMD8<Int8>.self)
      default: invokeVectors(SIMD16<Int8>.self)
      }
    } else {
      invokePixels()
    }
  }

  /// At most 16 channels and rows that fit the stack row buffer: the window maxima column by
  /// column, then along the row (``PoolVectors/runRows(_:input:output:length:_:)``),
  /// `Wide.scalarCount` channels at a time; padding is −128, which no maximum exceeds.
  private func invokeRows<Lanes: SIMD, Wide: SIMD>(_: Lanes.Type, _: Wide.Type)
  where Lanes.Scalar == Int8, Wide.Scalar == Int32 {
    PoolVectors.runRows(
      g, input: input, output: output, length: Int(lineLength),
      Maxima<Lanes, Wide>(low: g.activationMin, high: g.activationMax))
  }

  /// At most 16 channels: one vector of `Lanes` per output pixel (``PoolVectors``).
  private func invokeVectors<Lanes: SIMD>(_: Lanes.Type) where Lanes.Scalar == Int8 {
    let g = self.g
    let depth = Int(g.depth)
    let rowStride = Int(g.inputWidth) &* depth
    let low = Int8(truncatingIfNeeded: g.activationMin)
    let high = Int8(truncatingIfNeeded: g.activationMax)
    PoolVectors.run(
      g, input: input, output: output,
      vector: { first, columns, rows, shift -> Lanes in
        var largest = Lanes(repeating: .min)
        PoolVectors.forEachTap(
          first - shift, columns: columns, rows: rows, depth: depth, rowStride: rowStride
        ) { x in
          var next = Lanes()
          for i in 0..<Lanes.scalarCount { next[i] = Swift.max(largest[i], x[i]) }
          largest = next
        }
        var result = Lanes()
        for i in 0..<Lanes.scalarCount { result[i] = Swift.min(Swift.max(largest[i], low), high) }
        return result
      },
      scalar: { first, columns, rows, c in
        var largest = Int8.min
        PoolVectors.forEachTap(
          first + c, columns: columns, rows: rows, depth: depth, rowStride: rowStride
        ) { x in largest = Swift.max(largest, x[0]) }
        return Swift.min(Swift.max(largest, low), high)
      })
  }

  /// One output pixel at a time: channels innermost, or for fewer than 16 channels each
  /// channel's window in a register (the per-pixel kernel, also the reference for the vectors).
  private func invokePixels() {
    let g = self.g
    let depth = Int(g.depth)
    let inputWidth = Int(g.inputWidth)
    let low = Int8(truncatingIfNeeded: g.activationMin)
    let high = Int8(truncatingIfNeeded: g.activationMax)
    var out = output!
    for batch in 0..<Int(g.batches) {
      let image = input + batch * Int(g.inputHeight) * inputWidth * depth
      for outY in 0..<Int(g.outputHeight) {
        let rows = g.rowRange(outY)
        for outX in 0..<Int(g.outputWidth) {
          let columns = g.columnRange(outX)
          if depth < Blocks.width {
            // Few channels: each channel's window maximum in a register (a maximum kept in
            // memory would chain every tap through a store and a load).
            for c in 0..<depth {
              var largest = Int8.min
              for y in rows {
                var pixel = image + ((y &* inputWidth &+ columns.lowerBound) &* depth &+ c)
                for _ in columns {
                  largest = Swift.max(largest, pixel[0])
                  pixel += depth
                }
              }
              out[c] = Swift.min(Swift.max(largest, low), high)
            }
          } else {
            out.update(repeating: Int8.min, count: depth)
            for y in rows {
              var pixel = image + (y * inputWidth + columns.lowerBound) * depth
              for _ in columns {
                for c in 0..<depth { out[c] = Swift.max(out[c], pixel[c]) }
                pixel += depth
              }
            }
            for c in 0..<depth { out[c] = Swift.min(Swift.max(out[c], low), high) }
          }
          out += depth
        }
      }
    }
  }
}

/// Window maxima for ``PoolVectors/runRows(_:input:output:length:_:)``, finished clamped to
/// `low...high`.
struct Maxima<Lanes: SIMD, Wide: SIMD>: PoolReduction
where Lanes.Scalar == Int8, Wide.Scalar == Int32 {
  /// The activation's clamp.
  let low: Int32, high: Int32
  /// No int8 maximum is below −128.
  var padding: Int32 { -128 }
  /// The lane-wise maximum (written out: the generic `pointwiseMax` is not always inlined).
  @inline(__always)
  func combine(_ a: Wide, _ b: Wide) -> Wide {
    var result = Wide()
    for i in 0..<Wide.scalarCount { result[i] = Swift.max(a[i], b[i]) }
    return result
  }
  /// The lane-wise maximum.
  @inline(__always)
  func combineRows(_ a: SIMD16<Int32>, _ b: SIMD16<Int32>) -> SIMD16<Int32> {
    var result = SIMD16<Int32>()
    for i in 0..<16 { result[i] = Swift.max(a[i], b[i]) }
    return result
  }
  /// The maximum.
  @inline(__always)
  func combineScalar(_ a: Int32, _ b: Int32) -> Int32 { Swift.max(a, b) }
  /// The maxima, clamped.
  @inline(__always)
  func finish(_ window: Wide, count: Int) -> Lanes {
    var lanes = Lanes()
    for i in 0..<Lanes.scalarCount {
      lanes[i] = Int8(truncatingIfNeeded: Swift.min(Swift.max(window[i], low), high))
    }
    return lanes
  }
}
