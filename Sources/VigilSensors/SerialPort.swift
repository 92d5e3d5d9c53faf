import VigilCore

/// Parity of a serial line.
public enum SerialParity: Sendable, Hashable {
  /// No parity bit.
  case none
  /// Odd parity.
  case odd
  /// Even parity.
  case even
}

/// The framing of a serial line, as `19200 8O1`.
public struct SerialConfiguration: Hashable, Sendable {
  /// Bits per second.
  public var baudRate: Int
  /// Data bits per character (5-8).
  public var dataBits: Int
  /// Parity.
  public var parity: SerialParity
  /// Stop bits (1 or 2).
  public var stopBits: Int

  /// Creates a line configuration.
  public init(baudRate: Int, dataBits: Int = 8, parity: SerialParity = .none, stopBits: Int = 1) {
    self.baudRate = baudRate
    self.dataBits = dataBits
    self.parity = parity
    self.stopBits = stopBits
  }
}

/// Why a serial operation failed.
public enum SerialError: Error, Hashable, Sendable {
  /// The port could not be opened (`path`, `errno`).
  case unavailable(path: String, errno: Int32)
  /// The port went away (USB-serial adapter unplugged).
  case disconnected
  /// The configuration is not supported by the port (for example an unusual baud rate).
  case unsupportedConfiguration(reason: String)
  /// Another input/output failure, with its errno.
  case io(errno: Int32)
}

/// A byte stream to a device: the interface byte-protocol drivers (USB pulse oximeters) are
/// written against. Implemented by termios (`/dev/ttyUSB*`), by a USB-UART bridge over libusb,
/// and by simulations.
public protocol SerialPort: AnyObject {
  /// Sets the line's framing.
  func configure(_ configuration: SerialConfiguration) throws(SerialError)

  /// Reads what has arrived, at most `maxCount` bytes, waiting up to `timeout` for the first
  /// byte; empty when nothing arrived.
  func read(maxCount: Int, timeout: Duration) throws(SerialError) -> [UInt8]

  /// Writes all of `bytes`.
  func write(_ bytes: [UInt8]) throws(SerialError)
}
