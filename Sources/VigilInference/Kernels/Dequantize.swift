/// DEQUANTIZE: int8 → float32 (a float-I/O model's last operator).
///
/// Arithmetic: TFLM `dequantize_common.cc` and `reference_ops::Dequantize`:
/// `Float(Double(scale) × Double(q − zero_point))`, the product taken in double precision and
/// then rounded to float. (For int8 this equals the single-precision product: a float times an
/// integer of at most 9 bits is exact in double, so both round the exact product once.) An int8
/// input has 256 values, so the 256 results are computed while preparing and `invoke` is a
/// table read per element.
///
/// Versions (`lite/tools/versioning/op_version.cc`): int8 2; 3 (int16, float16), 5 (per-channel)
/// and 6 (int4) are not implemented.
final class DequantizeKernel: OperatorKernel {
  private let inputIndex: Int, outputIndex: Int
  private let count: Int
  private let table: UnsafeMutablePointer<Float>
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Float>!

  private init(inputIndex: Int, outputIndex: Int, count: Int, scale: Float, zeroPoint: Int32) {
    self.inputIndex = inputIndex
    self.outputIndex = outputIndex
    self.count = count
    table = UnsafeMutablePointer<Float>.allocate(capacity: 256)
    for byte in 0..<256 {
      table[byte] = DequantizeKernel.dequantize(
        Int8(truncatingIfNeeded: byte), scale: scale, zeroPoint: zeroPoint)
    }
  }

  deinit { table.deallocate() }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> DequantizeKernel {
    let (input, _) = try context.elementwiseUnary(input: .int8, output: .float32)
    let inputQ = try context.positiveScaleQuantization(input, "input")
    return DequantizeKernel(
      inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex,
      count: input.elementCount, scale: inputQ.scale, zeroPoint: inputQ.zeroPoint)
  }

  /// TFLM's per-element dequantization.
  static func dequantize(_ q: Int8, scale: Float, zeroPoint: Int32) -> Float {
    Float(Double(scale) * Double(Int32(q) - zeroPoint))
  }

  func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.address(outputIndex).assumingMemoryBound(to: Float.self)
  }

  func invoke() {
    let table = UnsafePointer(self.table)
    for i in 0..<count {
      output[i] = table[Int(UInt8(bitPattern: input[i]))]
    }
  }
}
