/// Windowed operators on inputs of at most 16 channels (DEPTHWISE_CONV_2D, see
/// ``DepthwiseConv2DRowsKernel``), computed for blocks of neighbouring output pixels, 16 lanes at
/// a time.
///
/// With few channels a per-pixel loop over channels is mostly loop overhead, so a block lays out
/// `P = 16 / C` output pixels × `C` channels as 16 lanes. For each filter tap the block's input
/// lanes must then be 16 contiguous bytes, so every input row the taps read is laid out as they
/// see it:
/// - *in place*: stride 1 along the width and no horizontal padding: the input row itself
///   (rows whose 16-byte reads would pass the end of the input are copied instead);
/// - otherwise a *row copy*: padding pixels (``padValue``) for horizontal padding, and for a
///   width stride `s` the pixels split into `s` phases (pixels `r, r + s, r + 2s, …` together),
///   so the pixels one tap reads for consecutive outputs are adjacent. Each input row is copied
///   once per invoke: all rows of an image before its first output row when they fit in
///   ``stackBytes`` (or in as few rows as the window spans), else into a ring of a power of two
///   rows as the window reaches them.
/// Rows above or below the image read a row of padding pixels.
///
/// The copies live on the stack when they fit in ``stackBytes`` (a fixed, uninitialized
/// allocation), otherwise in arena scratch. Lanes past a block's last output pixel read bytes
/// the row holds beyond it (never outside the input or the row buffer) and are discarded by the
/// kernels.
struct PixelBlocks {
  /// The most input channels blocks take; kernels fall back to per-pixel loops beyond.
  static let maximumDepth = 16
  /// The widest filter blocks take (``tapOffsets`` has one entry per filter column).
  static let maximumFilterWidth = 16
  /// The most filter taps blocks take (the tap pointers in the caller's ``StackScratch``).
  static let maximumTaps = 64
  /// The most row copies a ring holds.
  static let maximumRingRows = 16
  /// The stack bytes for the padding row and copies (and for ``StackScratch``): small enough
  /// that Swift's temporary allocation always takes them from the stack.
  static let stackBytes = 1024

  /// The NHWC input's sizes.
  var batches: Int32 = 0, inputHeight: Int32 = 0, inputWidth: Int32 = 0, depth: Int32 = 0
  /// The output's height and width.
  var outputHeight: Int32 = 0, outputWidth: Int32 = 0
  /// The window: filter size, strides, vertical dilation (the horizontal one is in
  /// ``tapOffsets``) and leading padding.
  var filterHeight: Int32 = 0, filterWidth: Int32 = 0
  var strideHeight: Int32 = 0, strideWidth: Int32 = 0, dilationHeight: Int32 = 0
  var padTop: Int32 = 0, padLeft: Int32 = 0
  /// Output pixels per block (`16 / depth`) and blocks per output row.
  var pixels: Int32 = 0, blocks: Int32 = 0
  /// Input pixels a row copy holds (padding included) and its size.
  var paddedWidth: Int32 = 0, rowBytes: Int32 = 0
  /// For the phases of a row copy, as quotient and remainder by the stride (phase `r` has
  /// `q + (r < rem ? 1 : 0)`): its pixels, those before the image's end, and those before the
  /// image's start.
  var phasePixels: (Int32, Int32) = (0, 0)
  var phaseEnd: (Int32, Int32) = (0, 0)
  var phaseStart: (Int32, Int32) = (0, 0)
  /// Row copies kept: every row of an image (copied before its first output row), or a ring of
  /// a power of two rows, copied as the window reaches them; 0 when every row is read in place.
  var copies: Int32 = 0
  /// Whether ``copies`` holds every row of an image rather than a ring.
  var copiesAllRows = false
  /// Rows (counted over all batches) the taps read in place; the rest are copied.
  var directRows: Int32 = 0
  /// Whether the rows start with a row of padding pixels.
  var paddingRow = false
  /// Whether the padding row and copies live on the stack rather than in arena scratch.
  var rowsOnStack = false
  /// The value padding pixels read as.
  var padValue: Int8 = 0
  /// Byte offset of filter column `fx`'s first pixel in a row as the taps read it.
  var tapOffsets = InlineArray<16, Int32>(repeating: 0)

