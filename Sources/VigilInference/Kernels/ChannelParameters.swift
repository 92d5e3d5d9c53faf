/// Per-output-channel constants of a matrix kernel in one allocation, made at load:
/// the bias with the input zero point folded in, and the requantization multiplier and shift.
///
/// Folding `−zp_in × Σ w` into the bias lets the inner loop multiply raw int8 values; the
/// result is identical to TFLM's `Σ w·(x − zp_in) + bias` modulo 2^32.
final class ChannelParameters {
  /// Number of channels.
  let count: Int
  private let storage: UnsafeMutablePointer<Int32>

  /// Bias with `−zp_in × Σ w[c]` folded in, per channel.
  var bias: UnsafePointer<Int32> { UnsafePointer(storage) }
  /// Q31 requantization multiplier per channel.
  var multipliers: UnsafePointer<Int32> { UnsafePointer(storage + count) }
  /// Requantization shift per channel.
  var shifts: UnsafePointer<Int32> { UnsafePointer(storage + 2 * count) }

  /// Computes the parameters for `count` channels whose filter rows are `rowLength` int8 values
  /// apart in `filter` (each row summed over `rowLength` elements, starting `rowStride` apart).
  init(
    count: Int, filter: UnsafePointer<Int8>, rowLength: Int, rowStride: Int, elementStride: Int = 1,
    bias: UnsafeRawPointer?, inputZeroPoint: Int32, multipliers: ChannelMultipliers
  ) {
    self.count = count
    storage = UnsafeMutablePointer<Int32>.allocate(capacity: 3 * count)
    for channel in 0..<count {
      var sum: Int32 = 0
      let row = filter + channel * rowStride
      for i in 0..<rowLength { sum &+= Int32(row[i * elementStride]) }
      let b =
        bias.map {
          Int32(littleEndian: $0.loadUnaligned(fromByteOffset: 4 * channel, as: Int32.self))
        } ?? 0
      storage[channel] = b &- inputZeroPoint &* sum
      storage[count + channel] = multipliers.multipliers[channel]
      storage[2 * count + channel] = multipliers.shifts[channel]
    }
  }

  deinit { storage.deallocate() }
}
