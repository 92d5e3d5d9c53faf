import Glibc
import VigilSensors

/// Translates a ``SerialConfiguration`` to and from termios flags.
enum TermiosFraming {
  /// `CS5` … `CS8` by data bits.
  static let characterSizes: [Int: Int32] = [5: CS5, 6: CS6, 7: CS7, 8: CS8]

  /// Sets raw mode and `configuration`'s framing in `attributes` (not the speed, which
  /// `cfsetispeed`/`cfsetospeed` set).
  ///
  /// Raw mode is cfmakeraw's settings plus receiver on, modem lines ignored, no hardware flow
  /// control, and reads that return at once (VMIN = VTIME = 0; timeouts come from poll).
  static func apply(
    _ configuration: SerialConfiguration, characterSize: Int32, to attributes: inout termios
  ) {
    attributes.c_iflag &= ~tcflag_t(
      IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY | INPCK)
    attributes.c_oflag &= ~tcflag_t(OPOST)
    attributes.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
    attributes.c_cflag &= ~tcflag_t(CSIZE | PARENB | PARODD | CSTOPB)
    attributes.c_cflag &= ~tcflag_t(truncatingIfNeeded: CRTSCTS)
    attributes.c_cflag |= tcflag_t(CREAD | CLOCAL) | tcflag_t(characterSize)
    withUnsafeMutableBytes(of: &attributes.c_cc) { controls in
      controls[Int(VMIN)] = 0
      controls[Int(VTIME)] = 0
    }
    switch configuration.parity {
    case .none: break
    case .odd:
      attributes.c_cflag |= tcflag_t(PARENB | PARODD)
      attributes.c_iflag |= tcflag_t(INPCK)
    case .even:
      attributes.c_cflag |= tcflag_t(PARENB)
      attributes.c_iflag |= tcflag_t(INPCK)
    }
    if configuration.stopBits == 2 { attributes.c_cflag |= tcflag_t(CSTOPB) }
  }

  /// The framing `attributes` describe (speed 0 when it is not a standard one).
  static func configuration(of attributes: termios) -> SerialConfiguration {
    let flags = attributes.c_cflag
    let dataBits =
      characterSizes.first { tcflag_t($0.value) == flags & tcflag_t(CSIZE) }?.key ?? 8
    let parity: SerialParity =
      flags & tcflag_t(PARENB) == 0 ? .none : (flags & tcflag_t(PARODD) != 0 ? .odd : .even)
    return SerialConfiguration(
      baudRate: TermiosSpeed.baudRate(for: Syscall.outputSpeed(attributes)) ?? 0,
      dataBits: dataBits, parity: parity, stopBits: flags & tcflag_t(CSTOPB) != 0 ? 2 : 1)
  }
}
