/// CONV_2D's planar variant, for convolutions on few channels (at most 16 in, 32 out) over a
/// small image, with a row stride of at most 2: the case where the outer product's runs of
/// filter taps are only a few bytes long and its per-tap bookkeeping costs more than the
/// multiply-adds.
///
/// Each image is copied once, as float32, into one plane per input channel and stride phase,
/// with the padding filled with the input zero point (which the folded bias cancels). In a
/// plane, the output pixels of a row are consecutive and a filter tap is a fixed offset, so
/// sixteen consecutive output positions read one unaligned vector per tap and input channel,
/// which is multiplied by eight output channels' weights (broadcast) into eight accumulators
/// (a last block of fewer channels multiplies only its own).
/// Output positions are numbered across the plane's full width (`(y · planeWidth + x)`), so a
/// vector runs on into the next output row instead of stopping at the row's end; the positions
/// past an output row's last pixel are computed and not stored (unless chunks start at each
/// output row, ``Layout/rowAlignedChunks``, where that computes fewer positions).
///
/// Arithmetic is exact, as in ``OuterProduct``: every product has |x·w| ≤ 2^14, and with at most
/// ``maximumDepth`` (256) of them per sum, every partial sum is an integer of magnitude ≤ 2^22,
/// which float32 represents exactly; adding 1.5 · 2^23 then leaves the sum in the low bits of
/// the significand, so the conversion to int32 is one add and one subtract per 16 lanes.
///
/// Stride phases: with stride `s`, input column `x` goes to phase `x mod s`, column `x / s`,
/// so output column `o` and tap offset `a = f · dilation` read phase `a mod s` at column
/// `o + a / s`, consecutive in `o` whatever the stride.
///
/// Memory: the planes (at most ``planeCapacity`` floats, 80 KiB), the float weights (at most
/// ``weightCapacity``, 32 KiB) and the tap offsets (1 KiB) are on the stack, in buffers sized
/// by class so a small convolution writes a few KiB; nothing in the arena. The classes are
/// inlined, so the frames reserve about 170 KiB of stack per call whatever the size (`run`'s
/// frame 85 KiB and the one holding the planes 81 KiB, read from the release build's
/// `sub rsp`; out of line they measured 3–7% slower). The variant runs only where the outer
/// product would (x86-64), not on the boards' small stacks.
enum PlanarConvolution {
  /// Output positions computed at once (float32 lanes).
  static let lanes = 16
  /// Output channels accumulated at once.
  static let channelBlock = 8
  /// Most input channels the variant takes (with more, the outer product's runs are long).
  static let maximumInputDepth = 16
  /// Most output channels the variant takes.
  static let maximumOutputDepth = 32
  /// More than 8 input or 24 output channels are taken only from this many output pixels on
  /// (4 × 5 pixels × 32 channels ran 2.95 µs here against the outer product's 1.92 µs; the
  /// 1M-MAC model's 32 × 32 × 8 → 16 and 32 × 32 × 16 → 32 convolutions ran faster).
  static let manyChannelsMinimumPixels = 64
  /// Longest reduction (`filterHeight × filterWidth × inputDepth`): the sums stay within ±2^22.
  static let maximumDepth = 256
  /// Floats of the weight table (`depth × 8` per block of eight output channels): 32 KiB.
  static let weightCapacity = 8192
  /// Floats of a stack buffer `withUnsafeTemporaryAllocation` keeps on the stack without a
  /// run-time check (1 KiB; a larger request may go to the heap, so larger buffers here are
  /// fixed-size arrays, filled whole on each invoke).
  static let temporaryFloats = 256
  /// Floats of the planes: 80 KiB of stack (the 1M-MAC model's 32 × 32 × 16 image at stride
  /// 2 takes 19,520).
  static let planeCapacity = 20480

  /// Where the planes and output positions of a convolution lie; computed from its geometry.
  struct Layout {
    /// Rows of each plane.
    var planeHeight = 0
    /// Columns of each plane (and the stride between output rows in position numbering).
    var planeWidth = 0
    /// Floats from one plane to the next, with `lanes` floats of slack after the last row for
    /// the final vector's read past the last position.
    var planeStride = 0
    /// Floats of all planes: `strideHeight × strideWidth × inputDepth × planeStride`.
    var planeFloats = 0
    /// Output positions numbered across the plane width, up to the last output pixel.
    var positions = 0
    /// Whether chunks start at each output row (and every sixteen columns in it) rather than
    /// every sixteen positions: fewer chunks when the rows are a multiple of sixteen pixels,
    /// or nearly (32 × 32 pixels in a 34-wide plane: 64 chunks, not 68), as the positions
    /// past each row's end are then never computed.
    var rowAlignedChunks = false

