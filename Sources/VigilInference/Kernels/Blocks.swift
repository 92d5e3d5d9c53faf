/// Element-wise work in fixed blocks of 16 elements.
///
/// LLVM vectorizes a loop of unknown length at the widest factor it likes (64 int8 lanes with
/// AVX-512), which leaves a tensor of a few dozen elements entirely to the scalar remainder
/// loop. A loop of exactly 16 iterations is vectorized 16 lanes wide instead, so kernels run
/// their per-element arithmetic in blocks of 16:
/// - whole blocks read and write the tensors in place;
/// - when at least 16 elements remain in all, the last partial block is computed as the last
///   16 elements, recomputing a few already written (the functions are pure and the output
///   never overlaps the input, so they get the same values);
/// - fewer than 16 elements in all are staged through a buffer on the stack.
///
/// Nothing outside the tensors is read or written.
enum Blocks {
  /// Elements per block.
  static let width = 16

  /// Calls `block` with the input and output addresses of blocks of 16 elements covering all
  /// `count` elements. The output must not overlap the input.
  @inline(__always)
  static func map<Input, Output>(
    _ input: UnsafePointer<Input>, _ output: UnsafeMutablePointer<Output>, count: Int,
    _ block: (UnsafePointer<Input>, UnsafeMutablePointer<Output>) -> Void
  ) {
    guard count >= width else {
      if count > 0 { staged(input, output, count: count, block) }
      return
    }
    var i = 0
    while i &+ width <= count {
      block(input + i, output + i)
      i &+= width
    }
    if i < count { block(input + (count &- width), output + (count &- width)) }
  }

  /// Runs `block` once on `count` (< 16) elements copied to a stack buffer, and copies its
  /// first `count` results out.
  @inline(never)
  static func staged<Input, Output>(
    _ input: UnsafePointer<Input>, _ output: UnsafeMutablePointer<Output>, count: Int,
    _ block: (UnsafePointer<Input>, UnsafeMutablePointer<Output>) -> Void
  ) {
    precondition(MemoryLayout<Input>.stride <= 8 && MemoryLayout<Output>.stride <= 8)
    withStackBuffer { buffer in
      let stagedInput = buffer.bindMemory(to: Input.self, capacity: width)
      let stagedOutput = (buffer + 8 * width).bindMemory(to: Output.self, capacity: width)
      for j in 0..<count { (stagedInput + j).initialize(to: input[j]) }
      block(UnsafePointer(stagedInput), stagedOutput)
      for j in 0..<count { output[j] = stagedOutput[j] }
    }
  }

  /// Calls `body` with 256 zeroed bytes on the stack, 16-byte aligned (room for two blocks of
  /// elements of up to 8 bytes; zeroed, so every lane of a staged block holds a valid value).
  @inline(__always)
  static func withStackBuffer(_ body: (UnsafeMutableRawPointer) -> Void) {
    var storage = (SIMD16<UInt64>(), SIMD16<UInt64>())
    withUnsafeMutableBytes(of: &storage) { body($0.baseAddress!) }
  }
}
