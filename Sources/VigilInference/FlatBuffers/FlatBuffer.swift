/// Bounds-checked, little-endian reading of a FlatBuffers buffer.
///
/// There is no FlatBuffers runtime for Swift here, and the TFLite schema needs only tables,
/// vectors, strings and scalars. Every read checks its bounds first and throws
/// ``ModelError`` with the byte offset, so no byte sequence can make the reader trap or read
/// outside the buffer. Offsets (`uoffset_t`) only point forward, so following them always ends.
struct FlatBuffer {
  /// The whole file.
  let bytes: UnsafeRawBufferPointer

  /// The file size in bytes.
  var count: Int { bytes.count }

  /// Throws unless `size` bytes starting at `offset` lie inside the buffer.
  @inline(__always)
  func check(_ offset: Int, _ size: Int, _ what: StaticString) throws(ModelError) {
    guard offset >= 0, size >= 0, offset <= bytes.count, size <= bytes.count - offset else {
      throw ModelError(
        .truncated, at: "byte \(offset)",
        "\(what) needs \(size) bytes but the file has \(bytes.count) bytes")
    }
  }

  func u8(_ offset: Int, _ what: StaticString) throws(ModelError) -> UInt8 {
    try check(offset, 1, what)
    return bytes[offset]
  }

  func u16(_ offset: Int, _ what: StaticString) throws(ModelError) -> UInt16 {
    try check(offset, 2, what)
    return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
  }

  func u32(_ offset: Int, _ what: StaticString) throws(ModelError) -> UInt32 {
    try check(offset, 4, what)
    return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }

  func i32(_ offset: Int, _ what: StaticString) throws(ModelError) -> Int32 {
    Int32(bitPattern: try u32(offset, what))
  }

  func u64(_ offset: Int, _ what: StaticString) throws(ModelError) -> UInt64 {
    try check(offset, 8, what)
    return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  func f32(_ offset: Int, _ what: StaticString) throws(ModelError) -> Float {
    Float(bitPattern: try u32(offset, what))
  }

  /// Follows the `uoffset_t` stored at `offset` to the position it points at.
  func indirect(_ offset: Int, _ what: StaticString) throws(ModelError) -> Int {
    let relative = Int(try u32(offset, what))
    let target = offset + relative
    guard relative != 0, target < bytes.count else {
      throw ModelError(
        .malformed, at: "byte \(offset)",
        "\(what): offset \(relative) points outside the \(bytes.count)-byte file")
    }
    return target
  }

  /// The root table of the buffer.
  func root() throws(ModelError) -> Table {
    try table(at: try indirect(0, "root table offset"), "root table")
  }

  /// The table whose start is at `position`, with its vtable checked.
  func table(at position: Int, _ what: StaticString) throws(ModelError) -> Table {
    let vtableOffset = Int(try i32(position, what))
    let vtable = position - vtableOffset
    try check(vtable, 4, what)
    let vtableSize = Int(try u16(vtable, what))
    let tableSize = Int(try u16(vtable + 2, what))
    guard vtableSize >= 4, vtableSize % 2 == 0 else {
      throw ModelError(
        .malformed, at: "byte \(vtable)", "\(what): vtable size \(vtableSize) is invalid")
    }
    try check(vtable, vtableSize, what)
    guard tableSize >= 4 else {
      throw ModelError(
        .malformed, at: "byte \(position)", "\(what): table size \(tableSize) is invalid")
    }
    try check(position, tableSize, what)
    return Table(
      buffer: self, position: position, vtable: vtable, vtableSize: vtableSize, tableSize: tableSize
    )
  }
}

/// A FlatBuffers table: fields found through its vtable, absent fields read as defaults.
struct Table {
  let buffer: FlatBuffer
  /// Offset of the table's first byte (its vtable offset).
  let position: Int
  let vtable: Int
  let vtableSize: Int
  let tableSize: Int

  /// The byte offset of field `slot`'s value, or `nil` when the field is absent.
  /// Throws when the vtable places the field (of `size` bytes) outside the table.
  func fieldOffset(_ slot: Int, size: Int, _ what: StaticString) throws(ModelError) -> Int? {
    let entry = 4 + 2 * slot
    guard entry + 2 <= vtableSize else { return nil }
    let relative = Int(try buffer.u16(vtable + entry, what))
    guard relative != 0 else { return nil }
    guard relative + size <= tableSize else {
      throw ModelError(
        .malformed, at: "byte \(position)",
        "\(what): field lies outside its \(tableSize)-byte table")
    }
    return position + relative
  }