    /// The layout of convolution `g`, or `nil` when the variant does not take it (grouped,
    /// too many channels, too long a reduction, planes larger than the stack buffer, fewer
    /// output pixels per image than lanes, or more than half the computed positions wasted).
    init?(_ g: Conv2DKernel.Geometry) {
      let depth = g.filterHeight * g.filterWidth * g.inputDepth
      let blocks = (g.outputDepth + channelBlock - 1) / channelBlock
      guard g.groups == 1, g.inputDepth <= maximumInputDepth,
        g.outputDepth <= maximumOutputDepth, depth <= maximumDepth,
        depth * blocks * channelBlock <= weightCapacity
      else { return nil }
      let (gridHeight, gridWidth) = g.paddedGrid
      planeHeight = (gridHeight + g.strideHeight - 1) / g.strideHeight
      planeWidth = (gridWidth + g.strideWidth - 1) / g.strideWidth
      planeStride = planeHeight * planeWidth + lanes
      planeFloats = g.strideHeight * g.strideWidth * g.inputDepth * planeStride
      positions = (g.outputHeight - 1) * planeWidth + g.outputWidth
      let chunksPerRow = (g.outputWidth + lanes - 1) / lanes
      rowAlignedChunks = g.outputHeight * chunksPerRow < (positions + lanes - 1) / lanes
      // Below 16 output pixels the fixed cost per invoke (tables, planes) is not repaid: 7
      // pixels × 3 channels took 207 ns here against the outer product's 147 ns. A row stride
      // of 2 was measured faster (641 against 761 ns on 9×7×2 → 5×4×4); larger ones (more
      // phases, fewer rows in each) were not measured and stay with the outer product. Many
      // channels need many pixels (see ``manyChannelsMinimumPixels``).
      let pixels = g.outputHeight * g.outputWidth
      let manyChannels = g.inputDepth > 8 || g.outputDepth > 24
      guard planeFloats <= planeCapacity, pixels >= lanes, 2 * pixels >= positions,
        g.strideHeight <= 2, !manyChannels || pixels >= manyChannelsMinimumPixels
      else {
        return nil
      }
    }
  }

  /// Runs convolution `g` on every image of `input` into `output`. `filter` is transposed to
  /// `[tap][input channel][output channel]` (as for the outer product); `channels` holds the
  /// folded bias and requantization constants.
  @inline(never)
  static func run(
    _ g: Conv2DKernel.Geometry, layout: Layout, input: UnsafePointer<Int8>,
    filter: UnsafePointer<Int8>, inputZeroPoint: Int8, channels: borrowing ChannelParameters,
    output: UnsafeMutablePointer<Int8>
  ) {
    let depth = g.filterHeight * g.filterWidth * g.inputDepth
    let weightFloats = depth * ((g.outputDepth + channelBlock - 1) / channelBlock) * channelBlock
    @inline(__always) func withTables(_ weights: UnsafeMutablePointer<Float>) {
      withUnsafeTemporaryAllocation(of: Int32.self, capacity: maximumDepth) { offsetBuffer in
        let offsets = offsetBuffer.baseAddress!
        fillWeights(g, filter: filter, depth: depth, into: weights)
        fillOffsets(g, layout: layout, into: offsets)
        let zero = Float(inputZeroPoint)
        @inline(__always) func runImages(_ planes: UnsafeMutablePointer<Float>) {
          Self.runImages(
            g, layout: layout, input: input, planes: planes, weights: weights,
            offsets: offsets, depth: depth, channels: channels, output: output)
        }
        // Fixed-size classes, so a small image does not fill the largest buffer.
        switch layout.planeFloats {
        case ...temporaryFloats:
          withUnsafeTemporaryAllocation(of: Float.self, capacity: temporaryFloats) { planes in
            planes.baseAddress!.initialize(repeating: zero, count: layout.planeFloats)
            runImages(planes.baseAddress!)
          }
        case ...1024: withFloats(InlineArray<64, SIMD16<Float>>.self, filledWith: zero, runImages)
        case ...2048: withFloats(InlineArray<128, SIMD16<Float>>.self, filledWith: zero, runImages)
        case ...4096: withFloats(InlineArray<256, SIMD16<Float>>.self, filledWith: zero, runImages)
        case ...8192: withFloats(InlineArray<512, SIMD16<Float>>.self, filledWith: zero, runImages)
        case ...10240:
          withFloats(InlineArray<640, SIMD16<Float>>.self, filledWith: zero, runImages)
        default: withFloats(InlineArray<1280, SIMD16<Float>>.self, filledWith: zero, runImages)
        }
      }
    }
    if weightFloats <= temporaryFloats {
      withUnsafeTemporaryAllocation(of: Float.self, capacity: temporaryFloats) {
        withTables($0.baseAddress!)
      }
    } else if weightFloats <= 1024 {
      withFloats(InlineArray<64, SIMD16<Float>>.self, filledWith: 0, withTables)
    } else if weightFloats <= 2048 {
      withFloats(InlineArray<128, SIMD16<Float>>.self, filledWith: 0, withTables)
    } else {
      withFloats(InlineArray<512, SIMD16<Float>>.self, filledWith: 0, withTables)
    }
  }

