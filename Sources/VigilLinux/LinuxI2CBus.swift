import CI2C
import Glibc
import VigilSensors

/// An I2C adapter through the kernel's i2c-dev interface (`/dev/i2c-N`).
///
/// It asks the adapter what it can do once, at open (`I2C_FUNCS`), selects the target per
/// transfer with `I2C_SLAVE` (only when the address changes), runs SMBus transfers through
/// libi2c's `i2c_smbus_access` (`I2C_SMBUS`) and combined transfers through `I2C_RDWR`. On an
/// adapter without plain I2C (SMBus-only controllers, the kernel's `i2c-stub`), or when
/// `I2C_RDWR` answers `EOPNOTSUPP`, ``writeRead(at:write:readCount:)`` falls back to the SMBus
/// transfer that means the same thing on the wire.
///
/// errno values map to ``I2CError`` as its documentation says: ENXIO or ENODEV become
/// ``I2CError/noDevice(address:)``, EREMOTEIO ``I2CError/nak(address:)``, ETIMEDOUT
/// ``I2CError/timeout(address:)``, EOPNOTSUPP ``I2CError/unsupported(operation:)``, anything
/// else ``I2CError/io(address:errno:)``; EINTR is retried.
public final class LinuxI2CBus: I2CBus {
  /// The device node, as `/dev/i2c-1`.
  public let path: String
  /// What the adapter reported for `I2C_FUNCS` when it was opened.
  public let functionality: I2CFunctionality

  private let descriptor: Int32
  private var selectedAddress: I2CAddress?
  private var combinedTransfersRefused = false

  /// Opens `/dev/i2c-<busNumber>` (`open`, then `ioctl(I2C_FUNCS)`).
  public convenience init(busNumber: Int) throws(I2CError) {
    try self.init(path: "/dev/i2c-\(busNumber)")
  }

  /// Opens the i2c-dev node at `path` (`open`, then `ioctl(I2C_FUNCS)`); throws
  /// ``I2CError/busUnavailable(path:errno:)`` when it is missing, not permitted or not an
  /// I2C adapter.
  public init(path: String) throws(I2CError) {
    self.path = path
    let descriptor: Int32
    do {
      descriptor = try Syscall.open(path, flags: O_RDWR)
    } catch {
      throw .busUnavailable(path: path, errno: error.rawValue)
    }
    var bits: UInt = 0
    do {
      try Syscall.ioctl(descriptor, UInt(I2C_FUNCS), &bits)
    } catch {
      Syscall.close(descriptor)
      throw .busUnavailable(path: path, errno: error.rawValue)
    }
    self.descriptor = descriptor
    self.functionality = I2CFunctionality(rawValue: UInt32(truncatingIfNeeded: bits))
  }

  deinit { Syscall.close(descriptor) }

  /// Reads one register byte with an SMBus read byte data transfer.
  public func readByte(at address: I2CAddress, register: UInt8) throws(I2CError) -> UInt8 {
    var data = i2c_smbus_data()
    try smbus(
      address, read: true, command: register, size: I2C_SMBUS_BYTE_DATA, data: &data,
      needs: .smbusReadByteData, operation: "SMBus read byte data")
    return data.byte
  }

  /// Writes one register byte with an SMBus write byte data transfer.
  public func writeByte(at address: I2CAddress, register: UInt8, value: UInt8) throws(I2CError) {
    var data = i2c_smbus_data()
    data.byte = value
    try smbus(
      address, read: false, command: register, size: I2C_SMBUS_BYTE_DATA, data: &data,
      needs: .smbusWriteByteData, operation: "SMBus write byte data")
  }

  /// Reads a 16-bit register with an SMBus read word data transfer. SMBus sends the low byte
  /// first, so a chip that sends its most significant byte first (MAX30205, TMP117) arrives
  /// byte-swapped.
  public func readWord(at address: I2CAddress, register: UInt8) throws(I2CError) -> UInt16 {
    var data = i2c_smbus_data()
    try smbus(
      address, read: true, command: register, size: I2C_SMBUS_WORD_DATA, data: &data,
      needs: .smbusReadWordData, operation: "SMBus read word data")
    return data.word
  }

  /// Writes a 16-bit register with an SMBus write word data transfer (low byte first).
  public func writeWord(at address: I2CAddress, register: UInt8, value: UInt16) throws(I2CError) {
    var data = i2c_smbus_data()
    data.word = value
    try smbus(
      address, read: false, command: register, size: I2C_SMBUS_WORD_DATA, data: &data,
      needs: .smbusWriteWordData, operation: "SMBus write word data")
  }

