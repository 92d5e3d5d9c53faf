import Foundation
import Testing

@testable import VigilInference

/// CONV_2D's planar variant against a direct evaluation of TFLM's `ConvPerChannel` formula
/// (`Σ w·(x − zp_in) + bias`, out-of-image taps contributing nothing, then
/// `MultiplyByQuantizedMultiplier`), on geometries the TFLM fixtures do not reach: column
/// strides with their phases, dilations, asymmetric padding, batches, partial channel blocks,
/// and the longest reduction at the extreme values, where the float sums reach ±2^22.
@Suite struct PlanarConvolutionTests {
  /// A convolution case: geometry, data and per-channel requantization constants.
  struct Case: CustomStringConvertible {
    var g = Conv2DKernel.Geometry()
    var input: [Int8] = []
    /// `[output channel][filter row][filter column][input channel]`, as in the file.
    var filter: [Int8] = []
    var bias: [Int32] = []
    var inputZeroPoint: Int32 = 0
    var multipliers: [Int32] = []
    var shifts: [Int32] = []
    var outputZeroPoint: Int32 = 0
    var low: Int32 = -128
    var high: Int32 = 127

    var description: String {
      "\(g.batches)×\(g.inputHeight)×\(g.inputWidth)×\(g.inputDepth) → \(g.outputDepth) ch, "
        + "filter \(g.filterHeight)×\(g.filterWidth), stride \(g.strideHeight)×\(g.strideWidth), "
        + "dilation \(g.dilationHeight)×\(g.dilationWidth), pad \(g.padTop),\(g.padLeft)"
    }
  }

