import CUMockdev
import Glibc
import Testing
import VigilCore
import VigilSensors

@testable import VigilLinux

/// A pseudo-terminal pair: the port under test opens the real kernel terminal at ``path``,
/// and the test plays the device on the master side.
final class PseudoTerminal {
  /// The master side (the "device").
  let master: Int32
  /// The terminal the port opens, as `/dev/pts/7`.
  let path: String
  private var open = true

  init() throws {
    var master: Int32 = -1
    var slave: Int32 = -1
    var name = [CChar](repeating: 0, count: 128)
    guard openpty(&master, &slave, &name, nil, nil) == 0 else {
      throw PseudoTerminalError.unavailable(errno)
    }
    // The port under test opens the terminal by name, as it would /dev/ttyUSB0.
    Glibc.close(slave)
    self.master = master
    path = String(cString: name)
  }

  /// The device sends `bytes`.
  func send(_ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
  }

  /// What the port wrote, waiting up to one second for `count` bytes.
  func receive(_ count: Int) -> [UInt8] {
    var received: [UInt8] = []
    while received.count < count {
      var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
      guard poll(&entry, 1, 1000) > 0 else { break }
      var buffer = [UInt8](repeating: 0, count: count - received.count)
      let n = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
      guard n > 0 else { break }
      received += buffer.prefix(n)
    }
    return received
  }

  /// The device goes away: the terminal is hung up.
  func hangUp() {
    if open { Glibc.close(master) }
    open = false
  }

  deinit { hangUp() }
}

enum PseudoTerminalError: Error {
  case unavailable(Int32)
}

@Suite struct TermiosSerialPortTests {
  /// A legacy CMS50D+ live packet: sync bit on the first byte only; signal strength 6, pleth
  /// 0x45, bar graph 5, pulse rate 72 (0x48), SpO2 97 (0x61).
  static let contecPacket: [UInt8] = [0x86, 0x45, 0x05, 0x48, 0x61]

  /// Reads until `count` bytes arrived or a read comes back empty.
  static func read(_ port: TermiosSerialPort, count: Int) throws -> [UInt8] {
    var bytes: [UInt8] = []
    while bytes.count < count {
      let chunk = try port.read(maxCount: count - bytes.count, timeout: .milliseconds(500))
      if chunk.isEmpty { break }
      bytes += chunk
    }
    return bytes
  }

  @Test func newerFirmwareFraming115200_8N1IsWhatTheDriverKeeps() throws {
    let terminal = try PseudoTerminal()
    let port = try TermiosSerialPort(path: terminal.path)
    let modern = SerialConfiguration(baudRate: 115_200)
    try port.configure(modern)
    #expect(try port.currentConfiguration() == modern)
  }

  @Test func driverThatDropsParityIsReportedNotIgnored() throws {
    // The pty driver forces CS8 and clears PARENB (drivers/tty/pty.c, pty_set_termios), as
    // some USB-serial drivers do for framings their chip lacks: configure must say so.
    let terminal = try PseudoTerminal()
    let port = try TermiosSerialPort(path: terminal.path)
    #expect(
      throws: SerialError.unsupportedConfiguration(
        reason: "\(terminal.path) kept 19200 8N1 when asked for 19200 8O1")
    ) {
      try port.configure(SerialConfiguration(baudRate: 19200, parity: .odd))
    }
  }

  @Test func nonStandardBaudRateIsRefusedWithTheReason() throws {
    let terminal = try PseudoTerminal()
    let port = try TermiosSerialPort(path: terminal.path)
    #expect(
      throws: SerialError.unsupportedConfiguration(
        reason: "19201 baud is not a standard termios speed")
    ) {
      try port.configure(SerialConfiguration(baudRate: 19201))
    }
  }

  @Test func readReturnsAContecPacketThatArrived() throws {
    let terminal = try PseudoTerminal()
    let port = try TermiosSerialPort(path: terminal.path)
    try port.configure(SerialConfiguration(baudRate: 19200))
    terminal.send(Self.contecPacket)
    #expect(try Self.read(port, count: 5) == Self.contecPacket)
  }

  @Test func rawModePassesControlBytesUnchanged() throws {
    let terminal = try PseudoTerminal()
    let port = try TermiosSerialPort(path: terminal.path)
    try port.configure(SerialConfiguration(baudRate: 115_200))
    // ETX (interrupt), XON, XOFF, CR, LF, EOF, DEL: a cooked terminal would eat or change each.
    let controls: [UInt8] = [0x03, 0x11, 0x13, 0x0D, 0x0A, 0x04, 0x7F, 0x00]
    terminal.send(controls)
    #expect(try Self.read(port, count: controls.count) == controls)
  }

  @Test func readWithNothingToReadReturnsEmptyAfterItsTimeout() throws {
    let terminal = try PseudoTerminal()
    let port = try TermiosSerialPort(path: terminal.path)
    try port.configure(SerialConfiguration(baudRate: 19200))
    let clock = SystemClock()
    let start = clock.now
    let bytes = try port.read(maxCount: 64, timeout: .milliseconds(60))
    #expect(bytes.isEmpty)
    #expect(clock.now - start >= .milliseconds(60))
  }

  @Test func writeDeliversTheContecStartCommand() throws {
    let terminal = try PseudoTerminal()
    let port = try TermiosSerialPort(path: terminal.path)
    try port.configure(SerialConfiguration(baudRate: 115_200))
    let start: [UInt8] = [0x7D, 0x81, 0xA1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]
    try port.write(start)
    #expect(terminal.receive(start.count) == start)
  }

  @Test func hangupBecomesDisconnectedAndStaysSo() throws {
    let terminal = try PseudoTerminal()
    let port = try TermiosSerialPort(path: terminal.path)
    try port.configure(SerialConfiguration(baudRate: 19200))
    terminal.hangUp()
    #expect(throws: SerialError.disconnected) {
      try port.read(maxCount: 5, timeout: .milliseconds(500))
    }
    #expect(throws: SerialError.disconnected) { try port.write([0x7D]) }
  }

  @Test func missingPortThrowsUnavailableWithENOENT() {
    #expect(throws: SerialError.unavailable(path: "/dev/ttyUSB-vigil-absent", errno: ENOENT)) {
      try TermiosSerialPort(path: "/dev/ttyUSB-vigil-absent")
    }
  }

  @Test func fileThatIsNotATerminalThrowsUnavailableWithENOTTY() {
    #expect(throws: SerialError.unavailable(path: "/dev/null", errno: ENOTTY)) {
      try TermiosSerialPort(path: "/dev/null")
    }
  }
}

