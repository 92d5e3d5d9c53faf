import VigilCore

/// A 7-bit I2C target address.
public struct I2CAddress: Hashable, Sendable, CustomStringConvertible {
  /// The 7-bit address (0x03-0x77 for ordinary devices).
  public var rawValue: UInt8
  /// Creates an address from its 7-bit value.
  public init(_ rawValue: UInt8) { self.rawValue = rawValue }
  /// The address as `0x57`.
  public var description: String {
    let digits: [Character] = [
      "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f",
    ]
    return "0x" + String(digits[Int(rawValue >> 4)]) + String(digits[Int(rawValue & 0xF)])
  }
}

/// What an I2C adapter can do, as the kernel's `I2C_FUNCS` ioctl reports it.
///
/// The bit values are the kernel's `I2C_FUNC_*` constants (`linux/i2c.h`), so a Linux backend
/// can pass the ioctl's answer straight through.
public struct I2CFunctionality: OptionSet, Hashable, Sendable {
  /// The raw `I2C_FUNC_*` bits.
  public var rawValue: UInt32
  /// Creates a set from raw `I2C_FUNC_*` bits.
  public init(rawValue: UInt32) { self.rawValue = rawValue }

  /// Plain I2C messages (`I2C_FUNC_I2C`): combined write-then-read through `I2C_RDWR`.
  public static let plainI2C = I2CFunctionality(rawValue: 0x0000_0001)
  /// SMBus read byte data (`I2C_FUNC_SMBUS_READ_BYTE_DATA`).
  public static let smbusReadByteData = I2CFunctionality(rawValue: 0x0008_0000)
  /// SMBus write byte data (`I2C_FUNC_SMBUS_WRITE_BYTE_DATA`).
  public static let smbusWriteByteData = I2CFunctionality(rawValue: 0x0010_0000)
  /// SMBus read word data (`I2C_FUNC_SMBUS_READ_WORD_DATA`).
  public static let smbusReadWordData = I2CFunctionality(rawValue: 0x0020_0000)
  /// SMBus write word data (`I2C_FUNC_SMBUS_WRITE_WORD_DATA`).
  public static let smbusWriteWordData = I2CFunctionality(rawValue: 0x0040_0000)
  /// I2C block read of up to 32 bytes (`I2C_FUNC_SMBUS_READ_I2C_BLOCK`).
  public static let smbusReadI2CBlock = I2CFunctionality(rawValue: 0x0400_0000)
  /// I2C block write of up to 32 bytes (`I2C_FUNC_SMBUS_WRITE_I2C_BLOCK`).
  public static let smbusWriteI2CBlock = I2CFunctionality(rawValue: 0x0800_0000)
}

/// Why an I2C transaction failed.
///
/// Linux backends map errno values here (ENXIO or ENODEV: ``noDevice``; EREMOTEIO: ``nak``;
/// ETIMEDOUT: ``timeout``; EOPNOTSUPP: ``unsupported``; anything else: ``io``), with EINTR
/// retried before it gets this far.
public enum I2CError: Error, Hashable, Sendable {
  /// The bus itself could not be opened (`path`, `errno`).
  case busUnavailable(path: String, errno: Int32)
  /// No device acknowledged `address`.
  case noDevice(address: I2CAddress)
  /// The device at `address` did not acknowledge a byte mid-transfer.
  case nak(address: I2CAddress)
  /// The transfer to `address` timed out.
  case timeout(address: I2CAddress)
  /// The adapter cannot perform `operation` (see ``I2CFunctionality``).
  case unsupported(operation: String)
  /// Another input/output failure, with the errno the kernel reported.
  case io(address: I2CAddress, errno: Int32)
  /// The request was malformed before it reached the bus (for example a block over 32 bytes).
  case invalidRequest(reason: String)
}

/// One I2C adapter: the interface chip drivers are written against.
///
/// The Linux backend (`VigilLinux.LinuxI2CBus`) implements it over `/dev/i2c-N`; the
/// simulation (`VigilSimulation.SimulatedI2CBus`) implements it with register-level chip
/// models, so the same driver code runs on the ward and in the tests.
public protocol I2CBus: AnyObject {
  /// What the adapter supports; drivers choose their transfer method from it.
  var functionality: I2CFunctionality { get }

  /// Reads one register byte (SMBus read byte data).
  func readByte(at address: I2CAddress, register: UInt8) throws(I2CError) -> UInt8

  /// Writes one register byte (SMBus write byte data).
  func writeByte(at address: I2CAddress, register: UInt8, value: UInt8) throws(I2CError)

  /// Reads `count` (1-32) consecutive bytes starting at `register` with an SMBus I2C block
  /// read. Devices with a FIFO register (MAX30102) return successive FIFO bytes.
  func readBlock(at address: I2CAddress, register: UInt8, count: Int) throws(I2CError) -> [UInt8]

  /// Writes `bytes`, then reads `readCount` bytes, as one combined plain-I2C transaction
  /// (repeated start). Only valid when ``functionality`` contains ``I2CFunctionality/plainI2C``.
  func writeRead(at address: I2CAddress, write bytes: [UInt8], readCount: Int) throws(I2CError)
    -> [UInt8]
}
