/// An element-wise operation on two operands giving int8: the per-element arithmetic of ADD,
/// SUB and MUL (on two int8 operands), or a table lookup keyed by an int8 element and the index
/// of a constant operand's element.
protocol BinaryArithmetic {
  /// The element type of the first operand.
  associatedtype Left
  /// The element type of the second operand.
  associatedtype Right
  /// The output element for operand elements `a` and `b`.
  func apply(_ a: Left, _ b: Right) -> Int8
}

/// A ``BinaryArithmetic`` on two int8 operands.
protocol Int8BinaryArithmetic: BinaryArithmetic where Left == Int8, Right == Int8 {}

/// How an element-wise binary operator walks its operands under TFLite's (numpy's) broadcasting
/// rules, planned once while preparing.
///
/// Shapes are aligned at their last axis and padded with leading 1s; along every axis each
/// operand's extent is 1 or the output's. Axes of output extent 1 are dropped and neighbouring
/// axes that step through both operands alike are fused (as TFLM's `BroadcastBinaryOpSimple`
/// does), so `[1,4,1,3] + [1,1,5,3]` becomes three loops and `[2,3,4] + [2,3,4]` one. The
/// innermost loop then reads each operand either densely or as one repeated element, which keeps
/// it free of index arithmetic and vectorizable.
struct BroadcastLoops {
  /// How the innermost loop reads the operands.
  enum Inner {
    /// Both operands advance with the output.
    case dense
    /// Operand A repeats one element; B advances.
    case repeatA
    /// Operand B repeats one element; A advances.
    case repeatB
  }

  /// Length of the innermost loop.
  let innerCount: Int
  /// How the innermost loop reads the operands.
  let inner: Inner
  /// The outer loops, outermost first: extent and element strides through A, B and the output.
  let outer: [(count: Int, a: Int, b: Int, output: Int)]

  /// The output shape numpy broadcasting gives `a` and `b`, or `nil` when some axis has two
  /// extents that differ and neither is 1.
  static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = Swift.max(a.count, b.count)
    var shape: [Int] = []
    for axis in 0..<rank {
      let da = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
      let db = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
      guard da == db || da == 1 || db == 1 else { return nil }
      shape.append(Swift.max(da, db))
    }
    return shape
  }

  /// Plans the loops for operands of shapes `a` and `b` and the output shape `output`, which
  /// must be their broadcast shape (up to leading 1s); `nil` otherwise.
  init?(a: [Int], b: [Int], output: [Int]) {
    guard let shape = BroadcastLoops.broadcastShape(a, b) else { return nil }
    // The output may carry extra leading 1s, or fewer than the operands' rank when those are 1.
    let rank = Swift.max(shape.count, output.count)
    func padded(_ s: [Int]) -> [Int] { [Int](repeating: 1, count: rank - s.count) + s }
    let pa = padded(a)
    let pb = padded(b)
    let po = padded(output)
    guard padded(shape) == po else { return nil }

    // Element strides of each operand's dense layout; 0 along broadcast axes.
    var loops: [(count: Int, a: Int, b: Int, output: Int)] = []  // innermost first
    var strideA = 1
    var strideB = 1
    var strideOut = 1
    for axis in stride(from: rank - 1, through: 0, by: -1) {
      let extent = po[axis]
      if extent > 1 {
        let sa = pa[axis] == 1 ? 0 : strideA
        let sb = pb[axis] == 1 ? 0 : strideB
        if let last = loops.last, last.a * last.count == sa, last.b * last.count == sb,
          last.output * last.count == strideOut
        {
          loops[loops.count - 1].count *= extent
        } else {
          loops.append((extent, sa, sb, strideOut))
        }
      }
      strideA *= pa[axis]
      strideB *= pb[axis]
      strideOut *= extent
    }
    guard let innermost = loops.first else {
      // Every extent is 1: one element.
      innerCount = 1
      inner = .dense
      outer = []
      return
    }
    innerCount = innermost.count
    inner = innermost.a == 0 ? .repeatA : (innermost.b == 0 ? .repeatB : .dense)
    outer = Array(loops.dropFirst().reversed())
  }

  /// Runs `operation` over every output element.
  @inline(__always)
  func run<Operation: BinaryArithmetic>(
    _ operation: Operation, _ a: UnsafePointer<Operation.Left>,
    _ b: UnsafePointer<Operation.Right>, _ output: UnsafeMutablePointer<Int8>
  ) {
    if outer.isEmpty {
      innermost(operation, a, b, output, runs: 1, (0, 0, 0))
    } else {
      walk(level: 0, operation, a, b, output)
    }
  }

  /// Outer loop `level`; the last outer loop and the innermost loop run as one loop nest, so a
  /// short innermost run costs no call.
  private func walk<Operation: BinaryArithmetic>(
    level: Int, _ operation: Operation, _ a: UnsafePointer<Operation.Left>,
    _ b: UnsafePointer<Operation.Right>, _ output: UnsafeMutablePointer<Int8>
  ) {
    let loop = outer[level]
    if level == outer.count - 1 {
      innermost(operation, a, b, output, runs: loop.count, (loop.a, loop.b, loop.output))
      return
    }
    var pa = a
    var pb = b
    var po = output
    for _ in 0..<loop.count {
      walk(level: level + 1, operation, pa, pb, po)
      pa += loop.a
      pb += loop.b
      po += loop.output
    }
  }

  /// `runs` innermost loops, each starting `step` elements after the previous one.
  @inline(__always)
  private func innermost<Operation: BinaryArithmetic>(
    _ operation: Operation, _ a: UnsafePointer<Operation.Left>,
    _ b: UnsafePointer<Operation.Right>, _ output: UnsafeMutablePointer<Int8>, runs: Int,
    _ step: (a: Int, b: Int, output: Int)
  ) {
    let count = innerCount
    var pa = a
    var pb = b
    var po = output
    switch inner {
    case .dense:
      for _ in 0..<runs {
        for i in 0..<count { po[i] = operation.apply(pa[i], pb[i]) }
        pa += step.a
        pb += step.b
        po += step.output
      }
    case .repeatA:
      for _ in 0..<runs {
        let x = pa[0]
        for i in 0..<count { po[i] = operation.apply(x, pb[i]) }
        pa += step.a
        pb += step.b
        po += step.output
      }
    case .repeatB:
      for _ in 0..<runs {
        let y = pb[0]
        for i in 0..<count { po[i] = operation.apply(pa[i], y) }
        pa += step.a
        pb += step.b
        po += step.output
      }
    }
  }
}
