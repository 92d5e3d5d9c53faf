import Glibc

/// The standard termios speeds (`B50` … `B4000000`) by bits per second.
enum TermiosSpeed {
  /// `speed_t` for `baudRate`, or nil when termios has no constant for it.
  static func constant(for baudRate: Int) -> speed_t? {
    table.first { $0.rate == baudRate }.map { speed_t($0.constant) }
  }

  /// Bits per second for the `speed_t` `constant`, or nil when it is not a standard speed.
  static func baudRate(for constant: speed_t) -> Int? {
    table.first { speed_t($0.constant) == constant }?.rate
  }

  private static let table: [(rate: Int, constant: Int32)] = [
    (50, B50), (75, B75), (110, B110), (134, B134), (150, B150), (200, B200), (300, B300),
    (600, B600), (1200, B1200), (1800, B1800), (2400, B2400), (4800, B4800), (9600, B9600),
    (19200, B19200), (38400, B38400), (57600, B57600), (115200, B115200), (230400, B230400),
    (460800, B460800), (500000, B500000), (576000, B576000), (921600, B921600),
    (1_000_000, B1000000), (1_152_000, B1152000), (1_500_000, B1500000),
    (2_000_000, B2000000), (2_500_000, B2500000), (3_000_000, B3000000),
    (3_500_000, B3500000), (4_000_000, B4000000),
  ]
}
