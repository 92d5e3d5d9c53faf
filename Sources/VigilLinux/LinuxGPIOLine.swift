import CGPIO
import Glibc
import VigilSensors

/// One output line of a GPIO chip through the kernel's GPIO character device, ABI v2
/// (`/dev/gpiochipN`): the alarm buzzer or alarm LED.
///
/// Opening requests the line as an output (`GPIO_V2_GET_LINE_IOCTL`) with its initial value
/// and holds the returned line descriptor, so no other program can drive the line while Vigil
/// runs; ``set(_:)`` changes it (`GPIO_V2_LINE_SET_VALUES_IOCTL`). Values are logical: on a
/// line opened `activeLow`, `true` drives the pin low. Closing the line (deinit) releases it;
/// the kernel then leaves the pin as it was.
public final class LinuxGPIOLine: GPIOLine {
  /// The chip's device node, as `/dev/gpiochip0`.
  public let chipPath: String
  /// The line's offset on the chip.
  public let offset: UInt32

  private let lineDescriptor: Int32

  /// Requests line `offset` of the chip at `chipPath` as an output named `consumer` (at most
  /// 31 bytes are kept), driven to `initiallyHigh` at once (`open`, `GPIO_V2_GET_LINE_IOCTL`).
  public init(
    chipPath: String, offset: UInt32, consumer: String = "vigil", activeLow: Bool = false,
    initiallyHigh: Bool = false
  ) throws(GPIOError) {
    self.chipPath = chipPath
    self.offset = offset
    let chip: Int32
    do {
      chip = try Syscall.open(chipPath, flags: O_RDWR)
    } catch {
      throw .unavailable(path: chipPath, errno: error.rawValue)
    }
    defer { Syscall.close(chip) }
    var request = gpio_v2_line_request()
    withUnsafeMutableBytes(of: &request.offsets) {
      $0.storeBytes(of: offset, toByteOffset: 0, as: UInt32.self)
    }
    withUnsafeMutableBytes(of: &request.consumer) { name in
      for (index, byte) in consumer.utf8.prefix(name.count - 1).enumerated() {
        name[index] = byte
      }
    }
    request.num_lines = 1
    request.config.flags = UInt64(GPIO_V2_LINE_FLAG_OUTPUT.rawValue)
    if activeLow { request.config.flags |= UInt64(GPIO_V2_LINE_FLAG_ACTIVE_LOW.rawValue) }
    request.config.num_attrs = 1
    request.config.attrs.0.attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue
    request.config.attrs.0.attr.values = initiallyHigh ? 1 : 0
    request.config.attrs.0.mask = 1
    do {
      try Syscall.ioctl(chip, vigil_gpio_v2_get_line_ioctl(), &request)
    } catch {
      throw Self.failure(error, offset: offset)
    }
    lineDescriptor = request.fd
  }

  deinit { Syscall.close(lineDescriptor) }

  /// Sets the line's logical value (`GPIO_V2_LINE_SET_VALUES_IOCTL`).
  public func set(_ high: Bool) throws(GPIOError) {
    var values = gpio_v2_line_values(bits: high ? 1 : 0, mask: 1)
    do {
      try Syscall.ioctl(lineDescriptor, vigil_gpio_v2_line_set_values_ioctl(), &values)
    } catch {
      throw Self.failure(error, offset: offset)
    }
  }

  /// The line's logical value as the kernel reports it (`GPIO_V2_LINE_GET_VALUES_IOCTL`).
  public func get() throws(GPIOError) -> Bool {
    var values = gpio_v2_line_values(bits: 0, mask: 1)
    do {
      try Syscall.ioctl(lineDescriptor, vigil_gpio_v2_line_get_values_ioctl(), &values)
    } catch {
      throw Self.failure(error, offset: offset)
    }
    return values.bits & 1 != 0
  }

  private static func failure(_ error: Errno, offset: UInt32) -> GPIOError {
    switch error {
    case .busy: return .busy(offset: offset)
    case .invalidArgument: return .invalidLine(offset: offset)
    case .noSuchDevice, .noSuchDeviceOrAddress: return .disconnected
    default: return .io(errno: error.rawValue)
    }
  }
}
