import VigilCore

/// Why a GPIO operation failed.
///
/// The Linux backend maps errno values of the GPIO character device here (EBUSY: ``busy``;
/// EINVAL: ``invalidLine``; ENODEV or ENXIO: ``disconnected``; anything else: ``io``).
public enum GPIOError: Error, Hashable, Sendable {
  /// The GPIO chip could not be opened (`path`, `errno`).
  case unavailable(path: String, errno: Int32)
  /// The line `offset` is already requested by another consumer (a kernel driver or program).
  case busy(offset: UInt32)
  /// The chip has no line `offset`, or refused the requested configuration.
  case invalidLine(offset: UInt32)
  /// The chip went away (for example a USB GPIO expander was unplugged).
  case disconnected
  /// Another input/output failure, with its errno.
  case io(errno: Int32)
}

/// One digital output line: the interface alarm outputs (buzzer, alarm LED) are written
/// against. The Linux backend drives a GPIO character-device line; tests use a recording fake.
public protocol GPIOLine: AnyObject {
  /// Sets the line's logical value: `true` drives it high (low on a line configured
  /// active-low), `false` the opposite.
  func set(_ high: Bool) throws(GPIOError)
}
