/// Human-readable descriptions of the HAL errors, for logs, the terminal and technical alarms.

/// The symbolic name and meaning of a Linux `errno` value the backends report (the values are
/// the same on aarch64, armv7 and x86-64), as `ENOENT, no such file or directory`; other values
/// as `errno N`.
public func errnoDescription(_ code: Int32) -> String {
  switch code {
  case 1: return "EPERM, operation not permitted"
  case 2: return "ENOENT, no such file or directory"
  case 5: return "EIO, input/output error"
  case 6: return "ENXIO, no such device or address"
  case 11: return "EAGAIN, resource temporarily unavailable"
  case 13: return "EACCES, permission denied"
  case 16: return "EBUSY, device or resource busy"
  case 19: return "ENODEV, no such device"
  case 22: return "EINVAL, invalid argument"
  case 25: return "ENOTTY, inappropriate ioctl for device"
  case 95: return "EOPNOTSUPP, operation not supported"
  case 110: return "ETIMEDOUT, timed out"
  case 121: return "EREMOTEIO, remote I/O error"
  default: return "errno \(code)"
  }
}

extension I2CError: CustomStringConvertible {
  /// What failed, naming the bus or address and the errno, with a hint where one helps.
  public var description: String {
    switch self {
    case .busUnavailable(let path, let errno):
      var text = "cannot open I2C bus \(path) (\(errnoDescription(errno)))"
      if errno == 2 {
        text += ": is I2C enabled on the board and the i2c-dev module loaded?"
      } else if errno == 13 {
        text += ": the user needs read-write access to \(path) (the i2c group)"
      }
      return text
    case .noDevice(let address): return "no device acknowledges I2C address \(address)"
    case .nak(let address): return "the device at \(address) did not acknowledge (NAK)"
    case .timeout(let address): return "the transfer to \(address) timed out"
    case .unsupported(let operation): return "the I2C adapter cannot \(operation)"
    case .io(let address, let errno):
      return "I/O error at \(address) (\(errnoDescription(errno)))"
    case .invalidRequest(let reason): return "invalid I2C request: \(reason)"
    }
  }
}

extension USBError: CustomStringConvertible {
  /// What failed, with the libusb condition it came from.
  public var description: String {
    switch self {
    case .notFound(let id): return "no USB device \(id) is attached"
    case .disconnected: return "the USB device was unplugged"
    case .timeout: return "the USB transfer timed out"
    case .stall: return "the USB endpoint stalled or refused the request"
    case .overflow: return "the USB device sent more data than requested"
    case .accessDenied:
      return "permission to open the USB device was denied (check the udev rules)"
    case .busy: return "the USB interface is claimed by another program or driver"
    case .other(let code, let name): return "libusb error \(name) (\(code))"
    }
  }
}

extension SerialError: CustomStringConvertible {
  /// What failed, naming the port and the errno.
  public var description: String {
    switch self {
    case .unavailable(let path, let errno):
      return "cannot open serial port \(path) (\(errnoDescription(errno)))"
    case .disconnected: return "the serial port went away (adapter unplugged)"
    case .unsupportedConfiguration(let reason): return "unsupported serial configuration: \(reason)"
    case .io(let errno): return "serial I/O error (\(errnoDescription(errno)))"
    }
  }
}

extension GPIOError: CustomStringConvertible {
  /// What failed, naming the chip or line and the errno.
  public var description: String {
    switch self {
    case .unavailable(let path, let errno):
      return "cannot open GPIO chip \(path) (\(errnoDescription(errno)))"
    case .busy(let offset): return "GPIO line \(offset) is in use by another consumer"
    case .invalidLine(let offset): return "the GPIO chip has no usable line \(offset)"
    case .disconnected: return "the GPIO chip went away"
    case .io(let errno): return "GPIO I/O error (\(errnoDescription(errno)))"
    }
  }
}
