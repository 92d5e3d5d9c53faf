import Testing

@testable import VigilInference

/// The rows ``PixelBlocks`` lays out: for seeded random SAME and VALID geometries (row copies on
/// the stack, in arena scratch, all rows or a ring, rows read in place), every lane a block's tap
/// reads for an output pixel holds that pixel's input value (or the padding value outside the
/// image), and every tap's 16-byte reads stay inside the input or the row buffer.
@Suite struct PixelBlocksTests {
  /// One planned geometry.
  struct Case: CustomStringConvertible {
    /// The NHWC input's sizes.
    var batches = 1, height = 1, width = 1, depth = 1
    /// The window; `same` for SAME padding, else VALID.
    var filterHeight = 1, filterWidth = 1, strideHeight = 1, strideWidth = 1
    var dilationHeight = 1, dilationWidth = 1, same = true

    /// The output size and leading padding along one dimension, as TFLite computes them.
    static func output(_ size: Int, filter: Int, stride: Int, dilation: Int, same: Bool) -> (
      Int, Int
    )? {
      let span = (filter - 1) * dilation + 1
      if same {
        let out = (size + stride - 1) / stride
        return (out, Swift.max(0, (out - 1) * stride + span - size) / 2)
      }
      guard size >= span else { return nil }
      return ((size - span) / stride + 1, 0)
    }

    /// The geometry, for failure messages.
    var description: String {
      "\(batches)x\(height)x\(width)x\(depth) filter \(filterHeight)x\(filterWidth) "
        + "stride \(strideHeight),\(strideWidth) dilation \(dilationHeight),\(dilationWidth) "
        + (same ? "SAME" : "VALID")
    }
  }

  /// Seeded geometries, small and large enough for a ring of row copies in arena scratch.
  static let cases: [Case] = {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    func next(_ range: ClosedRange<Int>) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return range.lowerBound + Int((state >> 33) % UInt64(range.count))
    }
    var cases: [Case] = []
    while cases.count < 400 {
      let large = cases.count % 4 == 0
      var c = Case()
      c.batches = next(1...2)
      c.height = next(1...(large ? 40 : 10))
      c.width = next(1...(large ? 70 : 20))
      c.depth = next(1...16)
      c.filterHeight = next(1...5)
      c.filterWidth = next(1...5)
      c.strideHeight = next(1...3)
      c.strideWidth = next(1...3)
      c.dilationHeight = next(1...3)
      c.dilationWidth = next(1...3)
      c.same = next(0...1) == 0
      guard
        Case.output(
          c.height, filter: c.filterHeight, stride: c.strideHeight, dilation: c.dilationHeight,
          same: c.same) != nil,
        Case.output(
          c.width, filter: c.filterWidth, stride: c.strideWidth, dilation: c.dilationWidth,
          same: c.same) != nil
      else { continue }
      cases.append(c)
    }
    return cases
  }()

  /// Checks every case's lanes and reads, and that the cases reach each way of keeping rows.
  @Test func everyTapReadsItsPixelsInsideTheBuffers() {
    var modes = Set<String>()
    for c in Self.cases {
      let (outputHeight, padTop) = Case.output(
        c.height, filter: c.filterHeight, stride: c.strideHeight, dilation: c.dilationHeight,
        same: c.same)!
      let (outputWidth, padLeft) = Case.output(
        c.width, filter: c.filterWidth, stride: c.strideWidth, dilation: c.dilationWidth,
        same: c.same)!
      let padValue: Int8 = -128
      guard
        let blocks = PixelBlocks(
          batches: c.batches, inputHeight: c.height, inputWidth: c.width, depth: c.depth,
          outputHeight: outputHeight, outputWidth: outputWidth, filterHeight: c.filterHeight,
          filterWidth: c.filterWidth, strideHeight: c.strideHeight, strideWidth: c.strideWidth,
          dilationHeight: c.dilationHeight, dilationWidth: c.dilationWidth, padTop: padTop,
          padLeft: padLeft, padValue: padValue)
      else {
        modes.insert("refused")
        continue
      }
      modes.insert(
        blocks.copies == 0
          ? "in place"
          : "\(blocks.copiesAllRows ? "all rows" : "ring") \(blocks.rowsOnStack ? "stack" : "scratch")"
            + (blocks.directRows > 0 ? " partly in place" : ""))
      let count = c.batches * c.height * c.width * c.depth
      // Exactly the tensor's bytes, so that reads past it are caught (and by the address
      // sanitizer); values never equal the padding value.
      let input = UnsafeMutablePointer<Int8>.allocate(capacity: count)
      defer { input.deallocate() }
      for i in 0..<count { input[i] = Int8(truncatingIfNeeded: (i * 37) % 255 - 127) }
      let scratch = UnsafeMutablePointer<Int8>.allocate(capacity: Swift.max(1, blocks.scratchBytes))
      defer { scratch.deallocate() }
      let inputEnd = UnsafePointer(input) + count
      let scratchEnd = UnsafePointer(scratch) + blocks.scratchBytes
      let depth = c.depth
      let pixels = Int(blocks.pixels)
      var call = 0
      var failures = 0
      StackScratch.with { stack in
        let taps = stack.assumingMemoryBound(to: UnsafePointer<Int8>.self)
        blocks.forEachOutputRow(input: input, scratch: scratch, stack: stack) { rowsInImage in
          let batch = call / outputHeight
          let outY = call % outputHeight
          call += 1
          var inImage = 0
          for fy in 0..<c.filterHeight {
            let y = outY * c.strideHeight - padTop + fy * c.dilationHeight
            if y >= 0 && y < c.height { inImage += 1 }
            for fx in 0..<c.filterWidth {
              let row = taps[fy * c.filterWidth + fx]
              for block in 0..<Int(blocks.blocks) {
                let first = block * pixels
                let lanes = row + first * depth
                if lanes >= UnsafePointer(input) && lanes < inputEnd {
                  if lanes + 16 > inputEnd { failures += 1 }
                } else if blocks.scratchBytes > 0 && lanes >= UnsafePointer(scratch)
                  && lanes < scratchEnd
                {
                  if lanes + 16 > scratchEnd { failures += 1 }
                } else if !blocks.rowsOnStack {
                  failures += 1
                }
                for p in 0..<Swift.min(pixels, outputWidth - first) {
                  let x = (first + p) * c.strideWidth - padLeft + fx * c.dilationWidth
                  for channel in 0..<depth {
                    let expected =
                      y >= 0 && y < c.height && x >= 0 && x < c.width
                      ? input[((batch * c.height + y) * c.width + x) * depth + channel] : padValue
                    if lanes[p * depth + channel] != expected { failures += 1 }
                  }
                }
              }
            }
          }
          if rowsInImage != inImage { failures += 1 }
        }
      }
      #expect(call == c.batches * outputHeight, "\(c)")
      #expect(failures == 0, "\(c): \(failures) wrong lanes or reads")
    }
    #expect(
      modes.isSuperset(of: [
        "in place", "all rows stack", "all rows scratch", "ring scratch",
        "all rows stack partly in place",
      ]), "\(modes)")
  }
}
