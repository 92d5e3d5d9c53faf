/// An I2C bus that is opened on first use and, while it cannot be opened, fails every
/// transaction with ``I2CError/busUnavailable(path:errno:)`` and tries again on the next one.
///
/// A monitor must not lose its I2C sensors for good because the bus was missing when it
/// started (the `i2c-dev` module not yet loaded, a hat not seated): the drivers on this bus
/// report the failure as their own technical condition (device absent), their supervisors
/// retry with backoff, and the sensors come back once the bus opens.
public final class ReopeningI2CBus<Bus: I2CBus>: I2CBus {
  private let open: () throws(I2CError) -> Bus
  private var bus: Bus?

  /// A bus that `open` opens on first use (and again after each failed attempt).
  public init(open: @escaping () throws(I2CError) -> Bus) {
    self.open = open
  }

  /// Whether the bus is open now.
  public var isOpen: Bool { bus != nil }

  /// Opens the bus now if it is not open yet; throws why it cannot be opened.
  public func openNow() throws(I2CError) { _ = try opened() }

  /// The adapter's functionality, opening the bus first if it can be opened. While it cannot,
  /// every transfer type is reported, so that drivers go ahead and meet the bus's absence
  /// (``I2CError/busUnavailable(path:errno:)``, a missing device) rather than a missing feature.
  public var functionality: I2CFunctionality {
    (try? opened())?.functionality
      ?? [
        .plainI2C, .smbusReadByteData, .smbusWriteByteData, .smbusReadWordData,
        .smbusWriteWordData, .smbusReadI2CBlock, .smbusWriteI2CBlock,
      ]
  }

  /// Reads one register byte (SMBus read byte data), opening the bus first if needed.
  public func readByte(at address: I2CAddress, register: UInt8) throws(I2CError) -> UInt8 {
    try opened().readByte(at: address, register: register)
  }

  /// Writes one register byte (SMBus write byte data), opening the bus first if needed.
  public func writeByte(at address: I2CAddress, register: UInt8, value: UInt8) throws(I2CError) {
    try opened().writeByte(at: address, register: register, value: value)
  }

  /// Reads `count` bytes with an SMBus I2C block read, opening the bus first if needed.
  public func readBlock(at address: I2CAddress, register: UInt8, count: Int) throws(I2CError)
    -> [UInt8]
  {
    try opened().readBlock(at: address, register: register, count: count)
  }

  /// A combined write-then-read plain-I2C transaction, opening the bus first if needed.
  public func writeRead(at address: I2CAddress, write bytes: [UInt8], readCount: Int)
    throws(I2CError) -> [UInt8]
  {
    try opened().writeRead(at: address, write: bytes, readCount: readCount)
  }

  private func opened() throws(I2CError) -> Bus {
    if let bus { return bus }
    let opened = try open()
    bus = opened
    return opened
  }
}
