/// DEPTHWISE_CONV_2D for inputs of at most 16 channels, in blocks of neighbouring output pixels
/// (``PixelBlocks``).
///
/// A block's 16 lanes are `P = 16 / C` output pixels × `C` input channels; for each depth
/// multiplier index `m` in turn the block's int32 sums stay in registers while it runs over the
/// filter taps (per tap: one 16-byte load of input, one of weights, a widening multiply and an
/// add), are requantized together (``ChannelParameters``' branch-free arithmetic on 16 lanes)
/// and stored to output channels `c·M + m`.
///
/// The arithmetic is ``DepthwiseConv2DKernel``'s: `−zp_in × Σ w` folded into the bias over all
/// taps, and taps outside the image read padding pixels of value `zp_in`.
final class DepthwiseConv2DRowsKernel: OperatorKernel {
  /// The largest depth multiplier this variant takes (its tables are on the stack).
  static let maximumMultiplier = 4
  /// The largest weight table this variant keeps (16 bytes per multiplier index and tap).
  static let maximumWeightBytes = 4096

  /// The blocks' plan: geometry, row layout and where the copies live.
  private let blocks: PixelBlocks
  /// The depth multiplier `M`.
  private let multiplier: Int32
  /// The input and output tensors and the arena scratch for row copies.
  private let inputIndex: Int32, outputIndex: Int32, scratchIndex: Int32
  /// Per-channel bias (zero-point fold included) and requantization, in the file's channel order.
  private let channels: ChannelParameters
  /// `[m][tap][lane]`: the weight of lane `p·C + c` (pixel `p`, channel `c`) is that of output
  /// channel `c·M + m`; 0 in unused lanes.
  private let weights: UnsafeMutablePointer<Int8>
  /// The bound input, output and scratch.
  private var input: UnsafePointer<Int8>!
  private var output: UnsafeMutablePointer<Int8>!
  private var scratch: UnsafeMutablePointer<Int8>!

  /// Plans the blocks for geometry `g`, or returns `nil` when it is outside this variant's
  /// limits (the caller then uses the general kernel).
  static func blocks(for g: DepthwiseConv2DKernel.Geometry, inputZeroPoint: Int32) -> PixelBlocks? {
    let taps = g.filterHeight * g.filterWidth
    guard g.depthMultiplier <= Self.maximumMultiplier,
      g.depthMultiplier * taps * 16 <= Self.maximumWeightBytes
    else { return nil }
    return PixelBlocks(
      batches: g.batches, inputHeight: g.inputHeight, inputWidth: g.inputWidth,
      depth: g.inputDepth, outputHeight: g.outputHeight, outputWidth: g.outputWidth,
      filterHeight: g.filterHeight, filterWidth: g.filterWidth, strideHeight: g.strideHeight,
      strideWidth: g.strideWidth, dilationHeight: g.dilationHeight,
      dilationWidth: g.dilationWidth, padTop: g.padTop, padLeft: g.padLeft,
      padValue: Int8(truncatingIfNeeded: inputZeroPoint))
  }

  /// Prepares the variant for geometry `g` with `blocks` from ``blocks(for:inputZeroPoint:)``;
  /// `filter` is in the file's layout and `channels` in the file's channel order.
  init(
    _ g: DepthwiseConv2DKernel.Geometry, blocks: PixelBlocks, filter: UnsafePointer<Int8>,
    inputIndex: Int, outputIndex: Int, channels: consuming ChannelParameters,
    context: inout PrepareContext
  ) {
    let depth = g.inputDepth
    let multiplier = g.depthMultiplier
    let taps = g.filterHeight * g.filterWidth
    self.channels = channels
    let count = depth * multiplier
    let pixels = Int(blocks.pixels)
    weights = .allocate(capacity: multiplier * taps * 16)
    for m in 0..<multiplier {
      for tap in 0..<taps {
        let lanes = weights + (m * taps + tap) * 16
        lanes.initialize(repeating: 0, count: 16)
        for p in 0..<pixels {
          for c in 0..<depth { lanes[p * depth + c] = filter[tap * count + c * multiplier + m] }
        }
      }
    }
    self.blocks = blocks
    self.multiplier = Int32(multiplier)
    self.inputIndex = Int32(inputIndex)
    self.outputIndex = Int32(outputIndex)
    scratchIndex = Int32(context.requestScratch(bytes: blocks.scratchBytes))
  }

  /// Frees the weight table.
  deinit { weights.deallocate() }

  /// Takes the arena addresses of the input, output and scratch.
  override func bind(_ memory: TensorMemory) {
    input = UnsafePointer(memory.int8(inputIndex))
    output = memory.int8(outputIndex)
    scratch = memory.scratch(scratchIndex).assumingMemoryBound(to: Int8.self)
  }

