/// ADD, SUB or MUL with a small constant operand, run as one 256-entry table per constant element.
///
/// When one operand is constant (a per-channel bias or scale, a scalar), each output element
/// depends only on the other operand's byte and on which constant element it meets, so the
/// operator's exact per-element arithmetic is evaluated while preparing for all 256 bytes and each
/// constant element, and `invoke` is one table read per element. Used for constants of up to
/// ``maximumConstantElements`` elements (16 KiB of tables).
final class ConstantOperandKernel: OperatorKernel {
  /// Reads the table of constant element `j` at the variable operand's byte.
  struct Lookup: BinaryArithmetic {
    let tables: UnsafePointer<Int8>

    @inline(__always)
    func apply(_ x: Int8, _ j: Int32) -> Int8 {
      tables[Int(j) &<< 8 | Int(UInt8(bitPattern: x))]
    }
  }

  /// The largest constant operand given tables.
  static let maximumConstantElements = 64

  private let variableIndex: Int, outputIndex: Int
  private let loops: BroadcastLoops
  private let tables: UnsafeMutablePointer<Int8>
  private let indices: UnsafeMutablePointer<Int32>
  private var variable: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  /// Tables for `operands` when one of them is constant and small, with `arithmetic` giving the
  /// output for (input 1, input 2) bytes; `nil` otherwise.
  init?<Arithmetic: Int8BinaryArithmetic>(
    _ operands: BinaryOperands, _ arithmetic: Arithmetic, model: Model
  ) {
    let first = model.tensors[operands.input1]
    let second = model.tensors[operands.input2]
    let constantIsFirst: Bool
    let constant: TensorInfo
    let variableTensor: TensorInfo
    if second.isConstant, second.elementCount <= ConstantOperandKernel.maximumConstantElements {
      (constantIsFirst, constant, variableTensor) = (false, second, first)
    } else if first.isConstant,
      first.elementCount <= ConstantOperandKernel.maximumConstantElements
    {
      (constantIsFirst, constant, variableTensor) = (true, first, second)
    } else {
      return nil
    }
    let output = model.tensors[operands.output]
    guard
      let loops = BroadcastLoops(a: variableTensor.shape, b: constant.shape, output: output.shape),
      let data = constant.constantData
    else { return nil }
    self.loops = loops
    variableIndex = constantIsFirst ? operands.input2 : operands.input1
    outputIndex = operands.output
    let count = constant.elementCount
    tables = UnsafeMutablePointer<Int8>.allocate(capacity: 256 * count)
    indices = UnsafeMutablePointer<Int32>.allocate(capacity: count)
    for j in 0..<count {
      indices[j] = Int32(j)
      let c = data.load(fromByteOffset: j, as: Int8.self)
      for byte in 0..<256 {
        let x = Int8(truncatingIfNeeded: byte)
        tables[j << 8 | byte] = constantIsFirst ? arithmetic.apply(c, x) : arithmetic.apply(x, c)
      }
    }
  }

  deinit {
    tables.deallocate()
    indices.deallocate()
  }

  func bind(_ memory: TensorMemory) {
    variable = UnsafePointer(memory.int8(variableIndex))
    output = memory.int8(outputIndex)
  }

  func invoke() {
    loops.run(Lookup(tables: UnsafePointer(tables)), variable, UnsafePointer(indices), output)
  }
}

extension BinaryOperands {
  /// A faster kernel computing exactly what `arithmetic` does, when the operands allow one: a
  /// single table when both inputs are the same tensor (`x * x`), or tables per constant element
  /// (``ConstantOperandKernel``); `nil` when neither applies.
  func specializedKernel<Arithmetic: Int8BinaryArithmetic>(
    _ arithmetic: Arithmetic, model: Model
  ) -> (any OperatorKernel)? {
    if input1 == input2 {
      return Int8TableKernel(
        inputIndex: input1, outputIndex: output, count: model.tensors[output].elementCount,
        table: (0..<256).map { byte in
          let x = Int8(truncatingIfNeeded: byte)
          return arithmetic.apply(x, x)
        })
    }
    return ConstantOperandKernel(self, arithmetic, model: model)
  }
}
