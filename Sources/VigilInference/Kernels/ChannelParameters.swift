/// Per-output-channel constants of a matrix kernel (CONV_2D, DEPTHWISE_CONV_2D,
/// FULLY_CONNECTED) in one allocation made at load, and the requantization they drive.
///
/// - The bias has `−zp_in × Σ w` folded in, so inner loops multiply raw int8 values; the sum
///   equals TFLM's `Σ w·(x − zp_in) + bias` modulo 2^32.
/// - Requantization is TFLM's `MultiplyByQuantizedMultiplier` with double rounding, `+ zp_out`
///   and the activation clamp, in a branch-free form LLVM vectorizes across channels:
///   `x · 2^left` (wrapping, as the C++ does in practice), then `SaturatingRoundingDoublingHighMul`
///   as `(p + nudge) / 2^31` on the int64 product with the truncating division written as an
///   arithmetic shift of `p + nudge` biased by `2^31 − 1` when negative, then
///   `RoundingDivideByPOT` by `right`. The one saturating case of the high multiply needs a
///   multiplier of −2^31, which `QuantizeMultiplier` never produces for a positive scale, so
///   negative multipliers (and shifts outside [−31, 30]) are refused at load instead of tested
///   per element.
///
/// The constants take 9 bytes per channel (bias, multiplier, shift) in one allocation, owned by
/// the kernel that holds this value.
struct ChannelParameters: ~Copyable {
  /// Number of channels.
  let count: Int
  /// Output zero point.
  let outputZeroPoint: Int32
  /// Lowest output value (activation clamp).
  let activationMin: Int32
  /// Highest output value (activation clamp).
  let activationMax: Int32
  /// `[bias | multiplier]` as int32, `count` values each, then `count` int8 shifts.
  private let storage: UnsafeMutableRawPointer

  /// Bias with `−zp_in × Σ w[c]` folded in, per channel.
  var bias: UnsafePointer<Int32> { UnsafePointer(storage.assumingMemoryBound(to: Int32.self)) }
  private var multipliers: UnsafePointer<Int32> { bias + count }
  private var shifts: UnsafePointer<Int8> {
    UnsafePointer((storage + 8 * count).assumingMemoryBound(to: Int8.self))
  }

  /// Computes the constants for `count` channels. Channel `c`'s filter elements are
  /// `filter[c·rowStride + i·elementStride]` for `i` in `0..<rowLength`.
  ///
  /// - Throws: `.invalidQuantization` when a channel's multiplier is negative or its shift lies
  ///   outside [−31, 30] (scale ratios no real model has).
  init(
    count: Int, filter: UnsafePointer<Int8>, rowLength: Int, rowStride: Int, elementStride: Int = 1,
    bias: UnsafeRawPointer?, inputZeroPoint: Int32, multipliers: ChannelMultipliers,
    outputZeroPoint: Int32, activationMin: Int32, activationMax: Int32, context: PrepareContext
  ) throws(ModelError) {
    for c in 0..<count
    where multipliers.multipliers[c] < 0 || multipliers.shifts[c] < -31
      || multipliers.shifts[c] > 30
    {
      throw context.error(
        .invalidQuantization,
        "channel \(c): input, filter and output scales give requantization multiplier \(multipliers.multipliers[c]) "
          + "with shift \(multipliers.shifts[c]), outside what TFLite's arithmetic expresses")
    }
    self.count = count
    self.outputZeroPoint = outputZeroPoint
    self.activationMin = activationMin
    self.activationMax = activationMax
    storage = UnsafeMutableRawPointer.allocate(
      byteCount: Swift.max(9 * count, 1), alignment: MemoryLayout<Int32>.alignment)
    let words = storage.bindMemory(to: Int32.self, capacity: 2 * count)
    let shifts = (storage + 8 * count).bindMemory(to: Int8.self, capacity: count)
    for channel in 0..<count {
      var sum: Int32 = 0
      let row = filter + channel * rowStride
      for i in 0..<rowLength { sum &+= Int32(row[i * elementStride]) }
      let b =
        bias.map {
          Int32(littleEndian: $0.loadUnaligned(fromByteOffset: 4 * channel, as: Int32.self))
        } ?? 0
      words[channel] = b &- inputZeroPoint &* sum
      words[count + channel] = multipliers.multipliers[channel]
      shifts[channel] = Int8(multipliers.shifts[channel])
    }
  }

  deinit { storage.deallocate() }

  /// Requantization multiplier of channel `c`.
  @inline(__always)
  func multiplier(_ c: Int) -> Int32 { multipliers[c] }

  /// Requantization shift of channel `c` (positive: left).
  @inline(__always)
  func shift(_ c: Int) -> Int8 { shifts[c] }

  /// Requantizes accumulator `x` of channel `c` to int8.
  @inline(__always)
  func requantize(_ x: Int32, channel c: Int) -> Int8 {
    Self.requantize(
      x, multiplier: multipliers[c], shift: Int32(shifts[c]),
      zeroPoint: outputZeroPoint, low: activationMin, high: activationMax)
  }

  /// Requantizes the accumulators of channels `first..<first + width` (read from `acc[0..<width]`)
  /// into `out[0..<width]`.
  @inline(__always)
  func requantize(
    _ acc: UnsafePointer<Int32>, channels first: Int, width: Int,
    into out: UnsafeMutablePointer<Int8>
  ) {
    let multipliers = self.multipliers + first
    let shifts = self.shifts + first
    let zeroPoint = outputZeroPoint
    let low = activationMin
    let high = activationMax
    for c in 0..<width {
      out[c] = Self.requantize(
        acc[c], multiplier: multipliers[c], shift: Int32(shifts[c]), zeroPoint: zeroPoint,
        low: low, high: high)
    }
  }

  /// Requantizes one accumulator per channel for every channel.
  @inline(__always)
  func requantize(_ acc: UnsafePointer<Int32>, into out: UnsafeMutablePointer<Int8>) {
    requantize(acc, channels: 0, width: count, into: out)
  }

  /// The branch-free requantization of one value with TFLite's multiplier and shift (also for
  /// tests that compare it with ``FixedPoint/multiply(_:by:shift:)``).
  @inline(__always)
  static func requantize(
    _ x: Int32, multiplier: Int32, shift: Int32, zeroPoint: Int32, low: Int32, high: Int32
  ) -> Int8 {
    let value = VectorFixedPoint.multiply(x, by: multiplier, shift: shift) &+ zeroPoint
    return Int8(truncatingIfNeeded: Swift.min(Swift.max(value, low), high))
  }
}