  /// Runs every output row block by block: per-lane constants to stack tables, then for each
  /// block and multiplier index the tap sums, requantized and stored.
  override func invoke() {
    let blocks = self.blocks
    let depth = Int(blocks.depth)
    let multiplier = Int(self.multiplier)
    let count = depth &* multiplier
    let outputWidth = Int(blocks.outputWidth)
    let taps = blocks.taps
    let pixels = Int(blocks.pixels)
    let outputEnd = output + Int(blocks.batches) &* Int(blocks.outputHeight) &* outputWidth &* count
    let (zeroPoint, low, high) = (
      channels.outputZeroPoint, channels.activationMin, channels.activationMax
    )

    StackScratch.with { stack in
      StackScratch.with { tables in
        // 16 lanes per m of bias, multipliers and shifts.
        let tapPointers = stack.bindMemory(
          to: UnsafePointer<Int8>.self, capacity: PixelBlocks.maximumTaps)
        let bias = tables.bindMemory(to: Int32.self, capacity: 16 * Self.maximumMultiplier)
        let multipliers = (tables + 256).bindMemory(
          to: Int32.self, capacity: 16 * Self.maximumMultiplier)
        let shifts = (tables + 512).bindMemory(to: Int8.self, capacity: 16 * Self.maximumMultiplier)
        for m in 0..<multiplier {
          var lane = m &* 16
          for _ in 0..<pixels {
            for c in 0..<depth {
              let channel = c &* multiplier &+ m
              bias[lane] = channels.bias[channel]
              multipliers[lane] = channels.multiplier(channel)
              shifts[lane] = channels.shift(channel)
              lane &+= 1
            }
          }
          while lane < m &* 16 &+ 16 {
            (bias[lane], multipliers[lane], shifts[lane]) = (0, 0, 0)
            lane &+= 1
          }
        }

        var out = output!
        blocks.forEachOutputRow(input: input, scratch: scratch, stack: stack) { _ in
          for block in 0..<Int(blocks.blocks) {
            let first = block &* pixels
            let valid = Swift.min(pixels, outputWidth &- first)
            let offset = first &* depth
            for m in 0..<multiplier {
              let sums = Self.accumulate(
                tapPointers, taps: taps, offset: offset, weights + m &* taps &* 16)
              let result = Self.requantize(
                sums, bias: bias + m &* 16, multipliers: multipliers + m &* 16,
                shifts: shifts + m &* 16, zeroPoint: zeroPoint, low: low, high: high)
              if multiplier == 1 {
                PixelBlocks.store(result, count: valid &* depth, at: out, end: outputEnd)
              } else {
                var lane = 0
                for pixel in 0..<valid {
                  let destination = out + (pixel &* count &+ m)
                  for c in 0..<depth { destination[c &* multiplier] = result[lane &+ c] }
                  lane &+= depth
                }
              }
            }
            out += valid &* count
          }
        }
      }
    }
  }

  /// The 16 lanes' sums over every tap: `Σ_t x_t[offset + i] · w[t][i]`.
  @inline(__always)
  private static func accumulate(
    _ taps: UnsafeMutablePointer<UnsafePointer<Int8>>, taps count: Int, offset: Int,
    _ weights: UnsafePointer<Int8>
  ) -> SIMD16<Int32> {
    var sums = SIMD16<Int32>()
    var w = weights
    for t in 0..<count {
      let x = taps[t] + offset
      var products = SIMD16<Int32>()
      for i in 0..<16 { products[i] = Int32(x[i]) &* Int32(w[i]) }
      sums &+= products
      w += 16
    }
    return sums
  }

  /// Requantizes 16 lanes of sums with per-lane bias, multiplier and shift.
  @inline(__always)
  private static func requantize(
    _ sums: SIMD16<Int32>, bias: UnsafePointer<Int32>, multipliers: UnsafePointer<Int32>,
    shifts: UnsafePointer<Int8>, zeroPoint: Int32, low: Int32, high: Int32
  ) -> SIMD16<Int8> {
    var x = sums
    var result = SIMD16<Int8>()
    withUnsafeBytes(of: &x) { xBytes in
      withUnsafeMutableBytes(of: &result) { resultBytes in
        let a = xBytes.baseAddress!.assumingMemoryBound(to: Int32.self)
        let r = resultBytes.baseAddress!.assumingMemoryBound(to: Int8.self)
        for i in 0..<16 {
          r[i] = ChannelParameters.requantize(
            a[i] &+ bias[i], multiplier: multipliers[i], shift: Int32(shifts[i]),
            zeroPoint: zeroPoint, low: low, high: high)
        }
      }
    }
    return result
  }
}