  /// Calls `body` with a stack buffer of `n` × 16 floats, every one `value`.
  @inline(__always)
  private static func withFloats<let n: Int>(
    _: InlineArray<n, SIMD16<Float>>.Type, filledWith value: Float,
    _ body: (UnsafeMutablePointer<Float>) -> Void
  ) {
    // Filled sixteen floats at a time (an array of floats was filled one float at a time:
    // 1.4 µs for the 1M-MAC model's two 80 KiB buffers).
    var vectors = InlineArray<n, SIMD16<Float>>(repeating: SIMD16(repeating: value))
    var span = vectors.mutableSpan
    span.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress!.withMemoryRebound(to: Float.self, capacity: n * 16) { body($0) }
    }
  }

  /// The weights as float32, `[block of 8 output channels][depth][8]`, zero past the last
  /// channel.
  @inline(__always)
  private static func fillWeights(
    _ g: Conv2DKernel.Geometry, filter: UnsafePointer<Int8>, depth: Int,
    into weights: UnsafeMutablePointer<Float>
  ) {
    let outputDepth = g.outputDepth
    let end = filter + depth * outputDepth
    var block = 0
    while block * channelBlock < outputDepth {
      let first = block * channelBlock
      // Lanes past the last output channel hold zero weights.
      let inside = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .< Int32(outputDepth - first)
      let table = UnsafeMutableRawPointer(weights + block * depth * channelBlock)
      for k in 0..<depth {
        let row = OuterProduct.weights8(filter + k * outputDepth + first, end: end)
        table.storeBytes(
          of: SIMD8<Float>().replacing(with: row, where: inside),
          toByteOffset: k * channelBlock * 4, as: SIMD8<Float>.self)
      }
      block += 1
    }
  }

  /// Each reduction index's offset (tap and input channel) from an output position to the
  /// float it reads in the planes.
  @inline(__always)
  private static func fillOffsets(
    _ g: Conv2DKernel.Geometry, layout: Layout, into offsets: UnsafeMutablePointer<Int32>
  ) {
    // Tap offset a = f · dilation as a = q · stride + r, stepped without dividing.
    var k = 0
    var (rowQuotient, rowRemainder) = (0, 0)
    for _ in 0..<g.filterHeight {
      var (columnQuotient, columnRemainder) = (0, 0)
      for _ in 0..<g.filterWidth {
        let phase = rowRemainder * g.strideWidth + columnRemainder
        let shift = rowQuotient * layout.planeWidth + columnQuotient
        for channel in 0..<g.inputDepth {
          offsets[k] = Int32(
            truncatingIfNeeded: (phase * g.inputDepth + channel) * layout.planeStride + shift)
          k += 1
        }
        step(&columnQuotient, &columnRemainder, by: g.dilationWidth, modulo: g.strideWidth)
      }
      step(&rowQuotient, &rowRemainder, by: g.dilationHeight, modulo: g.strideHeight)
    }
  }

  /// Adds `amount` to the number `quotient · modulus + remainder`, keeping `remainder` below
  /// `modulus` (strides and dilations are small: a few subtractions replace a division).
  @inline(__always)
  private static func step(
    _ quotient: inout Int, _ remainder: inout Int, by amount: Int, modulo modulus: Int
  ) {
    remainder += amount
    while remainder >= modulus {
      remainder -= modulus
      quotient += 1
    }
  }

  /// Each image: scattered into the planes, then convolved (one copy of the hot loops for all
  /// buffer sizes).
  @inline(never)
  private static func runImages(
    _ g: Conv2DKernel.Geometry, layout: Layout, input: UnsafePointer<Int8>,
    planes: UnsafeMutablePointer<Float>, weights: UnsafePointer<Float>,
    offsets: UnsafePointer<Int32>, depth: Int, channels: borrowing ChannelParameters,
    output: UnsafeMutablePointer<Int8>
  ) {
    let imageBytes = g.inputHeight * g.inputWidth * g.inputDepth
    let outputBytes = g.outputHeight * g.outputWidth * g.outputDepth
    for batch in 0..<g.batches {
      // The padding was filled once; each image overwrites the same interior.
      scatter(g, layout: layout, image: input + batch * imageBytes, into: planes)
      runPositions(
        g, layout: layout, planes: planes, weights: weights, offsets: offsets, depth: depth,
        channels: channels, output: output + batch * outputBytes)
    }
  }

  /// Copies an image into the planes as float32: pixel (y, x) channel c goes to plane
  /// (phase of y + padTop, phase of x + padLeft, c).
  @inline(__always)
  private static func scatter(
    _ g: Conv2DKernel.Geometry, layout: Layout, image: UnsafePointer<Int8>,
    into planes: UnsafeMutablePointer<Float>
  ) {
    let depth = g.inputDepth
    let planeStride = layout.planeStride
    let pixelStep = g.strideWidth * depth
    let end = image + g.inputHeight * g.inputWidth * depth
    // Calls `copy(count, first pixel, first float)` for each image row of each width phase:
    // the image columns of a phase, `strideWidth` apart, go to consecutive plane columns.
    @inline(__always) func rows(
      _ copy: (Int, UnsafePointer<Int8>, UnsafeMutablePointer<Float>) -> Void
    ) {
      for phase in 0..<Swift.min(g.strideWidth, g.inputWidth) {
        // First image column x with (x + padLeft) mod strideWidth == phase.
        let x = (phase - g.padLeft % g.strideWidth + g.strideWidth) % g.strideWidth
        guard x < g.inputWidth else { continue }
        let count = (g.inputWidth - x + g.strideWidth - 1) / g.strideWidth
        let column = (x + g.padLeft) / g.strideWidth
        // Grid row y + padTop = quotient · strideHeight + remainder.
        var (quotient, remainder) = (g.padTop / g.strideHeight, g.padTop % g.strideHeight)
        for y in 0..<g.inputHeight {
          let destination =
            planes + ((remainder * g.strideWidth + phase) * depth) * planeStride + quotient
            * layout.planeWidth + column
          copy(count, image + (y * g.inputWidth + x) * depth, destination)
          step(&quotient, &remainder, by: 1, modulo: g.strideHeight)
        }
      }
    }
    // One copy of the row loops per channel count and row kind (each with its own registers:
    // one loop nest for all of them kept a dozen row pointers on the stack). 9 to 16 channels
    // take 16 pixels at a time, whatever the stride.
    if depth > 8 {
      rows {
        copySixteenChannels(
          $0, from: $1, step: pixelStep, depth: depth, to: $2, planeStride: planeStride,
          end: end)
      }
      return
    }
    if g.strideWidth == 1 && (g.inputWidth >= 16 || depth == 1) {
      @inline(__always) func contiguous(depth: Int) {
        rows { copyContiguous($0, from: $1, depth: depth, to: $2, planeStride: planeStride) }
      }
      switch depth {
      case 1: contiguous(depth: 1)
      case 2: contiguous(depth: 2)
      case 3: contiguous(depth: 3)
      case 4: contiguous(depth: 4)
      case 5: contiguous(depth: 5)
      case 6: contiguous(depth: 6)
      case 7: contiguous(depth: 7)
      default: rows { copyEightChannels($0, from: $1, to: $2, planeStride: planeStride) }
      }
      return
    }
    @inline(__always) func pixels<V: SIMD>(
      _: V.Type, depth: Int, _ widen: (UnsafePointer<Int8>) -> V
    ) where V.Scalar == Float {
      rows {
        copyPixels(
          V.self, $0, from: $1, step: pixelStep, depth: depth, to: $2, planeStride: planeStride,
          end: end, widen)
      }
    }
    switch depth {
    case 1: pixels(SIMD4<Float>.self, depth: 1, OuterProduct.widen4)
    case 2: pixels(SIMD4<Float>.self, depth: 2, OuterProduct.widen4)
    case 3: pixels(SIMD4<Float>.self, depth: 3, OuterProduct.widen4)
    case 4: pixels(SIMD4<Float>.self, depth: 4, OuterProduct.widen4)
    case 5: pixels(SIMD8<Float>.self, depth: 5, OuterProduct.widen8)
    case 6: pixels(SIMD8<Float>.self, depth: 6, OuterProduct.widen8)
    case 7: pixels(SIMD8<Float>.self, depth: 7, OuterProduct.widen8)
    default: pixels(SIMD8<Float>.self, depth: 8, OuterProduct.widen8)
    }
  }

  /// Converts `count` contiguous pixels of `depth` channels to floats in `depth` plane rows
  /// `planeStride` apart: a plain loop per channel count, which LLVM vectorizes with
  /// interleaved loads. (It checks for overlap on every call and finishes each row in scalar
  /// code, so short rows go to ``copyPixels``: 190 ns for an 8 × 7 × 3 image.)
  @inline(__always)
  private static func copyContiguous(
    _ count: Int, from source: UnsafePointer<Int8>, depth: Int,
    to destination: UnsafeMutablePointer<Float>, planeStride: Int
  ) {
    for i in 0..<count {
      // Wrapping arithmetic: without overflow checks the loop vectorizes (the offsets are
      // bounded by the plane size).
      for c in 0..<depth {
        destination[c &* planeStride &+ i] = Float(source[i &* depth &+ c])
      }
    }
  }

  /// Converts `count` pixels `step` bytes apart, `depth` (a constant in each copy) channels
  /// each, to floats in `depth` plane rows `planeStride` apart: each pixel is one vector
  /// conversion of the next 4 or 8 bytes (those past the pixel are ignored), whose lanes go
  /// from the register to their planes; pixels whose vector would read past `end` (the
  /// image's end) are converted byte by byte.
  @inline(__always)
  private static func copyPixels<V: SIMD>(
    _: V.Type, _ count: Int, from source: UnsafePointer<Int8>, step: Int, depth: Int,
    to destination: UnsafeMutablePointer<Float>, planeStride: Int, end: UnsafePointer<Int8>,
    _ widen: (UnsafePointer<Int8>) -> V
  ) where V.Scalar == Float {
    let whole = readableWhole(count, from: source, step: step, bytes: V.scalarCount, end: end)
    for i in 0..<count {
      let pixel = source + i &* step
      if i < whole {
        let values = widen(pixel)
        for c in 0..<depth { destination[c &* planeStride &+ i] = values[c] }
      } else {
        for c in 0..<depth { destination[c &* planeStride &+ i] = Float(pixel[c]) }
      }
    }
  }

  /// How many of the `count` pixels `step` bytes apart from `source` (the first ones) can be
  /// read `bytes` at a time without passing `end`.
  @inline(__always)
  private static func readableWhole(
    _ count: Int, from source: UnsafePointer<Int8>, step: Int, bytes: Int,
    end: UnsafePointer<Int8>
  ) -> Int {
    let room = end - source - bytes
    return room < 0 ? 0 : Swift.min(count, room / step + 1)
  }

  /// ``copyPixels`` for 9 to 16 channels, a count known only at run time. Sixteen pixels at a
  /// time are widened to one 16-float vector each, and the 16 × 16 block is transposed in
  /// registers (``transpose(_:)``), so each channel's sixteen floats are one vector store.
  /// The pixels after the last whole block (and those whose 16-byte read would pass `end`)
  /// go one at a time through a stack buffer, read back a float per channel. (Through the
  /// buffer for every pixel, the 1M-MAC model's 32 × 32 × 16 image took 10 µs.)
  @inline(__always)
  private static func copySixteenChannels(
    _ count: Int, from source: UnsafePointer<Int8>, step: Int, depth: Int,
    to destination: UnsafeMutablePointer<Float>, planeStride: Int, end: UnsafePointer<Int8>
  ) {
    let whole = readableWhole(count, from: source, step: step, bytes: 16, end: end)
    var first = 0
    while first &+ 16 <= whole {
      @inline(__always) func pixel(_ k: Int) -> SIMD16<Float> {
        OuterProduct.widen(source + (first &+ k) &* step)
      }
      var block: Block16 = (
        pixel(0), pixel(1), pixel(2), pixel(3), pixel(4), pixel(5), pixel(6), pixel(7),
        pixel(8), pixel(9), pixel(10), pixel(11), pixel(12), pixel(13), pixel(14), pixel(15)
      )
      transpose(&block)
      // Vector c is channel c of the sixteen pixels; those past `depth` are the next pixel's.
      withUnsafeBytes(of: &block) { channels in
        for c in 0..<depth {
          UnsafeMutableRawPointer(destination + (c &* planeStride &+ first)).storeBytes(
            of: channels.load(fromByteOffset: c &* 64, as: SIMD16<Float>.self),
            as: SIMD16<Float>.self)
        }
      }
      first &+= 16
    }
    guard first < count else { return }
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { staging in
      let values = staging.baseAddress!
      for i in first..<count {
        let pixel = source + i &* step
        if i < whole {
          // A raw store into the floats: reading them back through a pointer to
          // `SIMD16`-bound memory would be undefined, and the optimizer did reorder it (wrong
          // results in release builds only).
          UnsafeMutableRawPointer(values).storeBytes(
            of: OuterProduct.widen(pixel), as: SIMD16<Float>.self)
        } else {
          for c in 0..<depth { values[c] = Float(pixel[c]) }
        }
        for c in 0..<depth { destination[c &* planeStride &+ i] = values[c] }
      }
    }
  }

  /// ``copyContiguous`` for 8 channels: 32 pixels at a time are widened two to a vector,
  /// transposed (``transpose(_:)``: rows 0–7 are then the channels of the even pixels, rows
  /// 8–15 those of the odd ones) and interleaved back in order, so each channel's 32 floats
  /// are two vector stores. The last pixels of a row go through the plain loop.
  @inline(__always)
  private static func copyEightChannels(
    _ count: Int, from source: UnsafePointer<Int8>, to destination: UnsafeMutablePointer<Float>,
    planeStride: Int
  ) {
    var first = 0
    while first &+ 32 <= count {
      @inline(__always) func pair(_ k: Int) -> SIMD16<Float> {
        OuterProduct.widen(source + (first &+ 2 &* k) &* 8)
      }
      var block: Block16 = (
        pair(0), pair(1), pair(2), pair(3), pair(4), pair(5), pair(6), pair(7), pair(8),
        pair(9), pair(10), pair(11), pair(12), pair(13), pair(14), pair(15)
      )
      transpose(&block)
      withUnsafeBytes(of: &block) { rows in
        for c in 0..<8 {
          let even = rows.load(fromByteOffset: c &* 64, as: SIMD16<Float>.self)
          let odd = rows.load(fromByteOffset: (c &+ 8) &* 64, as: SIMD16<Float>.self)
          let row = UnsafeMutableRawPointer(destination + (c &* planeStride &+ first))
          row.storeBytes(of: interleaveLow(even, odd), as: SIMD16<Float>.self)
          row.storeBytes(of: interleaveHigh(even, odd), toByteOffset: 64, as: SIMD16<Float>.self)
        }
      }
      first &+= 32
    }
    copyContiguous(
      count &- first, from: source + first &* 8, depth: 8, to: destination + first,
      planeStride: planeStride)
  }

  /// Lanes 0–7 of `a` and `b`, alternately (`a[0], b[0], a[1], …`): named constant lanes of
  /// two vectors, which LLVM makes one two-source permute.
  @inline(__always)
  static func interleaveLow(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    SIMD16(
      a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6],
      a[7], b[7])
  }

  /// Lanes 8–15 of `a` and `b`, alternately.
  @inline(__always)
  static func interleaveHigh(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    SIMD16(
      a[8], b[8], a[9], b[9], a[10], b[10], a[11], b[11], a[12], b[12], a[13], b[13], a[14],
      b[14], a[15], b[15])
  }

  /// Sixteen 16-float vectors: a 16 × 16 block, one row per vector.
  typealias Block16 = (
    SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
    SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
    SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>
  )

  /// Transposes a 16 × 16 block in place: four rounds of interleaving row `i` with row
  /// `i + 8` (each round rotates the bits of an element's index, row and column, by one, so
  /// four swap them). The lane constructors name constant lanes of two vectors, which LLVM
  /// makes two-source permutes (`vpermt2ps`, 64 in all on x86-64).
  @inline(__always)
  static func transpose(_ r: inout Block16) {
    let (low, high) = (interleaveLow, interleaveHigh)
    for _ in 0..<4 {
      r = (
        low(r.0, r.8), high(r.0, r.8), low(r.1, r.9), high(r.1, r.9), low(r.2, r.10),
        high(r.2, r.10), low(r.3, r.11), high(r.3, r.11), low(r.4, r.12), high(r.4, r.12),
        low(r.5, r.13), high(r.5, r.13), low(r.6, r.14), high(r.6, r.14), low(r.7, r.15),
        high(r.7, r.15)
      )
    }
  }

  /// Computes every output position, sixteen at a time, eight output channels at a time, and
  /// stores the requantized results of the positions that are output pixels.
  @inline(__always)
  private static func runPositions(
    _ g: Conv2DKernel.Geometry, layout: Layout, planes: UnsafePointer<Float>,
    weights: UnsafePointer<Float>, offsets: UnsafePointer<Int32>, depth: Int,
    channels: borrowing ChannelParameters, output: UnsafeMutablePointer<Int8>
  ) {
    let outputDepth = g.outputDepth
    let outputEnd = output + g.outputHeight * g.outputWidth * outputDepth
    // Each channel's requantization constants, derived once per invoke rather than once per
    // block of sixteen positions.
    var table = InlineArray<32, ChannelConstants>(repeating: ChannelConstants())
    for c in 0..<outputDepth { table[c] = ChannelConstants(channels, channel: c) }
    var tableSpan = table.mutableSpan
    tableSpan.withUnsafeMutableBufferPointer { tableBuffer in
      runChunks(
        g, layout: layout, planes: planes, weights: weights, offsets: offsets, depth: depth,
        constants: UnsafePointer(tableBuffer.baseAddress!), output: output, end: outputEnd)
    }
  }

  /// The chunks of ``runPositions``.
  @inline(__always)
  private static func runChunks(
    _ g: Conv2DKernel.Geometry, layout: Layout, planes: UnsafePointer<Float>,
    weights: UnsafePointer<Float>, offsets: UnsafePointer<Int32>, depth: Int,
    constants: UnsafePointer<ChannelConstants>, output: UnsafeMutablePointer<Int8>,
    end outputEnd: UnsafeMutablePointer<Int8>
  ) {
    let outputDepth = g.outputDepth
    var first = 0
    // The output row and column of position `first` (columns past the output's width are
    // positions that are not output pixels).
    var (row, column) = (0, 0)
    while first < layout.positions {
      let chunk = Chunk(
        first: first, row: row, column: column, positions: layout.positions,
        planeWidth: layout.planeWidth, outputWidth: g.outputWidth, outputDepth: outputDepth)
      // Blocks from the last: a partial last block's 8-byte stores run into the next pixel's
      // first channels, which the first block writes afterwards.
      var channel = (outputDepth - 1) / channelBlock * channelBlock
      while channel >= 0 {
        let width = Swift.min(channelBlock, outputDepth - channel)
        var a = OuterProduct.zero8
        accumulate(
          &a, width: width, source: planes + first,
          weights: weights + (channel / channelBlock) * depth * channelBlock, offsets: offsets,
          depth: depth)
        withUnsafeBytes(of: &a) { sums in
          store(
            sums, width: width, channel: channel, chunk: chunk, constants: constants,
            output: output, end: outputEnd)
        }
        channel -= channelBlock
      }
      column += lanes
      if layout.rowAlignedChunks {
        if column >= g.outputWidth { (row, column) = (row + 1, 0) }
        first = row * layout.planeWidth + column
      } else {
        first += lanes
        while column >= layout.planeWidth { (row, column) = (row + 1, column - layout.planeWidth) }
      }
    }
  }

  /// Adds sixteen positions' sums for the `width` channels of a block into `a`'s first `width`
  /// vectors. The width is a constant in each copy of the loop, so a block of fewer than eight
  /// channels (the last, or the only one) multiplies no zero weights: 5 channels take 5
  /// multiply-adds per reduction index, not 8.
  @inline(__always)
  private static func accumulate(
    _ a: inout OuterProduct.Vectors8, width: Int, source: UnsafePointer<Float>,
    weights table: UnsafePointer<Float>, offsets: UnsafePointer<Int32>, depth: Int
  ) {
    @inline(__always) func run(_ n: Int) {
      for k in 0..<depth {
        let x = UnsafeRawPointer(source + Int(offsets[k])).loadUnaligned(as: SIMD16<Float>.self)
        let w = table + k * channelBlock
        OuterProduct.madd(&a.0, x, w[0])
        if n > 1 { OuterProduct.madd(&a.1, x, w[1]) }
        if n > 2 { OuterProduct.madd(&a.2, x, w[2]) }
        if n > 3 { OuterProduct.madd(&a.3, x, w[3]) }
        if n > 4 { OuterProduct.madd(&a.4, x, w[4]) }
        if n > 5 { OuterProduct.madd(&a.5, x, w[5]) }
        if n > 6 { OuterProduct.madd(&a.6, x, w[6]) }
        if n > 7 { OuterProduct.madd(&a.7, x, w[7]) }
      }
    }
    switch width {
    case 1: run(1)
    case 2: run(2)
    case 3: run(3)
    case 4: run(4)
    case 5: run(5)
    case 6: run(6)
    case 7: run(7)
    default: run(8)
    }
  }

  /// Sixteen consecutive positions: where the first lies and how positions map to pixels.
  struct Chunk {
    var first: Int, row: Int, column: Int, positions: Int
    var planeWidth: Int, outputWidth: Int, outputDepth: Int

    /// Calls `body(first lane, lanes, offset of the first pixel in the output)` for each run
    /// of lanes that are consecutive output pixels: one run per output row the lanes cross (a
    /// check per lane cost more than the stores).
    @inline(__always)
    func forEachRun(_ body: (Int, Int, Int) -> Void) {
      let count = Swift.min(lanes, positions - first)
      var (lane, row, column) = (0, row, column)
      while lane < count {
        // Lanes `lane..<lane + run` are this row's pixels from `column` on; the rest of the
        // plane row up to its width is not output.
        let run = Swift.min(count &- lane, outputWidth &- column)
        // Wrapping arithmetic: the offsets lie inside the output tensor.
        if run > 0 { body(lane, run, (row &* outputWidth &+ column) &* outputDepth) }
        lane &+= planeWidth &- column
        (row, column) = (row &+ 1, 0)
      }
    }
  }

  /// Converts the exact float sums of a block (`width` channels from `channel`, sixteen
  /// positions each) to int32, adds the folded biases, requantizes them sixteen lanes at a
  /// time, packs each position's results in a 32-bit lane per four channels (channel `j` in
  /// byte `j mod 4`; little-endian, as the x86-64 this variant runs on), and writes each
  /// output pixel's `width` results: 128 bytes at once for sixteen whole 8-channel pixels of
  /// one row, else as one 8-byte store per pixel
  /// where 8 bytes stay inside the output, else byte by byte. Bytes stored past a partial
  /// block's channels are the next pixel's first channels, which are written later: by a later
  /// lane of this block (one block), by the first block (blocks run from the last), or by a
  /// later chunk.
  @inline(__always)
  private static func store(
    _ sums: UnsafeRawBufferPointer, width: Int, channel: Int, chunk: Chunk,
    constants: UnsafePointer<ChannelConstants>, output: UnsafeMutablePointer<Int8>,
    end: UnsafeMutablePointer<Int8>
  ) {
    let shared = constants[0]
    var (low, high) = (SIMD16<UInt32>.zero, SIMD16<UInt32>.zero)
    for j in 0..<width {
      let c = constants[channel + j]
      // |sum| ≤ 2^22: sum + 1.5 · 2^23 lies in [2^23, 2^24], where the float's bits are
      // 0x4B40_0000 + sum (the constant is folded into `c.bias`).
      let biased =
        sums.load(fromByteOffset: j * 64, as: SIMD16<Float>.self)
        + SIMD16(repeating: 12_582_912)
      let accumulators = unsafeBitCast(biased, to: SIMD16<Int32>.self) &+ c.bias
      let bytes =
        SIMD16<UInt32>(truncatingIfNeeded: c.requantize(accumulators, shared)) & 0xFF
      if j < 4 {
        low |= bytes &<< UInt32(8 * j)
      } else {
        high |= bytes &<< UInt32(8 * (j - 4))
      }
    }
    // Each position's eight bytes in a 64-bit lane (lanes 0–7, then 8–15).
    @inline(__always)
    func storePacked(
      _ low: SIMD16<UInt32>, _ high: SIMD16<UInt32>, at raw: UnsafeMutableRawPointer
    ) {
      @inline(__always)
      func interleave(_ low: SIMD8<UInt32>, _ high: SIMD8<UInt32>) -> SIMD8<UInt64> {
        SIMD8<UInt64>(truncatingIfNeeded: low) | SIMD8<UInt64>(truncatingIfNeeded: high) &<< 32
      }
      raw.storeBytes(of: interleave(low.lowHalf, high.lowHalf), as: SIMD8<UInt64>.self)
      raw.storeBytes(
        of: interleave(low.highHalf, high.highHalf), toByteOffset: 64, as: SIMD8<UInt64>.self)
    }
    if width == chunk.outputDepth && width == channelBlock
      && chunk.column + lanes <= chunk.outputWidth
    {
      // Sixteen whole pixels of eight channels in one output row: 128 consecutive bytes.
      let pixel = (chunk.row &* chunk.outputWidth &+ chunk.column) &* channelBlock
      storePacked(low, high, at: UnsafeMutableRawPointer(output + pixel))
      return
    }
    // Stored once for the pixel loops to read (extracting lanes of a register spilled it
    // again for every pixel).
    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: lanes) { buffer in
      let packed = buffer.baseAddress!
      storePacked(low, high, at: UnsafeMutableRawPointer(packed))
      let step = chunk.outputDepth
      let first = output + ((chunk.row &* chunk.outputWidth &+ chunk.column) &* step &+ channel)
      if chunk.column &+ lanes <= chunk.outputWidth && first + ((lanes &- 1) &* step &+ 8) <= end {
        // Sixteen pixels of one row (a loop of a constant count, unrolled).
        for l in 0..<lanes {
          UnsafeMutableRawPointer(first + l &* step).storeBytes(
            of: packed[l].littleEndian, as: UInt64.self)
        }
        return
      }
      chunk.forEachRun { lane, run, pixel in
        let destination = output + (pixel &+ channel)
        if destination + ((run &- 1) &* step &+ 8) <= end {
          // The run's last 8-byte store stays inside the output: no check per pixel.
          for l in 0..<run {
            UnsafeMutableRawPointer(destination + l &* step).storeBytes(
              of: packed[lane &+ l].littleEndian, as: UInt64.self)
          }
          return
        }
        for l in 0..<run {
          let bytes = packed[lane &+ l]
          let pixelStart = destination + l &* step
          if pixelStart + 8 <= end {
            UnsafeMutableRawPointer(pixelStart).storeBytes(
              of: bytes.littleEndian, as: UInt64.self)
          } else {
            for j in 0..<width {
              pixelStart[j] = Int8(truncatingIfNeeded: bytes &>> UInt64(8 * j))
            }
          }
        }
      }
    }
  }

  /// One output channel's requantization constants (TFLM's `MultiplyByQuantizedMultiplier`,
  /// `+ zp_out`, the clamp), with the shift split into its left and right parts and the
  /// rounding mask of the right shift precomputed; the output's zero point and clamp are the
  /// same in every entry.
  struct ChannelConstants {
    /// The folded bias minus 0x4B40_0000 (the float-to-int conversion's offset).
    var bias: Int32 = 0
    var multiplier: Int32 = 0
    var left: Int32 = 0
    var right: Int32 = 0
    /// `2^right − 1`, and half of it rounded down.
    var mask: Int32 = 0
    var halfMask: Int32 = 0
    var zeroPoint: Int32 = 0
    var low: Int32 = 0
    var high: Int32 = 0

    init() {}

    init(_ channels: borrowing ChannelParameters, channel c: Int) {
      let shift = Int32(channels.shift(c))
      bias = channels.bias[c] &- 0x4B40_0000
      multiplier = channels.multiplier(c)
      left = Swift.max(shift, 0)
      right = Swift.max(0 &- shift, 0)
      mask = (Int32(1) &<< right) &- 1
      halfMask = mask &>> 1
      (zeroPoint, low, high) = (
        channels.outputZeroPoint, channels.activationMin, channels.activationMax
      )
    }

    /// ``ChannelParameters/requantize(_:multiplier:shift:zeroPoint:low:high:)`` of sixteen
    /// lanes with these constants (the same arithmetic as
    /// ``VectorFixedPoint/multiply(_:by:shift:)``); the zero point and clamp come from
    /// `shared`, which LLVM keeps in registers across channels.
    @inline(__always)
    func requantize(_ x: SIMD16<Int32>, _ shared: ChannelConstants) -> SIMD16<Int32> {
      let product = VectorFixedPoint.highMul(x &<< SIMD16(repeating: left), multiplier)
      let threshold = SIMD16(repeating: halfMask) &+ ((product &>> 31) & 1)
      let roundUp = (product & SIMD16(repeating: mask)) .> threshold
      let rounded =
        (product &>> SIMD16(repeating: right)) &+ SIMD16.zero.replacing(with: 1, where: roundUp)
      let value = rounded &+ SIMD16(repeating: shared.zeroPoint)
      // A loop over the lanes, which LLVM makes one max and one min (`clamped` compiled to
      // calls of the unspecialized pointwise min and max, and selects to compare-and-blend).
      var result = SIMD16<Int32>()
      for l in 0..<16 { result[l] = Swift.min(Swift.max(value[l], shared.low), shared.high) }
      return result
    }
  }
}
