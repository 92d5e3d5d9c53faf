/// MEAN of int8 over constant axes (negative axes and repeats allowed), with or without
/// `keep_dims`.
///
/// Arithmetic: TFLM's `EvalIntegerMean` (reduce_common.cc), which for int8 always runs
/// `reference_ops::QuantizedMeanOrSum`: the int32 sum of the raw int8 values, minus
/// `zp_in · n` (in int64, then truncated to int32), scaled by `QuantizeMultiplier(s_in / s_out)`
/// with `1/n` folded in — `k = min(⌊log2 n⌋, 32, 31 + shift)`, `multiplier = (multiplier << k) / n`
/// (int64, truncating), `shift −= k` — by `MultiplyByQuantizedMultiplier`, then `+ zp_out` and
/// clamped to int8. There is no fused activation.
///
/// Older TFLM releases took other paths, which the build Vigil is verified against
/// (tflite-micro 0.dev20261023182759) no longer does: `reference_integer_ops::Mean` for a 4-D
/// mean over height and width with `keep_dims`, and a truncating `sum / n` when input and
/// output share a quantization; the fixtures `mean_same_scale_*` show the difference.
///
/// TFLM sizes its index arrays for 5-D inputs and 2 reduced axes, yet the build above gives the
/// same results as this kernel for 6-D inputs and 3 axes; Vigil accepts up to its own 8-D limit.
///
/// Operator versions: TFLite assigns version 2 to the int8 form (op_version.cc; 1 is float,
/// 3 int16).
final class MeanKernel: OperatorKernel {
  /// Vigil's rank limit.
  static let maximumRank = 8

  private let plan: ReductionPlan
  /// The requantization multiplier and shift with `1/n` folded in.
  private let multiplier: Int32, shift: Int32
  private let inputZeroPoint: Int32, outputZeroPoint: Int32
  private let inputIndex: Int32, outputIndex: Int32, scratchIndex: Int32
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!
  private var sums: UnsafeMutablePointer<Int32>!

  private init(
    plan: ReductionPlan, multiplier: Int32, shift: Int32, inputZeroPoint: Int32,
    outputZeroPoint: Int32, inputIndex: Int, outputIndex: Int, scratchIndex: Int
  ) {
    self.plan = plan
    self.multiplier = multiplier
    self.shift = shift
    self.inputZeroPoint = inputZeroPoint
    self.outputZeroPoint = outputZeroPoint
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
    self.scratchIndex = Int32(scratchIndex)
  }

  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> MeanKernel {
    let plan = try ReductionPlan(context, maximumRank: maximumRank)
    let inputQ = try context.perTensorQuantization(try context.input(0), "input")
    let outputQ = try context.perTensorQuantization(context.output, "output")
    let base = FixedPoint.Multiplier(Double(inputQ.scale) / Double(outputQ.scale))
    guard base.shift <= 30 else {
      throw context.error(
        .invalidQuantization,
        "input scale \(inputQ.scale) over output scale \(outputQ.scale) needs a left shift of \(base.shift); TFLM's arithmetic allows at most 30"
      )
    }
    let n = Int64(plan.reducedCount)
    var k = Int32(63 - n.leadingZeroBitCount)
    k = Swift.min(k, 32)
    k = Swift.min(k, 31 + base.shift)
    let scratch = context.requestScratch(bytes: 4 * plan.outputCount)
    return MeanKernel(
      plan: plan, multiplier: Int32(truncatingIfNeeded: (Int64(base.multiplier) << Int64(k)) / n),
      shift: base.shift - k, inputZeroPoint: inputQ.zeroPoint,
      outputZeroPoint: outputQ.zeroPoint, inputIndex: try context.inputIndex(0),
      outputIndex: context.outputIndex, scratchIndex: scratch)
  }

  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.int8(outputIndex)
    sums = memory.scratch(scratchIndex).assumingMemoryBound(to: Int32.self)
  }

  override func invoke() {
    let count = plan.outputCount
    if let (rows, columns) = plan.keptRunsOverRows, columns <= 64 {
      Self.sumOverRows(input, rows: rows, count: columns, into: sums)
    } else {
      sums.update(repeating: 0, count: count)
      plan.walk(input, into: sums, SumStep.self)
    }
    let offset = Int64(inputZeroPoint) * Int64(plan.reducedCount)
    for i in 0..<count {
      let shifted = Int32(truncatingIfNeeded: Int64(sums[i]) - offset)
      let value = FixedPoint.multiply(shifted, by: multiplier, shift: shift) &+ outputZeroPoint
      output[i] = Int8(truncatingIfNeeded: Swift.min(Swift.max(value, -128), 127))
    }
  }

  /// The sum of each of `count` columns over `rows` rows of `count` bytes (a global average
  /// pool), sixteen columns at a time in a register across all the rows, wrapping as
  /// ``SumStep`` does (through memory, each row's sums waited on the previous row's stores);
  /// fewer than sixteen remaining columns are added row by row as before.
  @inline(__always)
  private static func sumOverRows(
    _ x: UnsafePointer<Int8>, rows: Int, count: Int, into sums: UnsafeMutablePointer<Int32>
  ) {
    var i = 0
    while i + 16 <= count {
      var total = SIMD16<Int32>()
      for r in 0..<rows {
        let p = x + (r &* count &+ i)
        var row = SIMD16<Int32>()
        for l in 0..<16 { row[l] = Int32(p[l]) }
        total &+= row
      }
      UnsafeMutableRawPointer(sums + i).storeBytes(of: total, as: SIMD16<Int32>.self)
      i += 16
    }
    // The other columns row by row, as the general walk adds them.
    let rest = count &- i
    guard rest > 0 else { return }
    (sums + i).update(repeating: 0, count: rest)
    for r in 0..<rows { SumStep.combine(sums + i, x + (r &* count &+ i), count: rest) }
  }

  /// int32 sums of raw int8 values (wrapping, as TFLM's accumulation does).
  private enum SumStep: ReductionStep {
    @inline(__always)
    static func combine(_ out: UnsafeMutablePointer<Int32>, _ x: UnsafePointer<Int8>, count: Int) {
      for i in 0..<count { out[i] &+= Int32(x[i]) }
    }

    @inline(__always)
    static func fold(_ out: UnsafeMutablePointer<Int32>, _ x: UnsafePointer<Int8>, count: Int) {
      var sum: Int32 = 0
      for i in 0..<count { sum &+= Int32(x[i]) }
      out[0] &+= sum
    }
  }
}
