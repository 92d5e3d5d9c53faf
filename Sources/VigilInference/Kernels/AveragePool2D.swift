/// AVERAGE_POOL_2D for int8: SAME/VALID padding, strides, fused RELU/RELU6/RELU_N1_TO_1.
///
/// Arithmetic: TFLM `reference_integer_ops::AveragePool`: the int32 sum of the window's
/// in-image pixels (padding is not counted), divided by their count rounding half away from
/// zero (`(sum > 0 ? sum + n/2 : sum − n/2) / n`), then clamped to the activation range.
/// The division by a window's pixel count runs as a ``RoundingDivisor`` (a multiply and a
/// shift), made when the count changes along a row of outputs (at the image's edges), so the
/// kernel keeps nothing per window size. On at most 16 channels the window sums are one vector
/// (``PoolVectors``, 4, 8 or 16 lanes; rows that fit a stack buffer are summed column by column
/// first, ``PoolVectors/runRows(_:input:output:length:_:)``) and the division runs in float32,
/// exactly (``average(_:count:low:high:)``).
///
/// Operator versions: TFLite assigns version 2 to the int8 form (op_version.cc; 1 is float,
/// 3 int16).
final class AveragePool2DKernel: OperatorKernel {
  private let g: PoolGeometry
  private let inputIndex: Int32, outputIndex: Int32, scratchIndex: Int32
  /// Whether each output pixel's channels are one vector of lanes (``PoolVectors``).
  private let vectors: Bool
  /// The stack row buffer's entries when the rows fit it (``PoolVectors/lineLength(_:)``),
  /// else 0.
  private let lineLength: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!
  private var sums: UnsafeMutablePointer<Int32>!

