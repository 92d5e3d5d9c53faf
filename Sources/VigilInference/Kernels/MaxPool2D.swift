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
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(geometry: PoolGeometry, inputIndex: Int, outputIndex: Int) {
    g = geometry
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> MaxPool2DKernel {
    MaxPool2DKernel(
      geometry: try PoolGeometry(context), inputIndex: try context.inputIndex(0),
      outputIndex: context.outputIndex)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(Int(inputIndex)))
    output = memory.int8(Int(outputIndex))
  }

  override func invoke() {
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