  /// Plans blocks for an NHWC input and window, or `nil` outside the limits above.
  init?(
    batches: Int, inputHeight: Int, inputWidth: Int, depth: Int, outputHeight: Int,
    outputWidth: Int, filterHeight: Int, filterWidth: Int, strideHeight: Int, strideWidth: Int,
    dilationHeight: Int, dilationWidth: Int, padTop: Int, padLeft: Int, padValue: Int8
  ) {
    let span = (filterHeight - 1) * dilationHeight + 1
    guard depth <= Self.maximumDepth, filterWidth <= Self.maximumFilterWidth,
      filterHeight * filterWidth <= Self.maximumTaps
    else { return nil }
    let pixels = 16 / depth
    let blocks = (outputWidth + pixels - 1) / pixels
    let paddedWidth = (outputWidth - 1) * strideWidth + (filterWidth - 1) * dilationWidth + 1
    let direct = strideWidth == 1 && padLeft == 0 && paddedWidth <= inputWidth

    // Phase r of a row copy holds padded pixels u = r + q·s, ⌈(paddedWidth − r) / s⌉ of them;
    // the image's are those with padLeft ≤ u < padLeft + inputWidth.
    func phaseOffset(_ phase: Int) -> Int {
      var start = 0
      for r in 0..<phase {
        start += Swift.max(0, (paddedWidth - r + strideWidth - 1) / strideWidth) * depth
      }
      return start
    }
    var farthestTap = 0
    for fx in 0..<filterWidth {
      let o = fx * dilationWidth
      let offset = direct ? o * depth : phaseOffset(o % strideWidth) + (o / strideWidth) * depth
      tapOffsets[fx] = Int32(offset)
      farthestTap = Swift.max(farthestTap, offset)
    }
    // The farthest byte a block reads past a row's start; a copy also has room for its last
    // pixel stored 16 bytes wide.
    let reach = farthestTap + (blocks - 1) * pixels * depth + 16
    let rowBytes = (Swift.max(reach, paddedWidth * depth + 16) + 15) / 16 * 16
    let rows = batches * inputHeight
    let rowSize = inputWidth * depth
    var directRows = 0
    if direct, rows * rowSize >= reach {
      directRows = Swift.min(rows, (rows * rowSize - reach) / rowSize + 1)
    }
    // Rows above or below the image read one row of padding pixels.
    let padding = padTop > 0 || (outputHeight - 1) * strideHeight + span - padTop > inputHeight
    var ring = 1
    while ring < Swift.min(span, inputHeight) { ring *= 2 }
    let allRows =
      inputHeight <= ring || (inputHeight + (padding ? 1 : 0)) * rowBytes <= Self.stackBytes
    guard allRows || ring <= Self.maximumRingRows else { return nil }
    let copies = directRows == rows ? 0 : (allRows ? inputHeight : ring)
    let rowsBytes = ((padding ? 1 : 0) + copies) * rowBytes
    guard rowsBytes <= 1 << 24 else { return nil }

    self.batches = Int32(batches)
    self.inputHeight = Int32(inputHeight)
    self.inputWidth = Int32(inputWidth)
    self.depth = Int32(depth)
    self.outputHeight = Int32(outputHeight)
    self.outputWidth = Int32(outputWidth)
    self.filterHeight = Int32(filterHeight)
    self.filterWidth = Int32(filterWidth)
    self.strideHeight = Int32(strideHeight)
    self.strideWidth = Int32(strideWidth)
    self.dilationHeight = Int32(dilationHeight)
    self.padTop = Int32(padTop)
    self.padLeft = Int32(padLeft)
    self.pixels = Int32(pixels)
    self.blocks = Int32(blocks)
    self.paddedWidth = Int32(paddedWidth)
    self.rowBytes = Int32(rowBytes)
    // ⌈(n − r) / s⌉ = ⌊n / s⌋ + (r < n mod s ? 1 : 0) for 0 ≤ r < s and n ≥ 0.
    func split(_ n: Int) -> (Int32, Int32) {
      let m = Swift.max(0, n)
      return (Int32(m / strideWidth), Int32(m % strideWidth))
    }
    phasePixels = split(paddedWidth)
    phaseEnd = split(Swift.min(paddedWidth, padLeft + inputWidth))
    phaseStart = split(Swift.min(paddedWidth, padLeft))
    self.copies = Int32(copies)
    copiesAllRows = allRows
    self.directRows = Int32(directRows)
    paddingRow = padding
    self.padValue = padValue
    rowsOnStack = rowsBytes <= Self.stackBytes
  }