  private init(
    geometry: PoolGeometry, vectors: Bool, inputIndex: Int, outputIndex: Int, scratchIndex: Int
  ) {
    g = geometry
    self.vectors = vectors
    lineLength = vectors ? PoolVectors.lineLength(geometry) : 0
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
    self.scratchIndex = Int32(scratchIndex)
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> AveragePool2DKernel {
    let g = try PoolGeometry(context)
    let vectors = context.preferences.pixelBlocks && g.depth <= PoolVectors.maximumDepth
    // The per-pixel kernel keeps its sums in scratch.
    let scratch = context.requestScratch(bytes: vectors ? 0 : 4 * Int(g.depth))
    return AveragePool2DKernel(
      geometry: g, vectors: vectors, inputIndex: try context.inputIndex(0),
      outputIndex: context.outputIndex,
      scratchIndex: scratch)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(Int(inputIndex)))
    output = memory.int8(Int(outputIndex))
    sums = memory.scratch(Int(scratchIndex)).assumingMemoryBound(to: Int32.self)
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
      case 4: invokeVectors(SIMD4<Int8>.self, SIMD4<Int32>.self)
      case 8: invokeVectors(SIMD8<Int8>.self, SIMD8<Int32>.self)
      default: invokeVectors(SIMD16<Int8>.self, SIMD16<Int32>.self)
      }
    } else {
      invokePixels()
    }
  }

  /// At most 16 channels and rows that fit the stack row buffer: the window sums column by
  /// column, then along the row (``PoolVectors/runRows(_:input:output:length:_:)``),
  /// `Sums.scalarCount` channels at a time.
  private func invokeRows<Lanes: SIMD, Sums: SIMD>(_: Lanes.Type, _: Sums.Type)
  where Lanes.Scalar == Int8, Sums.Scalar == Int32 {
    PoolVectors.runRows(
      g, input: input, output: output, length: Int(lineLength),
      Averages<Lanes, Sums>(low: g.activationMin, high: g.activationMax))
  }

  /// At most 16 channels: one vector of `Lanes` per output pixel (``PoolVectors``), its window
  /// sums a vector of `Sums` (as many lanes, widened to int32).
  private func invokeVectors<Lanes: SIMD, Sums: SIMD>(_: Lanes.Type, _: Sums.Type)
  where Lanes.Scalar == Int8, Sums.Scalar == Int32 {
    let g = self.g
    let depth = Int(g.depth)
    let rowStride = Int(g.inputWidth) &* depth
    let (low, high) = (g.activationMin, g.activationMax)
    PoolVectors.run(
      g, input: input, output: output,
      vector: { first, columns, rows, shift -> Lanes in
        var sums = Sums()
        PoolVectors.forEachTap(
          first - shift, columns: columns, rows: rows, depth: depth, rowStride: rowStride
        ) { x in
          var values = Sums()
          for i in 0..<Sums.scalarCount { values[i] = Int32(x[i]) }
          sums &+= values
        }
        return Self.average(
          sums, count: Int32(truncatingIfNeeded: columns &* rows), low: low, high: high)
      },
      scalar: { first, columns, rows, c in
        var sum: Int32 = 0
        PoolVectors.forEachTap(
          first + c, columns: columns, rows: rows, depth: depth, rowStride: rowStride
        ) { x in sum &+= Int32(x[0]) }
        let count = Int32(truncatingIfNeeded: columns &* rows)
        let half = count / 2
        let average = (sum > 0 ? sum + half : sum - half) / count
        return Int8(truncatingIfNeeded: Swift.min(Swift.max(average, low), high))
      })
  }

  /// Each lane's sum divided by `count` with TFLM's rounding `(sum ± count/2) / count`
  /// (truncating), clamped to `low...high`; `Sums` and `Lanes` have as many lanes.
  ///
  /// The division runs in float32 and is exact: `|sum ± count/2| < 2^24` is represented
  /// exactly, and a quotient that is not an integer (at most 129 in magnitude) lies at least
  /// `1/count` from the integers on either side, farther than float32's rounding error
  /// `129 · 2^-24` for every count up to ``PoolGeometry/maximumWindow`` (2^16).
  @inline(__always)
  static func average<Lanes: SIMD, Sums: SIMD>(
    _ sums: Sums, count: Int32, low: Int32, high: Int32
  ) -> Lanes where Lanes.Scalar == Int8, Sums.Scalar == Int32 {
    var s = sums
    var result = Lanes()
    let half = count &>> 1
    let divisor = Float(count)
    withUnsafeBytes(of: &s) { sumBytes in
      withUnsafeMutableBytes(of: &result) { resultBytes in
        let a = sumBytes.baseAddress!.assumingMemoryBound(to: Int32.self)
        let r = resultBytes.baseAddress!.assumingMemoryBound(to: Int8.self)
        for i in 0..<Lanes.scalarCount {
          let sum = a[i]
          let rounded = sum > 0 ? sum &+ half : sum &- half
          let quotient = (Float(rounded) / divisor).rounded(.towardZero)
          // The integer-valued quotient converted without a range check: adding 1.5 · 2^23
          // puts it in the float's low mantissa bits.
          let average = Int32(bitPattern: (quotient + 12_582_912).bitPattern) &- 0x4B40_0000
          r[i] = Int8(truncatingIfNeeded: Swift.min(Swift.max(average, low), high))
        }
      }
    }
    return result
  }

  /// One output pixel at a time: channels innermost, or for fewer than 16 channels each
  /// channel's window in a register (the per-pixel kernel, also the reference for the vectors).
  private func invokePixels() {
    let g = self.g
    let depth = Int(g.depth)
    let (inputHeight, inputWidth) = (Int(g.inputHeight), Int(g.inputWidth))
    let (low, high) = (g.activationMin, g.activationMax)
    let sums = self.sums!
    var out = output!
    var divisor = RoundingDivisor(1, maximumMagnitude: 128)
    for batch in 0..<Int(g.batches) {
      let image = input + batch * inputHeight * inputWidth * depth
      for outY in 0..<Int(g.outputHeight) {
        let rows = g.rowRange(outY)
        for outX in 0..<Int(g.outputWidth) {
          let columns = g.columnRange(outX)
          if depth < Blocks.width {
            // Few channels: each channel's window sum in a register (accumulating in memory
            // would chain every tap's add through a store and a load).
            for c in 0..<depth {
              var sum: Int32 = 0
              for y in rows {
                var pixel = image + ((y &* inputWidth &+ columns.lowerBound) &* depth &+ c)
                for _ in columns {
                  sum &+= Int32(pixel[0])
                  pixel += depth
                }
              }
              sums[c] = sum
            }
          } else {
            sums.update(repeating: 0, count: depth)
            for y in rows {
              var pixel = image + (y * inputWidth + columns.lowerBound) * depth
              for _ in columns {
                for c in 0..<depth { sums[c] &+= Int32(pixel[c]) }
                pixel += depth
              }
            }
          }
          // The count changes only at the image's edges.
          let count = Int32(rows.count * columns.count)
          if count != divisor.divisor {
            divisor = RoundingDivisor(count, maximumMagnitude: 128 * Int64(count))
          }
          for c in 0..<depth {
            let average = divisor.divide(sums[c])
            out[c] = Int8(truncatingIfNeeded: Swift.min(Swift.max(average, low), high))
          }
          out += depth
        }
      }
    }
  }
}

/// Window sums for ``PoolVectors/runRows(_:input:output:length:_:)``, finished as TFLM's
/// rounded averages (``AveragePool2DKernel/average(_:count:low:high:)``) clamped to
/// `low...high`.
struct Averages<Lanes: SIMD, Wide: SIMD>: PoolReduction
where Lanes.Scalar == Int8, Wide.Scalar == Int32 {
  /// The activation's clamp.
  let low: Int32, high: Int32
  /// Sums ignore zeros.
  var padding: Int32 { 0 }
  /// The lane-wise sum.
  @inline(__always)
  func combine(_ a: Wide, _ b: Wide) -> Wide { a &+ b }
  /// The lane-wise sum.
  @inline(__always)
  func combineRows(_ a: SIMD16<Int32>, _ b: SIMD16<Int32>) -> SIMD16<Int32> { a &+ b }
  /// The sum.
  @inline(__always)
  func combineScalar(_ a: Int32, _ b: Int32) -> Int32 { a &+ b }
  /// The rounded averages over `count` pixels.
  @inline(__always)
  func finish(_ window: Wide, count: Int) -> Lanes {
    AveragePool2DKernel.average(
      window, count: Int32(truncatingIfNeeded: count), low: low, high: high)
  }
}
