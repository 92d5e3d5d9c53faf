import Glibc
import VigilCore
import VigilSensors

/// A serial line the kernel owns (`/dev/ttyUSB0` behind a USB-UART bridge, `/dev/ttyAMA0`),
/// through termios.
///
/// The port is opened non-blocking and set to raw mode (no echo, no line editing, no
/// translation of CR/LF, no XON/XOFF, no signals), so binary protocols such as Contec's pass
/// unchanged. Reads wait with `poll(2)` for at most their timeout. An unplugged adapter shows
/// as a hangup (end of file, `POLLHUP`, EIO or ENODEV) and becomes
/// ``SerialError/disconnected``, for this call and every later one: reopen the port when the
/// device is back.
public final class TermiosSerialPort: SerialPort {
  /// The device node, as `/dev/ttyUSB0`.
  public let path: String
  /// How long ``write(_:)`` waits for room in the output buffer before failing with
  /// `SerialError.io(errno: ETIMEDOUT)`.
  public var writeTimeout: Duration = .seconds(1)

  private let descriptor: Int32
  private var disconnected = false

  /// Opens the terminal at `path` (`open` with `O_NOCTTY | O_NONBLOCK`) and checks that it is
  /// one (`tcgetattr`); the line keeps its settings until ``configure(_:)``.
  public init(path: String) throws(SerialError) {
    self.path = path
    let descriptor: Int32
    do {
      descriptor = try Syscall.open(path, flags: O_RDWR | O_NOCTTY | O_NONBLOCK)
    } catch {
      throw .unavailable(path: path, errno: error.rawValue)
    }
    do {
      _ = try Syscall.terminalAttributes(descriptor)
    } catch {
      Syscall.close(descriptor)
      throw .unavailable(path: path, errno: error.rawValue)
    }
    self.descriptor = descriptor
  }

  deinit { Syscall.close(descriptor) }

  /// Sets raw mode with `configuration`'s framing (`tcsetattr`), reads the settings back to
  /// confirm the driver took them, and discards stale input and output (`tcflush`).
  public func configure(_ configuration: SerialConfiguration) throws(SerialError) {
    try checkConnected()
    guard let speed = TermiosSpeed.constant(for: configuration.baudRate) else {
      throw .unsupportedConfiguration(
        reason: "\(configuration.baudRate) baud is not a standard termios speed")
    }
    guard let characterSize = TermiosFraming.characterSizes[configuration.dataBits] else {
      throw .unsupportedConfiguration(
        reason: "\(configuration.dataBits) data bits; termios supports 5-8")
    }
    guard configuration.stopBits == 1 || configuration.stopBits == 2 else {
      throw .unsupportedConfiguration(
        reason: "\(configuration.stopBits) stop bits; termios supports 1 or 2")
    }
    var attributes = try attempt { () throws(Errno) in try Syscall.terminalAttributes(descriptor) }
    TermiosFraming.apply(configuration, characterSize: characterSize, to: &attributes)
    try attempt { () throws(Errno) in
      try Syscall.setSpeed(&attributes, speed)
      try Syscall.setTerminalAttributes(descriptor, attributes)
    }
    // tcsetattr succeeds when any of the changes took; check that all of them did.
    let applied = try currentConfiguration()
    guard applied == configuration else {
      throw .unsupportedConfiguration(
        reason: "\(path) kept \(Self.describe(applied)) when asked for "
          + Self.describe(configuration))
    }
    try attempt { () throws(Errno) in try Syscall.flushTerminal(descriptor) }
  }

  /// The line's framing as the driver reports it now (`tcgetattr`).
  public func currentConfiguration() throws(SerialError) -> SerialConfiguration {
    try checkConnected()
    let attributes = try attempt { () throws(Errno) in
      try Syscall.terminalAttributes(descriptor)
    }
    return TermiosFraming.configuration(of: attributes)
  }

  /// Waits up to `timeout` (`poll`) for data, then reads at most `maxCount` bytes (`read`);
  /// empty when nothing arrived in time.
  public func read(maxCount: Int, timeout: Duration) throws(SerialError) -> [UInt8] {
    try checkConnected()
    guard maxCount > 0 else { return [] }
    let events = try attempt { () throws(Errno) in
      try Syscall.poll(
        descriptor, events: Int16(POLLIN), timeout: .nanoseconds(timeout.nanoseconds))
    }
    if events == 0 { return [] }
    if events & Int16(POLLIN) == 0 && events & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
      throw hangUp()
    }
    var buffer = [UInt8](repeating: 0, count: maxCount)
    let count: Int
    do {
      count = try Syscall.read(descriptor, into: &buffer)
    } catch .wouldBlock {
      return []
    } catch {
      throw failure(error)
    }
    // A hung-up terminal reads as end of file.
    if count == 0 { throw hangUp() }
    return Array(buffer.prefix(count))
  }

  /// Writes all of `bytes`, waiting (`poll`) up to ``writeTimeout`` whenever the output buffer
  /// is full.
  public func write(_ bytes: [UInt8]) throws(SerialError) {
    try checkConnected()
    var offset = 0
    while offset < bytes.count {
      let written: Int
      do {
        written = try Syscall.write(descriptor, bytes, from: offset)
      } catch .wouldBlock {
        let events = try attempt { () throws(Errno) in
          try Syscall.poll(
            descriptor, events: Int16(POLLOUT), timeout: .nanoseconds(writeTimeout.nanoseconds))
        }
        if events == 0 { throw .io(errno: ETIMEDOUT) }
        if events & Int16(POLLHUP | POLLERR) != 0 && events & Int16(POLLOUT) == 0 {
          throw hangUp()
        }
        continue
      } catch {
        throw failure(error)
      }
      offset += written
    }
  }

  // MARK: Helpers

  private static func describe(_ configuration: SerialConfiguration) -> String {
    let parity: String
    switch configuration.parity {
    case .none: parity = "N"
    case .odd: parity = "O"
    case .even: parity = "E"
    }
    return "\(configuration.baudRate) \(configuration.dataBits)\(parity)\(configuration.stopBits)"
  }

  private func checkConnected() throws(SerialError) {
    if disconnected { throw .disconnected }
  }

  private func hangUp() -> SerialError {
    disconnected = true
    return .disconnected
  }

  private func failure(_ error: Errno) -> SerialError {
    switch error {
    case .ioError, .noSuchDevice, .noSuchDeviceOrAddress, Errno(rawValue: EPIPE):
      return hangUp()
    default:
      return .io(errno: error.rawValue)
    }
  }

  private func attempt<Value>(_ body: () throws(Errno) -> Value) throws(SerialError) -> Value {
    do {
      return try body()
    } catch {
      throw failure(error)
    }
  }
}