/// The termios flags a framing turns into, checked on the structure the port hands to
/// `tcsetattr` (the pty driver would discard parity and character size).
@Suite struct TermiosFramingTests {
  static func attributes(for configuration: SerialConfiguration) -> termios {
    var attributes = termios()
    // Start from a cooked terminal's flags, so raw mode has something to clear.
    attributes.c_lflag = tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
    attributes.c_iflag = tcflag_t(ICRNL | IXON)
    attributes.c_oflag = tcflag_t(OPOST)
    attributes.c_cflag = tcflag_t(CS7) | tcflag_t(truncatingIfNeeded: CRTSCTS)
    let size = TermiosFraming.characterSizes[configuration.dataBits]!
    TermiosFraming.apply(configuration, characterSize: size, to: &attributes)
    return attributes
  }

  @Test func contecLegacy8O1SetsOddParityEightBitsOneStopBit() {
    let framing = Self.attributes(for: SerialConfiguration(baudRate: 19200, parity: .odd))
    #expect(framing.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
    #expect(framing.c_cflag & tcflag_t(PARENB | PARODD) == tcflag_t(PARENB | PARODD))
    #expect(framing.c_cflag & tcflag_t(CSTOPB) == 0)
    #expect(framing.c_iflag & tcflag_t(INPCK) != 0)
    #expect(framing.c_cflag & tcflag_t(CREAD | CLOCAL) == tcflag_t(CREAD | CLOCAL))
    var readBack = framing
    _ = cfsetospeed(&readBack, speed_t(B19200))
    #expect(
      TermiosFraming.configuration(of: readBack)
        == SerialConfiguration(baudRate: 19200, parity: .odd))
  }

  @Test func evenParityTwoStopBitsSevenDataBits() {
    let framing = Self.attributes(
      for: SerialConfiguration(baudRate: 9600, dataBits: 7, parity: .even, stopBits: 2))
    #expect(framing.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS7))
    #expect(framing.c_cflag & tcflag_t(PARENB | PARODD) == tcflag_t(PARENB))
    #expect(framing.c_cflag & tcflag_t(CSTOPB) != 0)
  }

  @Test func rawModeClearsLineEditingSignalsTranslationAndFlowControl() {
    let framing = Self.attributes(for: SerialConfiguration(baudRate: 115_200))
    #expect(framing.c_lflag & tcflag_t(ICANON | ECHO | ISIG | IEXTEN) == 0)
    #expect(framing.c_iflag & tcflag_t(ICRNL | IXON | IXOFF) == 0)
    #expect(framing.c_oflag & tcflag_t(OPOST) == 0)
    #expect(framing.c_cflag & tcflag_t(PARENB) == 0)
    #expect(framing.c_cflag & tcflag_t(truncatingIfNeeded: CRTSCTS) == 0)
    withUnsafeBytes(of: framing.c_cc) { controls in
      #expect(controls[Int(VMIN)] == 0)
      #expect(controls[Int(VTIME)] == 0)
    }
  }
}

@Suite struct SystemClockTests {
  @Test func monotonicTimeAdvancesAcrossASleep() {
    let clock = SystemClock()
    let before = clock.now
    usleep(20_000)
    let after = clock.now
    #expect(after - before >= .milliseconds(20))
    #expect(after > before)
  }
}