  /// Bytes of the padding row and the copies.
  var rowsBytes: Int { ((paddingRow ? 1 : 0) + Int(copies)) * Int(rowBytes) }

  /// Arena scratch bytes the blocks need while the operator runs.
  var scratchBytes: Int { rowsOnStack ? 0 : rowsBytes }

  /// Filter taps per window.
  var taps: Int { Int(filterHeight) * Int(filterWidth) }

  /// Calls `body(rowsInImage)` for every output row, batch by batch, with the address of each
  /// tap's first lane for the row's first block at `stack` (`UnsafePointer<Int8>` per tap,
  /// filter row by filter row); `rowsInImage` counts the window's rows inside the image.
  /// `scratch` holds ``scratchBytes``; `stack` is a ``StackScratch``, of which this uses the
  /// first 640 bytes (tap pointers, then tap offsets and ring tags, read through pointers:
  /// indexing an `InlineArray` field copies the array).
  @inline(__always)
  func forEachOutputRow(
    input: UnsafePointer<Int8>, scratch: UnsafeMutablePointer<Int8>,
    stack: UnsafeMutableRawPointer, _ body: (_ rowsInImage: Int) -> Void
  ) {
    if rowsOnStack && rowsBytes > 0 {
      withUnsafeTemporaryAllocation(byteCount: Self.stackBytes, alignment: 16) { rows in
        run(
          input: input, rows: rows.baseAddress!.bindMemory(to: Int8.self, capacity: rows.count),
          stack: stack, body)
      }
    } else {
      run(input: input, rows: scratch, stack: stack, body)
    }
  }

  /// ``forEachOutputRow(input:scratch:stack:_:)`` with the padding row and copies at `rows`.
  @inline(__always)
  private func run(
    input: UnsafePointer<Int8>, rows: UnsafeMutablePointer<Int8>,
    stack: UnsafeMutableRawPointer, _ body: (_ rowsInImage: Int) -> Void
  ) {
    let tapPointers = stack.bindMemory(to: UnsafePointer<Int8>.self, capacity: Self.maximumTaps)
    let offsets = (stack + 8 * Self.maximumTaps).bindMemory(to: Int32.self, capacity: 16)
    let ringRow = (stack + 8 * Self.maximumTaps + 64).bindMemory(
      to: Int32.self, capacity: Self.maximumRingRows)
    let depth = Int(self.depth)
    let (inputHeight, inputWidth) = (Int(self.inputHeight), Int(self.inputWidth))
    let (filterHeight, filterWidth) = (Int(self.filterHeight), Int(self.filterWidth))
    let rowBytes = Int(self.rowBytes)
    let directRows = Int(self.directRows)
    let copiesAllRows = self.copiesAllRows
    let mask = Int(copies) &- 1
    let paddingRow = UnsafePointer(rows)
    let copies = rows + (self.paddingRow ? rowBytes : 0)
    if self.paddingRow { rows.update(repeating: padValue, count: rowBytes) }
    withUnsafeBytes(of: tapOffsets) {
      UnsafeMutableRawPointer(offsets).copyMemory(from: $0.baseAddress!, byteCount: 64)
    }
    let inputEnd = input + Int(batches) &* inputHeight &* inputWidth &* depth
    for batch in 0..<Int(batches) {
      let image = input + batch &* inputHeight &* inputWidth &* depth
      let firstCopied = Swift.max(0, directRows &- batch &* inputHeight)
      if copiesAllRows {
        var y = firstCopied
        while y < inputHeight {
          copyRow(
            image + y &* inputWidth &* depth, into: copies + y &* rowBytes, inputEnd: inputEnd)
          y &+= 1
        }
      } else {
        // The input row each ring slot holds (none yet for a new image).
        for slot in 0..<Int(self.copies) { ringRow[slot] = -1 }
      }
      for outY in 0..<Int(outputHeight) {
        let originY = outY &* Int(strideHeight) &- Int(padTop)
        var tap = 0
        var rowsInImage = 0
        for fy in 0..<filterHeight {
          let y = originY &+ fy &* Int(dilationHeight)
          var row = paddingRow
          if y >= 0 && y < inputHeight {
            rowsInImage &+= 1
            if y < firstCopied {
              row = image + y &* inputWidth &* depth
            } else if copiesAllRows {
              row = UnsafePointer(copies + y &* rowBytes)
            } else {
              let slot = y & mask
              let copy = copies + slot &* rowBytes
              if ringRow[slot] != Int32(truncatingIfNeeded: y) {
                copyRow(image + y &* inputWidth &* depth, into: copy, inputEnd: inputEnd)
                ringRow[slot] = Int32(truncatingIfNeeded: y)
              }
              row = UnsafePointer(copy)
            }
          }
          for fx in 0..<filterWidth {
            tapPointers[tap] = row + Int(offsets[fx])
            tap &+= 1
          }
        }
        body(rowsInImage)
      }
    }
  }

