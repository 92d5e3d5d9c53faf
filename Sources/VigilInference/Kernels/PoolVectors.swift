/// The pooling loop for inputs of at most 16 channels: each output pixel's channels are the
/// lanes of one 16-byte vector, so a window tap is one 16-byte load (the lanes past the pixel's
/// channels read its neighbours and are discarded), and the result is stored 16 bytes wide
/// where the extra bytes belong to outputs written later.
///
/// Nothing outside the tensors is touched: a window whose 16-byte loads would pass the end of
/// the input loads every tap `16 − depth` bytes earlier instead (its channels are then lanes
/// `16 − depth …`), the last outputs are stored channel by channel, and an input of fewer than
/// 16 bytes is pooled channel by channel.
enum PoolVectors {
  /// Channels this loop takes (the vector width).
  static let maximumDepth = 16

  /// Runs every output pixel in order: `vector(first, columns, rows, shift)` returns the lanes
  /// of a window whose taps are read 16 bytes wide from `shift` bytes before each pixel,
  /// `scalar(first, columns, rows, channel)` one channel's result. `first` is the address of
  /// the window's first in-image pixel, `columns` × `rows` its in-image extent.
  @inline(__always)
  static func run(
    _ g: PoolGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
    vector: (_ first: UnsafePointer<Int8>, _ columns: Int, _ rows: Int, _ shift: Int) -> SIMD16<
      Int8
    >,
    scalar: (_ first: UnsafePointer<Int8>, _ columns: Int, _ rows: Int, _ channel: Int) -> Int8
  ) {
    let depth = Int(g.depth)
    let (inputHeight, inputWidth) = (Int(g.inputHeight), Int(g.inputWidth))
    let (outputHeight, outputWidth) = (Int(g.outputHeight), Int(g.outputWidth))
    let rowStride = inputWidth &* depth
    let inputEnd = input + Int(g.batches) &* inputHeight &* rowStride
    let outputEnd = output + Int(g.batches) &* outputHeight &* outputWidth &* depth
    let shifted = 16 &- depth
    var out = output
    for batch in 0..<Int(g.batches) {
      let image = input + batch &* inputHeight &* rowStride
      for outY in 0..<outputHeight {
        let rows = g.rowRange(outY)
        let rowStart = image + rows.lowerBound &* rowStride
        // The window's last row starts here, relative to its first row.
        let lastRow = (rows.count &- 1) &* rowStride
        for outX in 0..<outputWidth {
          let columns = g.columnRange(outX)
          let first = rowStart + columns.lowerBound &* depth
          var shift = 0
          if first + (lastRow &+ (columns.count &- 1) &* depth &+ 16) > inputEnd {
            guard first - shifted >= input else {
              for c in 0..<depth { out[c] = scalar(first, columns.count, rows.count, c) }
              out += depth
              continue
            }
            shift = shifted
          }
          let lanes = vector(first, columns.count, rows.count, shift)
          if shift == 0 && out + 16 <= outputEnd {
            UnsafeMutableRawPointer(out).storeBytes(of: lanes, as: SIMD16<Int8>.self)
          } else {
            withUnsafeBytes(of: lanes) { bytes in
              for c in 0..<depth { out[c] = bytes.load(fromByteOffset: shift &+ c, as: Int8.self) }
            }
          }
          out += depth
        }
      }
    }
  }

  /// Calls `tap(pixel)` for each in-image pixel of a window: `columns` × `rows` pixels from
  /// `first`, pixels `depth` bytes and rows `rowStride` bytes apart.
  @inline(__always)
  static func forEachTap(
    _ first: UnsafePointer<Int8>, columns: Int, rows: Int, depth: Int, rowStride: Int,
    _ tap: (UnsafePointer<Int8>) -> Void
  ) {
    var row = first
    for _ in 0..<rows {
      var pixel = row
      for _ in 0..<columns {
        tap(pixel)
        pixel += depth
      }
      row += rowStride
    }
  }
}
