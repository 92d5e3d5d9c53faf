/// Multi-byte register reads that pick the transfer the adapter supports.
///
/// Sensor registers wider than a byte (MAX30205, TMP117) and register runs (the MAX30102's FIFO
/// pointers) are read in wire order, most significant byte first. An SMBus "read word" would
/// deliver such a register byte-swapped (SMBus words are little-endian), so Vigil reads them
/// with a combined write-then-read when the adapter speaks plain I2C, or with an SMBus I2C block
/// read otherwise (the kernel's `i2c-stub` and many SMBus controllers support only the latter).
extension I2CBus {
  /// Reads `count` consecutive bytes from `register` in the order the device sends them.
  ///
  /// Uses ``writeRead(at:write:readCount:)`` when ``functionality`` has
  /// ``I2CFunctionality/plainI2C``, else ``readBlock(at:register:count:)`` (at most 32 bytes),
  /// and checks that exactly `count` bytes came back.
  public func readRegisters(at address: I2CAddress, register: UInt8, count: Int) throws(I2CError)
    -> [UInt8]
  {
    let bytes: [UInt8]
    if functionality.contains(.plainI2C) {
      bytes = try writeRead(at: address, write: [register], readCount: count)
    } else if functionality.contains(.smbusReadI2CBlock) {
      guard count >= 1 && count <= 32 else {
        throw .invalidRequest(reason: "SMBus block read of \(count) bytes (1-32 allowed)")
      }
      bytes = try readBlock(at: address, register: register, count: count)
    } else {
      throw .unsupported(
        operation: "read \(count) bytes (needs I2C_FUNC_I2C or I2C_FUNC_SMBUS_READ_I2C_BLOCK)")
    }
    guard bytes.count == count else {
      throw .invalidRequest(
        reason: "short read at register \(register): \(bytes.count) of \(count) bytes")
    }
    return bytes
  }

  /// Reads a 16-bit register sent most significant byte first (MAX30205, TMP117).
  public func readBigEndianWord(at address: I2CAddress, register: UInt8) throws(I2CError)
    -> UInt16
  {
    let bytes = try readRegisters(at: address, register: register, count: 2)
    return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
  }
}
