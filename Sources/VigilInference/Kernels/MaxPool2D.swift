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
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(geometry: PoolGeometry, vectors: Bool, inputIndex: Int, outputIndex: Int) {
    g = geometry
    self.vectors = vectors
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
    if vectors {
      invokeVectors()
    } else {
      invokePixels()
    }
  }

  /// At most 16 channels: one vector of lanes per output pixel (``PoolVectors``).
  private func invokeVectors() {
    let g = self.g
    let depth = Int(g.depth)
    let rowStride = Int(g.inputWidth) &* depth
    let low = Int8(truncatingIfNeeded: g.activationMin)
    let high = Int8(truncatingIfNeeded: g.activationMax)
    PoolVectors.run(
      g, input: input, output: output,
      vector: { first, columns, rows, shift in
        var largest = SIMD16<Int8>(repeating: .min)
        PoolVectors.forEachTap(
          first - shift, columns: columns, rows: rows, depth: depth, rowStride: rowStride
        ) { x in
          var next = SIMD16<Int8>()
          for i in 0..<16 { next[i] = Swift.max(largest[i], x[i]) }
          largest = next
        }
        var result = SIMD16<Int8>()
        for i in 0..<16 { result[i] = Swift.min(Swift.max(largest[i], low), high) }
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