  /// A seeded generator (64-bit LCG), so failures reproduce.
  struct Seeded {
    var state: UInt64
    mutating func next(_ range: ClosedRange<Int>) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return range.lowerBound + Int((state >> 33) % UInt64(range.count))
    }
  }

  /// Builds a case with output sizes from TFLite's SAME/VALID rule for the given padding.
  static func makeCase(
    batches: Int, height: Int, width: Int, depth: Int, outputDepth: Int, filter: (Int, Int),
    stride: (Int, Int), dilation: (Int, Int), same: Bool, random: inout Seeded
  ) -> Case {
    var c = Case()
    c.g.batches = batches
    (c.g.inputHeight, c.g.inputWidth, c.g.inputDepth) = (height, width, depth)
    (c.g.filterHeight, c.g.filterWidth, c.g.filterDepth) = (filter.0, filter.1, depth)
    (c.g.strideHeight, c.g.strideWidth) = stride
    (c.g.dilationHeight, c.g.dilationWidth) = dilation
    c.g.outputDepth = outputDepth
    func axis(_ size: Int, _ f: Int, _ s: Int, _ d: Int) -> (Int, Int) {
      let effective = (f - 1) * d + 1
      if same {
        let out = (size + s - 1) / s
        let total = Swift.max(0, (out - 1) * s + effective - size)
        return (out, total / 2)
      }
      return ((size - effective) / s + 1, 0)
    }
    (c.g.outputHeight, c.g.padTop) = axis(height, filter.0, stride.0, dilation.0)
    (c.g.outputWidth, c.g.padLeft) = axis(width, filter.1, stride.1, dilation.1)
    c.input = (0..<(batches * height * width * depth)).map { _ in Int8(random.next(-128...127)) }
    c.filter = (0..<(outputDepth * filter.0 * filter.1 * depth)).map { _ in
      Int8(random.next(-127...127))
    }
    c.bias = (0..<outputDepth).map { _ in Int32(random.next(-40_000...40_000)) }
    c.inputZeroPoint = Int32(random.next(-128...127))
    c.multipliers = (0..<outputDepth).map { _ in Int32(random.next(1 << 30...Int(Int32.max))) }
    c.shifts = (0..<outputDepth).map { _ in Int32(random.next(-12 ... -6)) }
    c.outputZeroPoint = Int32(random.next(-20...20))
    return c
  }

  /// TFLM's formula, evaluated directly.
  static func reference(_ c: Case) -> [Int8] {
    let g = c.g
    let requantizer = Requantizer(
      outputZeroPoint: c.outputZeroPoint, activationMin: c.low, activationMax: c.high)
    var output: [Int8] = []
    for b in 0..<g.batches {
      for oy in 0..<g.outputHeight {
        for ox in 0..<g.outputWidth {
          for oc in 0..<g.outputDepth {
            var acc = c.bias[oc]
            for fy in 0..<g.filterHeight {
              for fx in 0..<g.filterWidth {
                let y = oy * g.strideHeight - g.padTop + fy * g.dilationHeight
                let x = ox * g.strideWidth - g.padLeft + fx * g.dilationWidth
                guard y >= 0, y < g.inputHeight, x >= 0, x < g.inputWidth else { continue }
                for ic in 0..<g.inputDepth {
                  let xv = Int32(
                    c.input[((b * g.inputHeight + y) * g.inputWidth + x) * g.inputDepth + ic])
                  let w = Int32(
                    c.filter[
                      ((oc * g.filterHeight + fy) * g.filterWidth + fx) * g.inputDepth + ic])
                  acc &+= w &* (xv &- c.inputZeroPoint)
                }
              }
            }
            output.append(requantizer.int8(acc, multiplier: c.multipliers[oc], shift: c.shifts[oc]))
          }
        }
      }
    }
    return output
  }

  /// Runs the planar variant on `c` (filter transposed as the kernel keeps it); with
  /// `guardedInputAtPageEnd`, the input ends (true) or starts (false) at an inaccessible page
  /// and the output ends at one, so a read or write past either tensor crashes the test.
  static func planar(_ c: Case, guardedInputAtPageEnd: Bool? = nil) throws -> [Int8] {
    let layout = try #require(PlanarConvolution.Layout(c.g), "the planar variant refused \(c)")
    let file = AlignedBytes(try LoaderFixture.bytes("dense.tflite"))
    let model = try Model(bytes: file.bytes)
    let context = PrepareContext(
      model: model, index: 0, info: model.operators[0], scratchSizes: [])
    let depth = c.g.filterHeight * c.g.filterWidth * c.g.inputDepth
    let filter = UnsafeMutablePointer<Int8>.allocate(capacity: c.filter.count)
    defer { filter.deallocate() }
    filter.initialize(from: c.filter, count: c.filter.count)
    OuterProduct.transposeInPlace(filter, rows: c.g.outputDepth, columns: depth)
    let bias = UnsafeMutablePointer<Int32>.allocate(capacity: c.bias.count)
    defer { bias.deallocate() }
    bias.initialize(from: c.bias, count: c.bias.count)
    let channels = try ChannelParameters(
      count: c.g.outputDepth, filter: filter, rowLength: depth, rowStride: 1,
      elementStride: c.g.outputDepth, bias: UnsafeRawPointer(bias),
      inputZeroPoint: c.inputZeroPoint,
      multipliers: ChannelMultipliers(multipliers: c.multipliers, shifts: c.shifts),
      outputZeroPoint: c.outputZeroPoint, activationMin: c.low, activationMax: c.high,
      context: context)
    let outputCount = c.g.batches * c.g.outputHeight * c.g.outputWidth * c.g.outputDepth
    if let inputAtPageEnd = guardedInputAtPageEnd {
      return try Guarded.run(
        input: c.input, outputCount: outputCount, inputAtPageEnd: inputAtPageEnd
      ) { input, out in
        PlanarConvolution.run(
          c.g, layout: layout, input: input, filter: filter,
          inputZeroPoint: Int8(c.inputZeroPoint), channels: channels, output: out)
      }
    }
    var output = [Int8](repeating: 0, count: outputCount)
    c.input.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { out in
        PlanarConvolution.run(
          c.g, layout: layout, input: input.baseAddress!, filter: filter,
          inputZeroPoint: Int8(c.inputZeroPoint), channels: channels, output: out.baseAddress!)
      }
    }
    return output
  }

  @Test func everyStridePhaseDilationAndPaddingGivesTFLMsFormula() throws {
    var random = Seeded(state: 0x5EED_C0DE)
    var compared = 0
    for stride in [(1, 1), (1, 2), (1, 3), (2, 2), (2, 1)] {
      for dilation in [(1, 1), (2, 2), (1, 3)] {
        for same in [true, false] {
          for (depth, outputDepth) in [(1, 3), (3, 8), (5, 13), (8, 17), (2, 24)] {
            let c = Self.makeCase(
              batches: 1 + random.next(0...1), height: 9 + random.next(0...6),
              width: 11 + random.next(0...9), depth: depth, outputDepth: outputDepth,
              filter: (random.next(1...3), random.next(1...3)), stride: stride,
              dilation: dilation, same: same, random: &random)
            guard PlanarConvolution.Layout(c.g) != nil else { continue }
            let actual = try Self.planar(c)
            let expected = Self.reference(c)
            #expect(actual.count == expected.count)
            let first = actual.indices.first { actual[$0] != expected[$0] }
            #expect(first == nil, "\(c): first difference at byte \(first ?? -1)")
            compared += 1
          }
        }
      }
    }
    // Most of the 150 cases fit the variant; the rest (too few pixels) are skipped.
    #expect(compared >= 100, "only \(compared) cases fitted the planar variant")
  }

  @Test func everyInputAndOutputChannelCountGivesTFLMsFormula() throws {
    // The scatter has one copy per input channel count (1…16) and row kind (long contiguous
    // rows, short rows, column stride 2); the accumulation one per width of the last block of
    // output channels (1…8). Every input count meets each row kind, and the output counts
    // cycle through 1…32, so every block width occurs with each.
    var random = Seeded(state: 0xC0C0)
    var compared = 0
    var outputDepth = 0
    for depth in 1...16 {
      for (width, stride) in [(18, (1, 1)), (9, (1, 1)), (13, (1, 2))] {
        outputDepth = outputDepth % 32 + 1
        let c = Self.makeCase(
          batches: 1, height: 12, width: width, depth: depth, outputDepth: outputDepth,
          filter: (3, 3), stride: stride, dilation: (1, 1), same: true, random: &random)
        guard PlanarConvolution.Layout(c.g) != nil else { continue }
        let actual = try Self.planar(c)
        let expected = Self.reference(c)
        let first = actual.indices.first { actual[$0] != expected[$0] }
        #expect(first == nil, "\(c): first difference at byte \(first ?? -1)")
        compared += 1
      }
    }
    #expect(compared == 48, "only \(compared) of 48 cases fitted the planar variant")
  }

  @Test func theRegisterTransposeSwapsRowsAndColumnsOfASixteenBySixteenBlock() {
    // Element (row r, column c) holds 16·r + c, so every element is distinct.
    func row(_ r: Int) -> SIMD16<Float> {
      var v = SIMD16<Float>()
      for c in 0..<16 { v[c] = Float(16 * r + c) }
      return v
    }
    var block: PlanarConvolution.Block16 = (
      row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7), row(8), row(9), row(10),
      row(11), row(12), row(13), row(14), row(15)
    )
    PlanarConvolution.transpose(&block)
    withUnsafeBytes(of: &block) { rows in
      for r in 0..<16 {
        let v = rows.load(fromByteOffset: 64 * r, as: SIMD16<Float>.self)
        for c in 0..<16 { #expect(v[c] == Float(16 * c + r), "row \(r), column \(c)") }
      }
    }
  }

  @Test func chunksAlignedToOutputRowsGiveTFLMsFormula() throws {
    // Rows of 16, 15, 31, 48, 64, 47 and 32 (at stride 2: 16) pixels: the layout starts chunks at
    // each output row, and a row's last chunk may be partial.
    var random = Seeded(state: 0xA11C)
    for (height, width, depth, outputDepth, stride) in [
      (8, 16, 3, 5, (1, 1)), (5, 15, 2, 8, (1, 1)), (7, 31, 4, 13, (1, 1)),
      (4, 48, 1, 3, (1, 1)), (16, 32, 16, 32, (2, 2)), (6, 32, 8, 16, (1, 1)),
      // 8 channels: rows scattered 32 pixels at a time, the rest (15) one by one.
      (4, 64, 8, 8, (1, 1)), (5, 47, 8, 3, (1, 1)),
    ] {
      let c = Self.makeCase(
        batches: 1, height: height, width: width, depth: depth, outputDepth: outputDepth,
        filter: (3, 3), stride: stride, dilation: (1, 1), same: true, random: &random)
      let layout = try #require(PlanarConvolution.Layout(c.g), "\(c)")
      #expect(layout.rowAlignedChunks, "\(c)")
      let actual = try Self.planar(c)
      let expected = Self.reference(c)
      let first = actual.indices.first { actual[$0] != expected[$0] }
      #expect(first == nil, "\(c): first difference at byte \(first ?? -1)")
    }
  }

  @Test func sixteenInputAndThirtyTwoOutputChannelsOnALargerImageGiveTFLMsFormula() throws {
    // The 1M-MAC benchmark's shapes and their neighbours: 16 input channels (one vector per
    // pixel when scattering, with and without a column stride), 8 with a column stride, four
    // blocks of output channels, a partial fourth block.
    var random = Seeded(state: 0xB16)
    var compared = 0
    for (depth, outputDepth, stride) in [
      (16, 32, (2, 2)), (16, 32, (1, 1)), (16, 27, (1, 2)), (8, 16, (2, 2)), (8, 30, (1, 1)),
      (12, 25, (2, 1)),
    ] {
      let c = Self.makeCase(
        batches: 1, height: 18, width: 20, depth: depth, outputDepth: outputDepth, filter: (3, 3),
        stride: stride, dilation: (1, 1), same: true, random: &random)
      let actual = try Self.planar(c)
      let expected = Self.reference(c)
      let first = actual.indices.first { actual[$0] != expected[$0] }
      #expect(first == nil, "\(c): first difference at byte \(first ?? -1)")
      compared += 1
    }
    #expect(compared == 6)
  }

  /// Images of one column and of a few, channel counts read as 4-, 8- and 16-byte vectors, with
  /// the input against an inaccessible page at its end (then at its start) and the output
  /// against one at its end: the scatter's vector reads and the 8-byte result stores stay
  /// inside the tensors.
  @Test(arguments: [true, false])
  func neitherReadsNorWritesOutsideTheTensors(inputAtPageEnd: Bool) throws {
    var random = Seeded(state: 0x6A2D)
    var compared = 0
    for (width, depth, outputDepth, stride) in [
      (1, 3, 5, (1, 1)), (1, 1, 3, (1, 1)), (2, 5, 8, (1, 1)), (3, 2, 6, (1, 1)),
      (5, 3, 13, (2, 2)), (7, 16, 32, (1, 2)), (20, 8, 17, (1, 1)), (9, 6, 3, (1, 2)),
    ] {
      let c = Self.makeCase(
        batches: 1, height: 40, width: width, depth: depth, outputDepth: outputDepth,
        filter: (3, Swift.min(3, width)), stride: stride, dilation: (1, 1), same: true,
        random: &random)
      guard PlanarConvolution.Layout(c.g) != nil else { continue }
      let actual = try Self.planar(c, guardedInputAtPageEnd: inputAtPageEnd)
      #expect(actual == Self.reference(c), "\(c)")
      compared += 1
    }
    #expect(compared >= 6, "only \(compared) cases fitted the planar variant")
  }

  @Test func theLongestReductionAtExtremeValuesIsExact() throws {
    // 8×8 taps × 4 channels = 256 products of (−128)·(−127) plus zero-point padding: the float
    // sums reach 2^22 − 2^15 in magnitude, the edge of the exact int32 conversion.
    var random = Seeded(state: 7)
    for (inputValue, weight) in [(Int8(-128), Int8(-127)), (-128, 127), (127, 127)] {
      var c = Self.makeCase(
        batches: 1, height: 8, width: 8, depth: 4, outputDepth: 3, filter: (8, 8),
        stride: (1, 1), dilation: (1, 1), same: true, random: &random)
      c.input = c.input.map { _ in inputValue }
      c.filter = c.filter.map { _ in weight }
      c.inputZeroPoint = Int32(inputValue)
      let actual = try Self.planar(c)
      #expect(actual == Self.reference(c), "x = \(inputValue), w = \(weight)")
      c.inputZeroPoint = 0
      #expect(try Self.planar(c) == Self.reference(c), "x = \(inputValue), w = \(weight), zp 0")
    }
  }

  @Test func theLayoutRefusesWhatTheVariantCannotComputeExactlyOrCheaply() {
    var random = Seeded(state: 11)
    let fits = Self.makeCase(
      batches: 1, height: 8, width: 8, depth: 4, outputDepth: 3, filter: (8, 8), stride: (1, 1),
      dilation: (1, 1), same: true, random: &random)
    #expect(PlanarConvolution.Layout(fits.g) != nil)
    // More than 256 products could exceed 2^22.
    var tooDeep = fits.g
    (tooDeep.inputWidth, tooDeep.outputWidth, tooDeep.filterWidth) = (9, 9, 9)
    #expect(PlanarConvolution.Layout(tooDeep) == nil)
    var tooManyInputs = fits.g
    (tooManyInputs.filterHeight, tooManyInputs.filterWidth) = (1, 1)
    (tooManyInputs.inputDepth, tooManyInputs.filterDepth) = (17, 17)
    #expect(PlanarConvolution.Layout(tooManyInputs) == nil)
    // 9 to 16 input channels only from 64 output pixels on.
    var nineInputs = tooManyInputs
    (nineInputs.inputDepth, nineInputs.filterDepth) = (9, 9)
    #expect(PlanarConvolution.Layout(nineInputs) != nil)
    (nineInputs.outputHeight, nineInputs.outputWidth) = (7, 8)
    #expect(PlanarConvolution.Layout(nineInputs) == nil)
    var fewPixels = fits.g
    (fewPixels.outputHeight, fewPixels.outputWidth) = (3, 5)
    #expect(PlanarConvolution.Layout(fewPixels) == nil)
    var grouped = fits.g
    grouped.groups = 2
    #expect(PlanarConvolution.Layout(grouped) == nil)
    // A row stride of 3 is left to the outer product.
    var rowStride = fits.g
    (rowStride.strideHeight, rowStride.outputHeight) = (3, 3)
    #expect(PlanarConvolution.Layout(rowStride) == nil)
    (rowStride.strideHeight, rowStride.outputHeight) = (2, 4)
    #expect(PlanarConvolution.Layout(rowStride) != nil)
    var columnStride = fits.g
    (columnStride.strideWidth, columnStride.outputWidth) = (2, 4)
    #expect(PlanarConvolution.Layout(columnStride) != nil)
    var manyOutputs = fits.g
    (manyOutputs.filterHeight, manyOutputs.filterWidth, manyOutputs.outputDepth) = (1, 1, 33)
    #expect(PlanarConvolution.Layout(manyOutputs) == nil)
    manyOutputs.outputDepth = 25
    #expect(PlanarConvolution.Layout(manyOutputs) != nil)
    (manyOutputs.outputHeight, manyOutputs.outputWidth) = (4, 5)
    #expect(PlanarConvolution.Layout(manyOutputs) == nil)
  }
}
