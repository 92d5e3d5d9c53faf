/// AVERAGE_POOL_2D for int8: SAME/VALID padding, strides, fused RELU/RELU6/RELU_N1_TO_1.
///
/// Arithmetic: TFLM `reference_integer_ops::AveragePool`: the int32 sum of the window's
/// in-image pixels (padding is not counted), divided by their count rounding half away from
/// zero (`(sum > 0 ? sum + n/2 : sum − n/2) / n`), then clamped to the activation range.
/// The division by a window's pixel count runs as a ``RoundingDivisor`` (a multiply and a
/// shift), made when the count changes along a row of outputs (at the image's edges), so the
/// kernel keeps nothing per window size.
///
/// Operator versions: TFLite assigns version 2 to the int8 form (op_version.cc; 1 is float,
/// 3 int16).
final class AveragePool2DKernel: OperatorKernel {
  private let g: PoolGeometry
  private let inputIndex: Int32, outputIndex: Int32, scratchIndex: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!
  private var sums: UnsafeMutablePointer<Int32>!

  private init(geometry: PoolGeometry, inputIndex: Int, outputIndex: Int, scratchIndex: Int) {
    g = geometry
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
    self.scratchIndex = Int32(scratchIndex)
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> AveragePool2DKernel {
    let g = try PoolGeometry(context)
    let scratch = context.requestScratch(bytes: 4 * Int(g.depth))
    return AveragePool2DKernel(
      geometry: g, inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      scratchIndex: scratch)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(Int(inputIndex)))
    output = memory.int8(Int(outputIndex))
    sums = memory.scratch(Int(scratchIndex)).assumingMemoryBound(to: Int32.self)
  }

  override func invoke() {
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
