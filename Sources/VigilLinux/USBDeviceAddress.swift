/// Where a USB device is attached: its bus number and the address the host gave it.
public struct USBDeviceAddress: Hashable, Sendable, CustomStringConvertible {
  /// The bus number (`/dev/bus/usb/BBB`).
  public var bus: UInt8
  /// The device address on that bus (`/dev/bus/usb/BBB/DDD`); a re-plugged device gets a new
  /// one.
  public var device: UInt8

  /// Creates an address.
  public init(bus: UInt8, device: UInt8) {
    self.bus = bus
    self.device = device
  }

  /// As `001/002`, the form of `/dev/bus/usb` paths.
  public var description: String {
    func three(_ value: UInt8) -> String {
      let digits = String(value)
      return String(repeating: "0", count: 3 - digits.count) + digits
    }
    return three(bus) + "/" + three(device)
  }
}
