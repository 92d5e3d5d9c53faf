/// The pooling loop for inputs of at most 16 channels: each output pixel's channels are the
/// lanes of one vector of 4, 8 or 16 bytes (the narrowest that holds them, ``lanes(depth:)``),
/// so a window tap is one vector load (the lanes past the pixel's channels read its neighbours
/// and are discarded), and the result is stored vector-wide where the extra bytes belong to
/// outputs written later.
///
/// Nothing outside the tensors is touched: a window whose vector loads would pass the end of
/// the input loads every tap `width − depth` bytes earlier instead (its channels are then lanes
/// `width − depth …`), the last outputs are stored channel by channel, and an input of fewer
/// than `width` bytes is pooled channel by channel.
///
/// Rows that fit a stack buffer take ``runRows(_:input:output:length:_:)`` instead, which
/// reduces each output row's input rows column by column once and then every window along the
/// buffer, with the padding written into it: each window then has the filter's size.
enum PoolVectors {
  /// Channels this loop takes (the widest vector).
  static let maximumDepth = 16

  /// The vector width, in lanes, for `depth` channels: 4, 8 or 16 (narrower vectors keep the
  /// per-window arithmetic, above all the averages' division, from working on empty lanes).
  static func lanes(depth: Int) -> Int {
    depth <= 4 ? 4 : depth <= 8 ? 8 : 16
  }

