/// REDUCE_MAX of int8 over constant axes (negative axes and repeats allowed), with or without
/// `keep_dims`; GlobalMaxPooling1D converts to this.
///
/// Arithmetic: TFLM `reference_ops::ReduceGeneric` with `max` from −128; input and output must
/// share one quantization, which TFLM checks when invoked and Vigil when preparing.
///
/// Operator versions: TFLite assigns version 2 to the int8 form (op_version.cc; 1 is float,
/// 3 int16).
final class ReduceMaxKernel: OperatorKernel {
  /// Vigil's rank limit (TFLM's REDUCE_MAX sizes its index buffers to the input and has none).
  static let maximumRank = 8

  private let plan: ReductionPlan
  private let inputIndex: Int32, outputIndex: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!

  private init(plan: ReductionPlan, inputIndex: Int, outputIndex: Int) {
    self.plan = plan
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> ReduceMaxKernel {
    let plan = try ReductionPlan(context, maximumRank: maximumRank)
    let input = try context.input(0)
    _ = try context.perTensorQuantization(input, "input")
    try context.expectSameQuantization(input, "input", as: context.output)
    return ReduceMaxKernel(
      plan: plan, inputIndex: try context.inputIndex(0), outputIndex: context.outputIndex)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.int8(outputIndex)
  }

  override func invoke() {
    if let (rows, count) = plan.keptRunsOverRows, count <= 64 {
      Self.maximumOverRows(input, rows: rows, count: count, into: output)
      return
    }
    output.update(repeating: Int8.min, count: plan.outputCount)
    plan.walk(input, into: output, MaxStep.self)
  }

  /// The maximum of each of `count` columns over `rows` rows of `count` bytes (a global max
  /// pool), sixteen or eight columns at a time in a register across all the rows (through
  /// memory, each row's maxima waited on the previous row's store: 56 × 8 took 140 ns). The
  /// lane-wise maximum is passed in for each concrete vector type: in a function generic over
  /// `SIMD`, `.>` and `replacing` are the protocol's element-by-element forms, compiled to
  /// loops over the lanes.
  @inline(__always)
  private static func maximumOverRows(
    _ x: UnsafePointer<Int8>, rows: Int, count: Int, into out: UnsafeMutablePointer<Int8>
  ) {
    var i = 0
    @inline(__always) func columns<V: SIMD>(_: V.Type, _ maximum: (V, V) -> V)
    where V.Scalar == Int8 {
      var largest = V(repeating: .min)
      for r in 0..<rows {
        largest = maximum(
          largest, UnsafeRawPointer(x + (r &* count &+ i)).loadUnaligned(as: V.self))
      }
      UnsafeMutableRawPointer(out + i).storeBytes(of: largest, as: V.self)
      i += V.scalarCount
    }
    while i + 16 <= count {
      columns(SIMD16<Int8>.self) { a, b in a.replacing(with: b, where: b .> a) }
    }
    if i + 8 <= count {
      columns(SIMD8<Int8>.self) { a, b in a.replacing(with: b, where: b .> a) }
    }
    while i < count {
      var largest = Int8.min
      for r in 0..<rows { largest = Swift.max(largest, x[r &* count &+ i]) }
      out[i] = largest
      i += 1
    }
  }

  private enum MaxStep: ReductionStep {
    @inline(__always)
    static func combine(_ out: UnsafeMutablePointer<Int8>, _ x: UnsafePointer<Int8>, count: Int) {
      // 16 and 8 lanes at a time (concrete vector types: LLVM makes each one `pmaxsb`): a
      // kept axis is often short (8 channels), and a plain loop's vector body would not run.
      var i = 0
      while i + 16 <= count {
        let a = UnsafeRawPointer(out + i).loadUnaligned(as: SIMD16<Int8>.self)
        let b = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Int8>.self)
        UnsafeMutableRawPointer(out + i).storeBytes(
          of: a.replacing(with: b, where: b .> a), as: SIMD16<Int8>.self)
        i += 16
      }
      if i + 8 <= count {
        let a = UnsafeRawPointer(out + i).loadUnaligned(as: SIMD8<Int8>.self)
        let b = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Int8>.self)
        UnsafeMutableRawPointer(out + i).storeBytes(
          of: a.replacing(with: b, where: b .> a), as: SIMD8<Int8>.self)
        i += 8
      }
      while i < count {
        out[i] = Swift.max(out[i], x[i])
        i += 1
      }
    }

    @inline(__always)
    static func fold(_ out: UnsafeMutablePointer<Int8>, _ x: UnsafePointer<Int8>, count: Int) {
      var largest = out[0]
      for i in 0..<count { largest = Swift.max(largest, x[i]) }
      out[0] = largest
    }
  }
}
