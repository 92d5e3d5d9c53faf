/// An int8 → int8 element-wise operator run as a 256-entry table.
///
/// An int8 input has only 256 values, so a per-element function of the input byte alone is
/// computed once per value while preparing, with TFLM's exact per-element arithmetic, and
/// `invoke` is a table read per element; the results are bit-identical to evaluating the
/// arithmetic element by element. The table costs 256 bytes for as long as the interpreter
/// lives, so only LOGISTIC and TANH use it: their gemmlowp arithmetic (an exponential and a
/// Newton-Raphson division) costs tens of nanoseconds per element. Cheap functions (RELU,
/// RELU6, LEAKY_RELU, int8 QUANTIZE) are computed element by element (``Int8MapKernel``).
final class Int8TableKernel: OperatorKernel {
  private let inputIndex: Int32, outputIndex: Int32
  private let count: Int
  private let table: UnsafeMutablePointer<Int8>
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  /// A kernel mapping `count` elements of tensor `inputIndex` into tensor `outputIndex` through
  /// `table`, which holds the output for each input byte in two's-complement order
  /// (`table[Int(UInt8(bitPattern: x))]` is the output for `x`).
  init(inputIndex: Int, outputIndex: Int, count: Int, table: [Int8]) {
    precondition(table.count == 256, "an int8 table has 256 entries")
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
    self.count = count
    self.table = UnsafeMutablePointer<Int8>.allocate(capacity: 256)
    for i in 0..<256 { self.table[i] = table[i] }
  }

  deinit { table.deallocate() }

  /// The table of `function` evaluated at every int8 value, in two's-complement byte order.
  static func table(_ function: (Int32) -> Int32) -> [Int8] {
    (0..<256).map { byte in
      let value = function(Int32(Int8(truncatingIfNeeded: byte)))
      return Int8(truncatingIfNeeded: Swift.min(127, Swift.max(-128, value)))
    }
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.int8(outputIndex)
  }

  override func invoke() {
    let table = UnsafePointer(self.table)
    for i in 0..<count {
      output[i] = table[Int(UInt8(bitPattern: input[i]))]
    }
  }
}

extension PrepareContext {
  /// Checks a one-input, one-output element-wise operator: operand counts, element types, and
  /// that input and output hold the same number of elements (TFLM's `MatchingFlatSize`).
  /// Returns the input and output tensors.
  func elementwiseUnary(input inputType: TensorType, output outputType: TensorType)
    throws(ModelError) -> (input: TensorInfo, output: TensorInfo)
  {
    try expectInputs(1)
    let input = try self.input(0)
    let output = self.output
    try expectType(input, inputType, "input")
    try expectType(output, outputType, "output")
    guard input.elementCount == output.elementCount else {
      throw error(
        .invalidShape,
        "output shape \(output.shape) does not hold the \(input.elementCount) elements of input shape \(input.shape)"
      )
    }
    return (input, output)
  }

  /// The per-tensor quantization of `tensor`, also checking its scale is a positive number.
  func positiveScaleQuantization(_ tensor: TensorInfo, _ role: String) throws(ModelError) -> (
    scale: Float, zeroPoint: Int32
  ) {
    let q = try perTensorQuantization(tensor, role)
    guard q.scale > 0, q.scale.isFinite else {
      throw error(.invalidQuantization, "\(role) scale \(q.scale) is not a positive number")
    }
    return q
  }
}