  /// Lays input row `source` out as the taps read it (see the type's documentation), phase by
  /// phase. Pixels are moved 16 bytes at a time where that stays inside the input: a store's
  /// extra bytes only reach bytes written later (or the row's slack).
  @inline(__always)
  private func copyRow(
    _ source: UnsafePointer<Int8>, into copy: UnsafeMutablePointer<Int8>,
    inputEnd: UnsafePointer<Int8>
  ) {
    let depth = Int(self.depth)
    let width = Int(inputWidth)
    let stride = Int(strideWidth)
    let padding = SIMD16<Int8>(repeating: padValue)
    var destination = copy
    @inline(__always) func pad(_ count: Int) {
      for _ in 0..<count {
        UnsafeMutableRawPointer(destination).storeBytes(of: padding, as: SIMD16<Int8>.self)
        destination += depth
      }
    }
    @inline(__always) func phase(_ split: (Int32, Int32), _ r: Int) -> Int {
      Int(split.0) &+ (r < Int(split.1) ? 1 : 0)
    }
    if stride == 1 {
      let before = Int(phaseStart.0)
      let end = Int(phaseEnd.0)
      pad(before)
      let bytes = (end &- before) &* depth
      if source + ((bytes &+ 15) & ~15) <= inputEnd {
        var i = 0
        while i < bytes {
          UnsafeMutableRawPointer(destination + i).storeBytes(
            of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<Int8>.self),
            as: SIMD16<Int8>.self)
          i &+= 16
        }
      } else {
        destination.update(from: source, count: bytes)
      }
      destination += bytes
      pad(Int(phasePixels.0) &- end)
      return
    }
    // Reading 16 bytes from the row's last pixel must stay in the input.
    let wide = source + ((width &- 1) &* depth &+ 16) <= inputEnd
    let step = stride &* depth
    let padLeft = Int(self.padLeft)
    for r in 0..<stride {
      let before = phase(phaseStart, r)
      let end = phase(phaseEnd, r)
      pad(before)
      // The phase's first image pixel: u = r + before·s, x = u − padLeft.
      var pixel = source + (r &+ before &* stride &- padLeft) &* depth
      if wide {
        for _ in before..<end {
          UnsafeMutableRawPointer(destination).storeBytes(
            of: UnsafeRawPointer(pixel).loadUnaligned(as: SIMD16<Int8>.self),
            as: SIMD16<Int8>.self)
          destination += depth
          pixel += step
        }
      } else {
        for _ in before..<end {
          for c in 0..<depth { destination[c] = pixel[c] }
          destination += depth
          pixel += step
        }
      }
      pad(phase(phasePixels, r) &- end)
    }
  }

  /// Stores the first `count` lanes of `lanes` at `destination`, all 16 when that stays before
  /// `end` (the extra bytes belong to outputs written later).
  @inline(__always)
  static func store(
    _ lanes: SIMD16<Int8>, count: Int, at destination: UnsafeMutablePointer<Int8>,
    end: UnsafeMutablePointer<Int8>
  ) {
    if destination + 16 <= end {
      UnsafeMutableRawPointer(destination).storeBytes(of: lanes, as: SIMD16<Int8>.self)
    } else {
      for i in 0..<count { destination[i] = lanes[i] }
    }
  }
}