  /// Reads `count` (1-32) bytes from `register` with an SMBus I2C block read, or with a
  /// combined `I2C_RDWR` transfer when the adapter has no I2C block read.
  public func readBlock(at address: I2CAddress, register: UInt8, count: Int) throws(I2CError)
    -> [UInt8]
  {
    guard (1...Int(I2C_SMBUS_BLOCK_MAX)).contains(count) else {
      throw .invalidRequest(reason: "block read of \(count) bytes from \(address); 1-32 allowed")
    }
    if functionality.contains(.smbusReadI2CBlock) {
      return try smbusBlockRead(address, register: register, count: count)
    }
    if functionality.contains(.plainI2C) {
      return try combined(address, write: [register], readCount: count)
    }
    throw .unsupported(operation: "I2C block read on \(path)")
  }

  /// Writes `bytes` (1-32) starting at `register` with an SMBus I2C block write, or a plain
  /// `I2C_RDWR` write when the adapter has no I2C block write.
  public func writeBlock(at address: I2CAddress, register: UInt8, bytes: [UInt8])
    throws(I2CError)
  {
    guard (1...Int(I2C_SMBUS_BLOCK_MAX)).contains(bytes.count) else {
      throw .invalidRequest(
        reason: "block write of \(bytes.count) bytes to \(address); 1-32 allowed")
    }
    if functionality.contains(.smbusWriteI2CBlock) {
      var data = i2c_smbus_data()
      withUnsafeMutableBytes(of: &data.block) { block in
        block[0] = UInt8(bytes.count)
        for (index, byte) in bytes.enumerated() { block[index + 1] = byte }
      }
      try smbus(
        address, read: false, command: register, size: I2C_SMBUS_I2C_BLOCK_DATA, data: &data,
        needs: .smbusWriteI2CBlock, operation: "I2C block write")
      return
    }
    if functionality.contains(.plainI2C) {
      _ = try combined(address, write: [register] + bytes, readCount: 0)
      return
    }
    throw .unsupported(operation: "I2C block write on \(path)")
  }

  /// Writes `bytes`, then reads `readCount` bytes, as one `I2C_RDWR` transfer with a repeated
  /// start. Where the adapter has no plain I2C, the same bus transaction is done with an SMBus
  /// transfer when one exists (one register byte then a 1-32 byte read; a 1-33 byte write);
  /// anything else throws ``I2CError/unsupported(operation:)``.
  public func writeRead(at address: I2CAddress, write bytes: [UInt8], readCount: Int)
    throws(I2CError) -> [UInt8]
  {
    guard readCount >= 0, bytes.count + readCount > 0 else {
      throw .invalidRequest(reason: "empty transfer to \(address)")
    }
    guard bytes.count <= Self.maximumMessageLength, readCount <= Self.maximumMessageLength else {
      throw .invalidRequest(
        reason: "transfer of \(bytes.count)+\(readCount) bytes to \(address); "
          + "at most \(Self.maximumMessageLength) per message")
    }
    if functionality.contains(.plainI2C) && !combinedTransfersRefused {
      do {
        return try combined(address, write: bytes, readCount: readCount)
      } catch .unsupported {
        // The adapter advertised I2C but refused I2C_RDWR: use SMBus from now on.
        combinedTransfersRefused = true
      }
    }
    return try smbusEquivalent(address, write: bytes, readCount: readCount)
  }

  /// The kernel's limit for one `I2C_RDWR` message (`drivers/i2c/i2c-dev.c`).
  static let maximumMessageLength = 8192

  // MARK: Transfers

  private func smbusEquivalent(_ address: I2CAddress, write bytes: [UInt8], readCount: Int)
    throws(I2CError) -> [UInt8]
  {
    let blockMax = Int(I2C_SMBUS_BLOCK_MAX)
    switch (bytes.count, readCount) {
    case (1, 1) where functionality.contains(.smbusReadByteData):
      return [try readByte(at: address, register: bytes[0])]
    case (1, 1...blockMax) where functionality.contains(.smbusReadI2CBlock):
      return try smbusBlockRead(address, register: bytes[0], count: readCount)
    case (0, 1) where functionality.contains(Self.smbusReadByte):
      var data = i2c_smbus_data()
      try smbus(
        address, read: true, command: 0, size: I2C_SMBUS_BYTE, data: &data,
        needs: Self.smbusReadByte, operation: "SMBus receive byte")
      return [data.byte]
    case (1, 0) where functionality.contains(Self.smbusWriteByte):
      try smbus(
        address, read: false, command: bytes[0], size: I2C_SMBUS_BYTE, data: nil,
        needs: Self.smbusWriteByte, operation: "SMBus send byte")
      return []
    case (2, 0) where functionality.contains(.smbusWriteByteData):
      try writeByte(at: address, register: bytes[0], value: bytes[1])
      return []
    case (3...(blockMax + 1), 0) where functionality.contains(.smbusWriteI2CBlock):
      try writeBlock(at: address, register: bytes[0], bytes: Array(bytes[1...]))
      return []
    default:
      throw .unsupported(
        operation: "combined transfer writing \(bytes.count) and reading \(readCount) bytes "
          + "on \(path), which has no plain I2C (I2C_RDWR) and no SMBus equivalent")
    }
  }

