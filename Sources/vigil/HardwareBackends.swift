import VigilCore
import VigilSensors

/// What the CLI needs from the platform to reach real devices: I2C adapters, USB devices,
/// serial ports, and a monotonic clock with sleeping.
///
/// The Linux implementation is ``LinuxHardwareBackends`` (`VigilLinux`: i2c-dev, libusb,
/// termios).
protocol HardwareBackends: AnyObject {
  /// Opens `/dev/i2c-N`.
  func openI2CBus(path: String) throws(I2CError) -> any I2CBus
  /// Lists attached USB devices.
  func listUSBDevices() throws(USBError) -> [USBDeviceID]
  /// Opens the first device with `id` and claims its interface 0.
  func openUSB(_ id: USBDeviceID) throws(USBError) -> any USBTransport
  /// Opens a serial port such as `/dev/ttyUSB0`.
  func openSerialPort(path: String) throws(SerialError) -> any SerialPort
  /// The system's monotonic clock.
  var clock: any MonotonicClock { get }
}

/// Chooses the hardware backends for this build.
enum HardwareBackendFactory {
  /// The backends, or `nil` when this build has none (not Linux).
  static func make() -> (any HardwareBackends)? {
    #if os(Linux)
      return LinuxHardwareBackends()
    #else
      return nil
    #endif
  }

  /// The message printed when no backend is available.
  static let unavailableMessage = """
    vigil: no hardware backend in this build: the backends (i2c-dev, libusb, termios) are \
    Linux-only. Use --simulate to run against the simulated board.
    """
}
