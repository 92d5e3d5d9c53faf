import Glibc

/// An error number from a failed system call (`errno`), with names for the values the
/// backends act on.
public struct Errno: RawRepresentable, Error, Hashable, Sendable, CustomStringConvertible {
  /// The raw `errno` value.
  public var rawValue: Int32

  /// Wraps a raw `errno` value.
  public init(rawValue: Int32) { self.rawValue = rawValue }

  /// Interrupted system call (`EINTR`): retried, never surfaced.
  public static let interrupted = Errno(rawValue: EINTR)
  /// Resource temporarily unavailable (`EAGAIN`): nothing to read yet on a non-blocking file.
  public static let wouldBlock = Errno(rawValue: EAGAIN)
  /// Input/output error (`EIO`).
  public static let ioError = Errno(rawValue: EIO)
  /// No such device or address (`ENXIO`): no I2C target acknowledged its address.
  public static let noSuchDeviceOrAddress = Errno(rawValue: ENXIO)
  /// No such device (`ENODEV`): the device went away (i2c-stub also uses it for absent
  /// addresses).
  public static let noSuchDevice = Errno(rawValue: ENODEV)
  /// Remote I/O error (`EREMOTEIO`): an I2C target did not acknowledge a byte.
  public static let remoteIO = Errno(rawValue: EREMOTEIO)
  /// Connection timed out (`ETIMEDOUT`).
  public static let timedOut = Errno(rawValue: ETIMEDOUT)
  /// Operation not supported (`EOPNOTSUPP`): the adapter cannot do this transfer type.
  public static let notSupported = Errno(rawValue: EOPNOTSUPP)
  /// Device or resource busy (`EBUSY`).
  public static let busy = Errno(rawValue: EBUSY)
  /// Invalid argument (`EINVAL`).
  public static let invalidArgument = Errno(rawValue: EINVAL)
  /// No such file or directory (`ENOENT`).
  public static let noSuchFile = Errno(rawValue: ENOENT)
  /// Permission denied (`EACCES`).
  public static let permissionDenied = Errno(rawValue: EACCES)
  /// Inappropriate ioctl for device (`ENOTTY`).
  public static let notATerminal = Errno(rawValue: ENOTTY)

  /// The C library's message for this error, as `No such device or address (errno 6)`.
  public var description: String { Syscall.errorMessage(rawValue) + " (errno \(rawValue))" }
}
