/// DEQUANTIZE: int8 → float32 (a float-I/O model's last operator).
///
/// Arithmetic: TFLM `dequantize_common.cc` and `reference_ops::Dequantize`:
/// `Float(Double(scale) × Double(q − zero_point))`, the product taken in double precision and
/// then rounded to float. (For int8 this equals the single-precision product: a float times an
/// integer of at most 9 bits is exact in double, so both round the exact product once.) So each
/// element is the single-precision product, which LLVM vectorizes; the kernel keeps no table.
///
/// Versions (`lite/tools/versioning/op_version.cc`): int8 2; 3 (int16, float16), 5 (per-channel)
/// and 6 (int4) are not implemented.
final class DequantizeKernel: OperatorKernel {
  private let inputIndex: Int32, outputIndex: Int32
  private let count: Int
  private let scale: Float
  private let zeroPoint: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Float>!

  private init(inputIndex: Int, outputIndex: Int, count: Int, scale: Float, zeroPoint: Int32) {
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
    self.count = count
    self.scale = scale
    self.zeroPoint = zeroPoint
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> DequantizeKernel {
    let (input, _) = try context.elementwiseUnary(input: .int8, output: .float32)
    let inputQ = try context.positiveScaleQuantization(input, "input")
    return DequantizeKernel(
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      count: input.elementCount, scale: inputQ.scale, zeroPoint: inputQ.zeroPoint)
  }

  /// TFLM's per-element dequantization, in double as TFLM computes it (``invoke()`` computes
  /// the same value in single precision; tests compare the two for every input).
  static func dequantize(_ q: Int8, scale: Float, zeroPoint: Int32) -> Float {
    Float(Double(scale) * Double(Int32(q) - zeroPoint))
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(Int(inputIndex)))
    output = memory.address(Int(outputIndex)).assumingMemoryBound(to: Float.self)
  }

  override func invoke() {
    let scale = self.scale
    let zeroPoint = self.zeroPoint
    Blocks.map(input, output, count: count) { x, y in
      for j in 0..<Blocks.width { y[j] = scale * Float(Int32(x[j]) &- zeroPoint) }
    }
  }
}
