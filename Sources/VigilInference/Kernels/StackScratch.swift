/// Stack memory for a kernel's per-invoke tables: ``PixelBlocks/stackBytes`` bytes, 16-byte
/// aligned and uninitialized.
enum StackScratch {
  /// Calls `body` with the bytes.
  @inline(__always)
  static func with(_ body: (UnsafeMutableRawPointer) -> Void) {
    withUnsafeTemporaryAllocation(byteCount: PixelBlocks.stackBytes, alignment: 16) {
      body($0.baseAddress!)
    }
  }
}
