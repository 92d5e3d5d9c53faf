/// An element-wise operation on two int8 operands giving int8: the per-element arithmetic of
/// ADD, SUB and MUL, split into what depends on each operand alone and how the two combine, so
/// an operand that repeats (a per-channel constant or mean) is prepared once per invoke.
protocol Int8BinaryArithmetic {
  /// Operand A's part of the arithmetic (ADD: its value scaled to the common scale).
  func left(_ a: Int8) -> Int32
  /// Operand B's part of the arithmetic.
  func right(_ b: Int8) -> Int32
  /// The output element from the two parts.
  func combine(_ left: Int32, _ right: Int32) -> Int8
}

extension Int8BinaryArithmetic {
  /// The output element for operand elements `a` and `b`.
  @inline(__always)
  func apply(_ a: Int8, _ b: Int8) -> Int8 { combine(left(a), right(b)) }
}

/// How an element-wise binary operator walks its operands under TFLite's (numpy's) broadcasting
/// rules, planned once while preparing.
///
/// Shapes are aligned at their last axis and padded with leading 1s; along every axis each
/// operand's extent is 1 or the output's. Axes of output extent 1 are dropped and neighbouring
/// axes that step through both operands alike are fused (as TFLM's `BroadcastBinaryOpSimple`
/// does), so `[1,4,1,3] + [1,1,5,3]` becomes three loops and `[2,3,4] + [2,3,4]` one. The
/// innermost loop then reads each operand either densely or as one repeated element, which keeps
/// it free of index arithmetic.
///
/// The arithmetic runs in blocks of 16 output elements (``Blocks``), the width LLVM vectorizes
/// small tensors at, in one of three ways chosen while preparing:
/// - *runs*: innermost runs of 16 or more elements (or a single run) are computed block by
///   block straight from the operands, a repeated element read from a 16-lane splat;
/// - *periodic*: the common channel broadcast `[…, C] ⊕ [C]` with `C < 16` (one operand dense
///   over the whole output, the other repeating its `C` elements) prepares the repeating
///   operand's part of the arithmetic once per invoke, repeated `16 + C` long in a stack
///   buffer, so every block of the output reads one block of it at the right phase;
/// - *staged*: any other pattern with short runs stages operand pairs, element by element,
///   into 16-lane buffers on the stack, computed when full.
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

  /// How ``run(_:_:_:_:)`` computes (see the type's documentation).
  enum Strategy {
    case runs
    /// Operand A repeats with period `innerCount`; B is dense over the output.
    case periodicA
    /// Operand B repeats with period `innerCount`; A is dense over the output.
    case periodicB
    case staged
  }

  /// Length of the innermost loop.
  let innerCount: Int
  /// How the innermost loop reads the operands.
  let inner: Inner
  /// The outer loops, outermost first, four values each: extent and element strides through
  /// A, B and the output.
  private let outer: [Int]
  /// The number of outer loops.
  var outerCount: Int { outer.count / 4 }
  /// How the output is computed.
  let strategy: Strategy

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

    // Element strides of each operand's dense layout; 0 along broadcast axes. Loops are
    // collected innermost first, four values each (extent, strides through A, B, output).
    var loops: [Int] = []
    var strideA = 1
    var strideB = 1
    var strideOut = 1
    for axis in stride(from: rank - 1, through: 0, by: -1) {
      let extent = po[axis]
      if extent > 1 {
        let sa = pa[axis] == 1 ? 0 : strideA
        let sb = pb[axis] == 1 ? 0 : strideB
        let last = loops.count - 4
        if last >= 0, loops[last + 1] * loops[last] == sa, loops[last + 2] * loops[last] == sb,
          loops[last + 3] * loops[last] == strideOut
        {
          loops[last] *= extent
        } else {
          loops += [extent, sa, sb, strideOut]
        }
      }
      strideA *= pa[axis]
      strideB *= pb[axis]
      strideOut *= extent
    }
    guard loops.count >= 4 else {
      // Every extent is 1: one element.
      innerCount = 1
      inner = .dense
      outer = []
      strategy = .runs
      return
    }
    innerCount = loops[0]
    inner = loops[1] == 0 ? .repeatA : (loops[2] == 0 ? .repeatB : .dense)
    var flat: [Int] = []
    flat.reserveCapacity(loops.count - 4)
    for loop in stride(from: loops.count - 4, to: 0, by: -4) {
      flat += loops[loop..<(loop + 4)]
    }
    outer = flat
    if innerCount >= Blocks.width || flat.isEmpty {
      strategy = .runs
    } else if flat.count == 4, inner == .dense, flat[1] == 0, flat[2] == innerCount {
      strategy = .periodicA
    } else if flat.count == 4, inner == .dense, flat[2] == 0, flat[1] == innerCount {
      strategy = .periodicB
    } else {
      strategy = .staged
    }
  }

  /// Runs `operation` over every output element. The output must not overlap either operand.
  @inline(__always)
  func run<Operation: Int8BinaryArithmetic>(
    _ operation: Operation, _ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>,
    _ output: UnsafeMutablePointer<Int8>
  ) {
    Blocks.withStackBuffer { buffer in
      // [0, 32): operand A staged, splat or repeated; [32, 64): B; [64, 80): results.
      let staging = buffer.bindMemory(to: Int8.self, capacity: 80)
      switch strategy {
      case .runs:
        if outerCount == 0 {
          runSegment(operation, a, b, output, staging)
        } else {
          walk(level: 0, operation, a, b, output, staging)
        }
      case .periodicA:
        periodic(
          outer[0], a, UnsafeMutableRawPointer(staging), dense: b, output,
          prepare: { operation.left($0) }, part: { operation.right($0) },
          combine: { operation.combine($0, $1) })
      case .periodicB:
        periodic(
          outer[0], b, UnsafeMutableRawPointer(staging), dense: a, output,
          prepare: { operation.right($0) }, part: { operation.left($0) },
          combine: { operation.combine($1, $0) })
      case .staged:
        var cursor = Cursor(
          stagedA: staging, stagedB: staging + 32, results: staging + 64, output: output)
        walkStaged(level: 0, operation, a, b, &cursor)
        cursor.flush(operation)
      }
    }
  }

  /// One block of 16 output elements from operand streams `x` (A) and `y` (B).
  @inline(__always)
  private static func block<Operation: Int8BinaryArithmetic>(
    _ operation: Operation, _ x: UnsafePointer<Int8>, _ y: UnsafePointer<Int8>,
    _ out: UnsafeMutablePointer<Int8>
  ) {
    for j in 0..<Blocks.width { out[j] = operation.apply(x[j], y[j]) }
  }

  /// Outer loop `level` of the *runs* strategy.
  private func walk<Operation: Int8BinaryArithmetic>(
    level: Int, _ operation: Operation, _ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>,
    _ output: UnsafeMutablePointer<Int8>, _ staging: UnsafeMutablePointer<Int8>
  ) {
    let base = 4 * level
    let (count, stepA, stepB, stepOutput) = (
      outer[base], outer[base + 1], outer[base + 2], outer[base + 3]
    )
    var pa = a
    var pb = b
    var po = output
    if level == outerCount - 1 {
      for _ in 0..<count {
        runSegment(operation, pa, pb, po, staging)
        pa += stepA
        pb += stepB
        po += stepOutput
      }
      return
    }
    for _ in 0..<count {
      walk(level: level + 1, operation, pa, pb, po, staging)
      pa += stepA
      pb += stepB
      po += stepOutput
    }
  }

  /// One innermost run of ``innerCount`` elements (*runs* strategy): blocks straight from the
  /// operands, a repeated element read from a splat, and a run shorter than 16 (only when it is
  /// the whole output) staged.
  @inline(__always)
  private func runSegment<Operation: Int8BinaryArithmetic>(
    _ operation: Operation, _ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>,
    _ output: UnsafeMutablePointer<Int8>, _ staging: UnsafeMutablePointer<Int8>
  ) {
    let count = innerCount
    var x = a
    var y = b
    var stepX = 1
    var stepY = 1
    if inner == .repeatA {
      staging.update(repeating: a[0], count: Blocks.width)
      x = UnsafePointer(staging)
      stepX = 0
    }
    if inner == .repeatB {
      (staging + 32).update(repeating: b[0], count: Blocks.width)
      y = UnsafePointer(staging + 32)
      stepY = 0
    }
    guard count >= Blocks.width else {
      if stepX != 0 { for j in 0..<count { staging[j] = a[j] } }
      if stepY != 0 { for j in 0..<count { staging[32 &+ j] = b[j] } }
      Self.block(operation, staging, staging + 32, staging + 64)
      for j in 0..<count { output[j] = staging[64 &+ j] }
      return
    }
    var i = 0
    while i &+ Blocks.width <= count {
      Self.block(operation, x + i &* stepX, y + i &* stepY, output + i)
      i &+= Blocks.width
    }
    if i < count {
      let last = count &- Blocks.width
      Self.block(operation, x + last &* stepX, y + last &* stepY, output + last)
    }
  }

  /// The *periodic* strategy: `runs` runs of ``innerCount`` (< 16) elements; operand
  /// `repeating` gives the same ``innerCount`` elements to every run, operand `dense` advances
  /// with the output. `prepare` gives the repeating operand's part of the arithmetic, `part`
  /// the dense operand's, and `combine(repeatingPart, densePart)` the output.
  @inline(__always)
  private func periodic(
    _ runs: Int, _ repeating: UnsafePointer<Int8>, _ buffer: UnsafeMutableRawPointer,
    dense: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>,
    prepare: (Int8) -> Int32, part: (Int8) -> Int32, combine: (Int32, Int32) -> Int8
  ) {
    let period = innerCount
    // [0, 128): the repeating operand's parts, repeated 16 + period long (a block starting at
    // phase p reads prepared[p..<p + 16]); [128, 144): a short dense operand staged;
    // [160, 176): its results.
    let prepared = buffer.bindMemory(to: Int32.self, capacity: 32)
    for j in 0..<period { prepared[j] = prepare(repeating[j]) }
    var filled = period
    while filled < Blocks.width &+ period {
      for j in 0..<period where filled &+ j < 32 { prepared[filled &+ j] = prepared[j] }
      filled &+= period
    }
    let total = runs &* period
    @inline(__always) func block(
      _ phase: Int, _ d: UnsafePointer<Int8>, _ o: UnsafeMutablePointer<Int8>
    ) {
      let r = prepared + phase
      for j in 0..<Blocks.width { o[j] = combine(r[j], part(d[j])) }
    }
    guard total >= Blocks.width else {
      let staged = (buffer + 128).bindMemory(to: Int8.self, capacity: 48)
      for j in 0..<total { staged[j] = dense[j] }
      block(0, staged, staged + 32)
      for j in 0..<total { output[j] = staged[32 &+ j] }
      return
    }
    let advance = Blocks.width % period
    var phase = 0
    var k = 0
    while k &+ Blocks.width <= total {
      block(phase, dense + k, output + k)
      k &+= Blocks.width
      phase &+= advance
      if phase >= period { phase &-= period }
    }
    if k < total {
      let last = total &- Blocks.width
      block(last % period, dense + last, output + last)
    }
  }

  /// Where the output is being written, and the operands staged for the next block (*staged*
  /// strategy).
  struct Cursor {
    /// Staged elements of operand A and B (16 each) and the block's results.
    let stagedA: UnsafeMutablePointer<Int8>
    let stagedB: UnsafeMutablePointer<Int8>
    let results: UnsafeMutablePointer<Int8>
    /// Elements staged so far.
    var staged = 0
    /// The next output element not yet written (the first staged one, when some are staged).
    var output: UnsafeMutablePointer<Int8>

    init(
      stagedA: UnsafeMutablePointer<Int8>, stagedB: UnsafeMutablePointer<Int8>,
      results: UnsafeMutablePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
      self.stagedA = stagedA
      self.stagedB = stagedB
      self.results = results
      self.output = output
    }

    /// Stages one pair of operand elements, computing the block when it is full.
    @inline(__always)
    mutating func stage<Operation: Int8BinaryArithmetic>(
      _ operation: Operation, _ x: Int8, _ y: Int8
    ) {
      stagedA[staged] = x
      stagedB[staged] = y
      staged &+= 1
      if staged == Blocks.width { flush(operation) }
    }

    /// Computes the staged elements (all 16 lanes) and writes those staged to the output.
    @inline(__always)
    mutating func flush<Operation: Int8BinaryArithmetic>(_ operation: Operation) {
      guard staged > 0 else { return }
      BroadcastLoops.block(operation, stagedA, stagedB, results)
      for j in 0..<staged { output[j] = results[j] }
      output += staged
      staged = 0
    }
  }

  /// Outer loop `level` of the *staged* strategy.
  private func walkStaged<Operation: Int8BinaryArithmetic>(
    level: Int, _ operation: Operation, _ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>,
    _ cursor: inout Cursor
  ) {
    let base = 4 * level
    let (count, stepA, stepB) = (outer[base], outer[base + 1], outer[base + 2])
    var pa = a
    var pb = b
    let last = level == outerCount - 1
    for _ in 0..<count {
      if last {
        let stepX = inner == .repeatA ? 0 : 1
        let stepY = inner == .repeatB ? 0 : 1
        for i in 0..<innerCount { cursor.stage(operation, pa[i &* stepX], pb[i &* stepY]) }
      } else {
        walkStaged(level: level + 1, operation, pa, pb, &cursor)
      }
      pa += stepA
      pb += stepB
    }
  }
}
