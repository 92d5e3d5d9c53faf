/// Requantizes a row of int32 accumulators, one multiplier and shift per channel, to int8 in a
/// branch-free form LLVM can vectorize across channels (AArch64 NEON: `smull`, `sshl`).
///
/// Each channel computes exactly ``Requantizer/int8(_:multiplier:shift:)``, TFLM's
/// `MultiplyByQuantizedMultiplier` with double rounding, `+ zp_out` and the activation clamp:
/// - `x · 2^left` (wrapping, as the C++ does in practice);
/// - `SaturatingRoundingDoublingHighMul`: `(p + nudge) / 2^31` on the int64 product, the
///   truncating division written as an arithmetic shift of `p + nudge` biased by `2^31 − 1` when
///   negative. Its one saturating case needs a multiplier of −2^31, which `QuantizeMultiplier`
///   never produces (multipliers of positive scales are 0 or in [2^30, 2^31)), so such a
///   multiplier is refused at construction instead of tested per element;
/// - `RoundingDivideByPOT` by `right` with the mask and threshold precomputed per channel.
final class ChannelRequantizer {
  /// Number of channels.
  let count: Int
  private let outputZeroPoint: Int32, activationMin: Int32, activationMax: Int32
  /// `[multiplier | 2^left | right | 2^right − 1]`, `count` values each.
  private let storage: UnsafeMutablePointer<Int32>

  /// Precomputes the per-channel constants of `count` channels; `nil` when a multiplier is
  /// negative or a shift lies outside [−31, 30] (scales no real model has).
  init?(
    multipliers: UnsafePointer<Int32>, shifts: UnsafePointer<Int32>, count: Int,
    outputZeroPoint: Int32, activationMin: Int32, activationMax: Int32
  ) {
    for c in 0..<count where multipliers[c] < 0 || shifts[c] < -31 || shifts[c] > 30 {
      return nil
    }
    self.count = count
    self.outputZeroPoint = outputZeroPoint
    self.activationMin = activationMin
    self.activationMax = activationMax
    storage = .allocate(capacity: 4 * count)
    for c in 0..<count {
      let shift = shifts[c]
      let left = shift > 0 ? shift : 0
      let right = shift > 0 ? 0 : -shift
      storage[c] = multipliers[c]
      storage[count + c] = Int32(1) << left
      storage[2 * count + c] = right
      storage[3 * count + c] = Int32(truncatingIfNeeded: (Int64(1) << Int64(right)) - 1)
    }
  }

  deinit { storage.deallocate() }

  /// `out[c] = clamp(MultiplyByQuantizedMultiplier(acc[c]) + zp_out)` for every channel.
  @inline(__always)
  func requantize(_ acc: UnsafePointer<Int32>, into out: UnsafeMutablePointer<Int8>) {
    let multipliers = UnsafePointer(storage)
    let factors = UnsafePointer(storage + count)
    let rights = UnsafePointer(storage + 2 * count)
    let masks = UnsafePointer(storage + 3 * count)
    let zeroPoint = outputZeroPoint
    let low = activationMin
    let high = activationMax
    for c in 0..<count {
      let x = acc[c] &* factors[c]
      let product = Int64(x) &* Int64(multipliers[c])
      let nudged = product &+ (product >= 0 ? 1 << 30 : 1 - (1 << 30))
      let high32 = Int32(
        truncatingIfNeeded: (nudged &+ ((nudged &>> 63) & 0x7FFF_FFFF)) &>> 31)
      let mask = masks[c]
      let remainder = high32 & mask
      let threshold = (mask &>> 1) &+ ((high32 &>> 31) & 1)
      let scaled = (high32 &>> rights[c]) &+ (remainder > threshold ? 1 : 0)
      let value = scaled &+ zeroPoint
      out[c] = Int8(truncatingIfNeeded: Swift.min(Swift.max(value, low), high))
    }
  }
}