  func u8(_ slot: Int, default value: UInt8, _ what: StaticString) throws(ModelError) -> UInt8 {
    guard let at = try fieldOffset(slot, size: 1, what) else { return value }
    return try buffer.u8(at, what)
  }

  func i8(_ slot: Int, default value: Int8, _ what: StaticString) throws(ModelError) -> Int8 {
    Int8(bitPattern: try u8(slot, default: UInt8(bitPattern: value), what))
  }

  func bool(_ slot: Int, _ what: StaticString) throws(ModelError) -> Bool {
    try u8(slot, default: 0, what) != 0
  }

  func i32(_ slot: Int, default value: Int32, _ what: StaticString) throws(ModelError) -> Int32 {
    guard let at = try fieldOffset(slot, size: 4, what) else { return value }
    return try buffer.i32(at, what)
  }

  func u32(_ slot: Int, default value: UInt32, _ what: StaticString) throws(ModelError) -> UInt32 {
    guard let at = try fieldOffset(slot, size: 4, what) else { return value }
    return try buffer.u32(at, what)
  }

  func u64(_ slot: Int, default value: UInt64, _ what: StaticString) throws(ModelError) -> UInt64 {
    guard let at = try fieldOffset(slot, size: 8, what) else { return value }
    return try buffer.u64(at, what)
  }

  func f32(_ slot: Int, default value: Float, _ what: StaticString) throws(ModelError) -> Float {
    guard let at = try fieldOffset(slot, size: 4, what) else { return value }
    return try buffer.f32(at, what)
  }

  /// The sub-table in field `slot`, or `nil` when absent.
  func table(_ slot: Int, _ what: StaticString) throws(ModelError) -> Table? {
    guard let at = try fieldOffset(slot, size: 4, what) else { return nil }
    return try buffer.table(at: try buffer.indirect(at, what), what)
  }

  /// The vector in field `slot` with elements of `elementSize` bytes, or `nil` when absent.
  func vector(_ slot: Int, elementSize: Int, _ what: StaticString) throws(ModelError) -> Vector? {
    guard let at = try fieldOffset(slot, size: 4, what) else { return nil }
    let start = try buffer.indirect(at, what)
    let count = Int(try buffer.u32(start, what))
    let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
    guard !overflow else {
      throw ModelError(
        .malformed, at: "byte \(start)", "\(what): vector length \(count) is too large")
    }
    try buffer.check(start + 4, bytes, what)
    return Vector(buffer: buffer, start: start + 4, count: count, elementSize: elementSize)
  }

  /// The string in field `slot`, or `nil` when absent. Invalid UTF-8 is repaired, not fatal.
  func string(_ slot: Int, _ what: StaticString) throws(ModelError) -> String? {
    guard let vector = try vector(slot, elementSize: 1, what) else { return nil }
    let slice = UnsafeRawBufferPointer(
      rebasing: buffer.bytes[vector.start..<(vector.start + vector.count)])
    return String(decoding: slice, as: UTF8.self)
  }
}

/// A FlatBuffers vector whose elements are checked to lie inside the buffer.
struct Vector {
  let buffer: FlatBuffer
  /// Offset of the first element.
  let start: Int
  /// Number of elements.
  let count: Int
  let elementSize: Int

  func i32(_ index: Int, _ what: StaticString) throws(ModelError) -> Int32 {
    try buffer.i32(start + 4 * index, what)
  }

  func i64(_ index: Int, _ what: StaticString) throws(ModelError) -> Int64 {
    Int64(bitPattern: try buffer.u64(start + 8 * index, what))
  }

  func f32(_ index: Int, _ what: StaticString) throws(ModelError) -> Float {
    try buffer.f32(start + 4 * index, what)
  }

  /// The table that element `index` (a `uoffset_t`) points at.
  func table(_ index: Int, _ what: StaticString) throws(ModelError) -> Table {
    try buffer.table(at: try buffer.indirect(start + 4 * index, what), what)
  }

  /// The raw bytes of the vector (for `[ubyte]` vectors).
  var bytes: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: buffer.bytes[start..<(start + count * elementSize)])
  }
}