  /// Runs every output pixel in order: `vector(first, columns, rows, shift)` returns the lanes
  /// of a window whose taps are read `Lanes.scalarCount` bytes wide from `shift` bytes before
  /// each pixel, `scalar(first, columns, rows, channel)` one channel's result. `first` is the
  /// address of the window's first in-image pixel, `columns` × `rows` its in-image extent.
  @inline(__always)
  static func run<Lanes: SIMD>(
    _ g: PoolGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
    vector: (_ first: UnsafePointer<Int8>, _ columns: Int, _ rows: Int, _ shift: Int) -> Lanes,
    scalar: (_ first: UnsafePointer<Int8>, _ columns: Int, _ rows: Int, _ channel: Int) -> Int8
  ) where Lanes.Scalar == Int8 {
    let width = Lanes.scalarCount
    let depth = Int(g.depth)
    let (inputHeight, inputWidth) = (Int(g.inputHeight), Int(g.inputWidth))
    let (outputHeight, outputWidth) = (Int(g.outputHeight), Int(g.outputWidth))
    let rowStride = inputWidth &* depth
    let inputEnd = input + Int(g.batches) &* inputHeight &* rowStride
    let outputEnd = output + Int(g.batches) &* outputHeight &* outputWidth &* depth
    let shifted = width &- depth
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
          if first + (lastRow &+ (columns.count &- 1) &* depth &+ width) > inputEnd {
            guard first - shifted >= input else {
              for c in 0..<depth { out[c] = scalar(first, columns.count, rows.count, c) }
              out += depth
              continue
            }
            shift = shifted
          }
          let lanes = vector(first, columns.count, rows.count, shift)
          if shift == 0 && out + width <= outputEnd {
            UnsafeMutableRawPointer(out).storeBytes(of: lanes, as: Lanes.self)
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

  /// The `Int32` entries of the row buffer ``runRows(_:input:output:length:_:)``
  /// keeps on the stack (``StackScratch``).
  static let lineCapacity = PixelBlocks.stackBytes / 4

  /// The row buffer entries `g` needs, or 0 when they exceed ``lineCapacity``: the padded
  /// row the windows span (or the image row after the left padding, rounded up to 16 bytes, if
  /// longer), 16 entries beyond it that the last vectors may read, and 16 before it that a
  /// row's sums loaded early may write (``runRows(_:input:output:length:_:)``).
  static func lineLength(_ g: PoolGeometry) -> Int32 {
    let depth = Int(g.depth)
    let spanned = ((Int(g.outputWidth) - 1) * Int(g.strideWidth) + Int(g.filterWidth)) * depth
    let rowBytes = Int(g.inputWidth) * depth
    let written = Int(g.padLeft) * depth + (rowBytes + 15) / 16 * 16
    let length = 16 + Swift.max(spanned, written) + 16
    return length <= lineCapacity ? Int32(length) : 0
  }

  /// Runs the pooling one output row at a time through a row buffer on the stack, for rows
  /// that fit (``lineLength(_:)`` is nonzero, passed as `length`): the window's input rows are
  /// first reduced column by column into the buffer as `Int32` (``PoolReduction/combineRows(_:_:)``
  /// 16 bytes at a time, ``PoolReduction/combineScalar(_:_:)`` for bytes a 16-byte load would
  /// read past the input's end), between ``PoolReduction/padding`` entries for the padded
  /// columns; then each output pixel reduces the window's columns of the buffer
  /// (``PoolReduction/combine(_:_:)``, `Wide.scalarCount` channels at a time) and
  /// ``PoolReduction/finish(_:count:)`` turns the result into its lanes.
  ///
  /// Every window then has the filter's size, so the per-pixel loops run the same number of
  /// taps and compute no ranges. Nothing outside the tensors is touched: the buffer reads
  /// stay within `length` entries, every one of which is written before it is read, and the
  /// last outputs are stored channel by channel.
  @inline(__always)
  static func runRows<Reduction: PoolReduction>(
    _ g: PoolGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
    length: Int, _ reduction: Reduction
  ) {
    typealias Lanes = Reduction.Lanes
    typealias Wide = Reduction.Wide
    let padding = reduction.padding
    let width = Lanes.scalarCount
    let depth = Int(g.depth)
    let (inputHeight, inputWidth) = (Int(g.inputHeight), Int(g.inputWidth))
    let (outputHeight, outputWidth) = (Int(g.outputHeight), Int(g.outputWidth))
    let (strideWidth, filterWidth) = (Int(g.strideWidth), Int(g.filterWidth))
    let rowStride = inputWidth &* depth
    let inputEnd = input + Int(g.batches) &* inputHeight &* rowStride
    let outputEnd = output + Int(g.batches) &* outputHeight &* outputWidth &* depth
    // Buffer entries: [0, left) left padding, then the image's columns, then padding; the
    // entries outside the image's columns are only ever written with padding.
    let left = Int(g.padLeft) &* depth
    let step = strideWidth &* depth
    StackScratch.with { raw in
      let buffer = raw.bindMemory(to: Int32.self, capacity: lineCapacity)
      buffer.initialize(repeating: padding, count: length)
      let line = buffer + 16
      var out = output
      for batch in 0..<Int(g.batches) {
        let image = input + batch &* inputHeight &* rowStride
        for outY in 0..<outputHeight {
          let rows = g.rowRange(outY)
          let top = image + rows.lowerBound &* rowStride
          let bottom = top + (rows.count &- 1) &* rowStride
          var b = 0
          while b < rowStride {
            // 16 bytes that would pass the input's end are loaded as far earlier (less than
            // 16 bytes, so this row's bytes from `b` on are among them): they recompute sums
            // the buffer holds, or reach before the image's first column.
            var at = Swift.min(b, (inputEnd - bottom) &- 16)
            // A row that fits one vector with its left padding is loaded from the padding's
            // start, so that the buffer's first 16 entries are one store (a window load
            // spanning two recent stores waits for them to reach the cache).
            if at == 0 && left &+ rowStride <= 16 && top - left >= input { at = 0 &- left }
            if top + at >= input {
              var window = Self.widen(top + at)
              var row = top + (at &+ rowStride)
              for _ in 1..<rows.count {
                window = reduction.combineRows(window, Self.widen(row))
                row += rowStride
              }
              // Entries outside the image's columns (at `c < 0` or `c ≥ rowStride`) keep the
              // padding: `keep` is −1 where `c − rowStride` is negative and `c` is not.
              let c =
                SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
                &+ SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: at))
              let keep =
                ((c &- SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: rowStride))) & ~c) &>> 31
              window = (window & keep) | (SIMD16<Int32>(repeating: padding) & ~keep)
              UnsafeMutableRawPointer(line + (left &+ at)).storeBytes(
                of: window, as: SIMD16<Int32>.self)
            } else {
              for j in b..<Swift.min(b &+ 16, rowStride) {
                var window = Int32(top[j])
                var row = top + (j &+ rowStride)
                for _ in 1..<rows.count {
                  window = reduction.combineScalar(window, Int32(row[0]))
                  row += rowStride
                }
                line[left &+ j] = window
              }
            }
            b &+= 16
          }
          var origin = 0 &- Int(g.padLeft)
          var column = UnsafePointer(line)
          for _ in 0..<outputWidth {
            var window = UnsafeRawPointer(column).loadUnaligned(as: Wide.self)
            var tap = column + depth
            for _ in 1..<filterWidth {
              window = reduction.combine(window, UnsafeRawPointer(tap).loadUnaligned(as: Wide.self))
              tap += depth
            }
            let columns =
              Swift.min(inputWidth, origin &+ filterWidth) &- Swift.max(0, origin)
            let lanes = reduction.finish(window, count: rows.count &* columns)
            if out + width <= outputEnd {
              UnsafeMutableRawPointer(out).storeBytes(of: lanes, as: Lanes.self)
            } else {
              withUnsafeBytes(of: lanes) { bytes in
                for c in 0..<depth { out[c] = bytes.load(fromByteOffset: c, as: Int8.self) }
              }
            }
            out += depth
            origin &+= strideWidth
            column += step
          }
        }
      }
    }
  }

  /// The 16 bytes from `x`, sign-extended to `Int32` lanes.
  @inline(__always)
  static func widen(_ x: UnsafePointer<Int8>) -> SIMD16<Int32> {
    var values = SIMD16<Int32>()
    for i in 0..<16 { values[i] = Int32(x[i]) }
    return values
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

/// How ``PoolVectors/runRows(_:input:output:length:_:)`` reduces windows: a combination of
/// `Int32` lanes that ``padding`` never changes (0 for sums, −128 for maxima), and the final
/// step from a window's combination to its output lanes.
protocol PoolReduction {
  /// The output lanes of one pixel.
  associatedtype Lanes: SIMD where Lanes.Scalar == Int8
  /// One pixel's combined window, as many lanes as `Lanes`.
  associatedtype Wide: SIMD where Wide.Scalar == Int32
  /// The value of the padded columns.
  var padding: Int32 { get }
  /// Combines two pixels' lanes.
  func combine(_ a: Wide, _ b: Wide) -> Wide
  /// Combines 16 bytes of two rows.
  func combineRows(_ a: SIMD16<Int32>, _ b: SIMD16<Int32>) -> SIMD16<Int32>
  /// Combines one byte of two rows.
  func combineScalar(_ a: Int32, _ b: Int32) -> Int32
  /// The output lanes of a window combined to `window` over `count` in-image pixels.
  func finish(_ window: Wide, count: Int) -> Lanes
}
