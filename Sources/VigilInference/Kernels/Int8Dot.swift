/// The int8 inner products every matrix kernel is built on.
///
/// Written as plain loops with a single wrapping int32 accumulator: LLVM vectorizes this form
/// into `pmaddwd`/`vpdpwssd` on x86-64 (with AVX2 or later enabled) and `smull`/`sadalp` or
/// `sdot` on AArch64, so the same source is fast on the development machine and on the boards.
/// Wrapping arithmetic matches TFLM's int32 accumulation modulo 2^32.
enum Int8Dot {
  /// `Σ a[i]·b[i]` over `count` elements.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, count: Int) -> Int32 {
    var accumulator: Int32 = 0
    for i in 0..<count {
      accumulator &+= Int32(a[i]) &* Int32(b[i])
    }
    return accumulator
  }

  /// `Σ a[i]` over `count` elements.
  static func sum(_ a: UnsafePointer<Int8>, count: Int) -> Int32 {
    var accumulator: Int32 = 0
    for i in 0..<count { accumulator &+= Int32(a[i]) }
    return accumulator
  }
}

/// Requantizes int32 accumulators to int8 outputs: the epilogue shared by CONV_2D,
/// DEPTHWISE_CONV_2D and FULLY_CONNECTED.
struct Requantizer {
  let outputZeroPoint: Int32
  let activationMin: Int32
  let activationMax: Int32

  /// `clamp(MultiplyByQuantizedMultiplier(acc) + zp_out)` as TFLM computes it.
  @inline(__always)
  func int8(_ accumulator: Int32, multiplier: Int32, shift: Int32) -> Int8 {
    var value = FixedPoint.multiply(accumulator, by: multiplier, shift: shift) &+ outputZeroPoint
    value = Swift.max(value, activationMin)
    value = Swift.min(value, activationMax)
    return Int8(truncatingIfNeeded: value)
  }
}
