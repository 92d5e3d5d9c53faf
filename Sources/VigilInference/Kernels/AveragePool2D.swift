/// AVERAGE_POOL_2D for int8: SAME/VALID padding, strides, fused RELU/RELU6/RELU_N1_TO_1.
///
/// Arithmetic: TFLM `reference_integer_ops::AveragePool`: the int32 sum of the window's
/// in-image pixels (padding is not counted), divided by their count rounding half away from
/// zero (`(sum > 0 ? sum + n/2 : sum − n/2) / n`), then clamped to the activation range.
/// The division by each possible count is precomputed as a ``RoundingDivisor``.
///
/// Operator versions: TFLite assigns version 2 to the int8 form (op_version.cc; 1 is float,
/// 3 int16).
final class AveragePool2DKernel: OperatorKernel {
  private let g: PoolGeometry
  private let inputIndex: Int, outputIndex: Int, scratchIndex: Int
  /// Divisors for window sizes 1...filterHeight·filterWidth, at index `count − 1`.
  private let divisors: [RoundingDivisor]
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!
  private var sums: UnsafeMutablePointer<Int32>!

  private init(
    geometry: PoolGeometry, inputIndex: Int, outputIndex: Int, scratchIndex: Int,
    divisors: [RoundingDivisor]
  ) {
    g = geometry
    self.inputIndex = inputIndex
    self.outputIndex = outputIndex
    self.scratchIndex = scratchIndex
    self.divisors = divisors
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> AveragePool2DKernel {
    let g = try PoolGeometry(context)
    let window = g.filterHeight * g.filterWidth
    let divisors = (1...window).map {
      RoundingDivisor(Int32($0), maximumMagnitude: 128 * Int64($0))
    }
    let scratch = context.requestScratch(bytes: 4 * g.depth)
    return AveragePool2DKernel(
      geometry: g, inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      scratchIndex: scratch, divisors: divisors)
  }

  func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.int8(outputIndex)
    sums = memory.scratch(scratchIndex).assumingMemoryBound(to: Int32.self)
  }

  func invoke() {
    let g = self.g
    let depth = g.depth
    let sums = self.sums!
    var out = output!
    divisors.withUnsafeBufferPointer { divisors in
      for batch in 0..<g.batches {
        let image = input + batch * g.inputHeight * g.inputWidth * depth
        for outY in 0..<g.outputHeight {
          let rows = g.rowRange(outY)
          for outX in 0..<g.outputWidth {
            let columns = g.columnRange(outX)
            sums.update(repeating: 0, count: depth)
            for y in rows {
              var pixel = image + (y * g.inputWidth + columns.lowerBound) * depth
              for _ in columns {
                for c in 0..<depth { sums[c] &+= Int32(pixel[c]) }
                pixel += depth
              }
            }
            let divisor = divisors[rows.count * columns.count - 1]
            for c in 0..<depth {
              let average = divisor.divide(sums[c])
              out[c] = Int8(
                truncatingIfNeeded: Swift.min(
                  Swift.max(average, g.activationMin), g.activationMax))
            }
            out += depth
          }
        }
      }
    }
  }
}