  private func smbusBlockRead(_ address: I2CAddress, register: UInt8, count: Int)
    throws(I2CError) -> [UInt8]
  {
    var data = i2c_smbus_data()
    withUnsafeMutableBytes(of: &data.block) { $0[0] = UInt8(count) }
    try smbus(
      address, read: true, command: register, size: I2C_SMBUS_I2C_BLOCK_DATA, data: &data,
      needs: .smbusReadI2CBlock, operation: "I2C block read")
    return try withUnsafeBytes(of: &data.block) { block throws(I2CError) -> [UInt8] in
      guard Int(block[0]) == count else {
        throw .io(address: address, errno: EPROTO)
      }
      return Array(block[1...count])
    }
  }

  private func smbus(
    _ address: I2CAddress, read: Bool, command: UInt8, size: Int32,
    data: UnsafeMutablePointer<i2c_smbus_data>?, needs bit: I2CFunctionality, operation: String
  ) throws(I2CError) {
    guard functionality.contains(bit) else {
      throw .unsupported(operation: "\(operation) on \(path)")
    }
    try select(address, operation: operation)
    do {
      try Syscall.smbusAccess(descriptor, read: read, command: command, size: size, data: data)
    } catch {
      throw failure(error, address: address, operation: operation)
    }
  }

  private func combined(_ address: I2CAddress, write bytes: [UInt8], readCount: Int)
    throws(I2CError) -> [UInt8]
  {
    guard address.rawValue <= 0x7F else {
      throw .invalidRequest(reason: "\(address) is not a 7-bit I2C address")
    }
    var outgoing = bytes
    var incoming = [UInt8](repeating: 0, count: readCount)
    let outcome: Errno? = outgoing.withUnsafeMutableBufferPointer { output in
      incoming.withUnsafeMutableBufferPointer { input -> Errno? in
        var messages: [i2c_msg] = []
        if let base = output.baseAddress {
          messages.append(
            i2c_msg(addr: UInt16(address.rawValue), flags: 0, len: UInt16(output.count), buf: base))
        }
        if let base = input.baseAddress {
          messages.append(
            i2c_msg(
              addr: UInt16(address.rawValue), flags: UInt16(I2C_M_RD), len: UInt16(input.count),
              buf: base))
        }
        return messages.withUnsafeMutableBufferPointer { list -> Errno? in
          var request = i2c_rdwr_ioctl_data(msgs: list.baseAddress, nmsgs: UInt32(list.count))
          do throws(Errno) {
            try Syscall.ioctl(descriptor, UInt(I2C_RDWR), &request)
            return nil
          } catch {
            return error
          }
        }
      }
    }
    if let outcome {
      throw failure(outcome, address: address, operation: "combined I2C transfer (I2C_RDWR)")
    }
    return incoming
  }

  private func select(_ address: I2CAddress, operation: String) throws(I2CError) {
    guard address.rawValue <= 0x7F else {
      throw .invalidRequest(reason: "\(address) is not a 7-bit I2C address")
    }
    if selectedAddress == address { return }
    selectedAddress = nil
    do {
      try Syscall.ioctl(descriptor, UInt(I2C_SLAVE), value: UInt(address.rawValue))
    } catch {
      throw failure(error, address: address, operation: "selecting the target (I2C_SLAVE)")
    }
    selectedAddress = address
  }

  private func failure(_ error: Errno, address: I2CAddress, operation: String) -> I2CError {
    switch error {
    case .noSuchDeviceOrAddress, .noSuchDevice: return .noDevice(address: address)
    case .remoteIO: return .nak(address: address)
    case .timedOut: return .timeout(address: address)
    case .notSupported: return .unsupported(operation: "\(operation) on \(path)")
    default: return .io(address: address, errno: error.rawValue)
    }
  }

  /// SMBus receive byte (`I2C_FUNC_SMBUS_READ_BYTE`), which ``I2CFunctionality`` does not name.
  static let smbusReadByte = I2CFunctionality(rawValue: UInt32(I2C_FUNC_SMBUS_READ_BYTE))
  /// SMBus send byte (`I2C_FUNC_SMBUS_WRITE_BYTE`).
  static let smbusWriteByte = I2CFunctionality(rawValue: UInt32(I2C_FUNC_SMBUS_WRITE_BYTE))
}
