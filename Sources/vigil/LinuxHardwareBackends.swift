#if os(Linux)
  import VigilCore
  import VigilLinux
  import VigilSensors

  /// The Linux backends: i2c-dev adapters (``LinuxI2CBus``), libusb (``LibUSBContext``), termios
  /// serial ports (``TermiosSerialPort``) and `CLOCK_MONOTONIC` (``SystemClock``).
  final class LinuxHardwareBackends: HardwareBackends {
    let clock: any MonotonicClock = SystemClock()
    private var usb: LibUSBContext?

    func openI2CBus(path: String) throws(I2CError) -> any I2CBus {
      try LinuxI2CBus(path: path)
    }

    func listUSBDevices() throws(USBError) -> [USBDeviceID] {
      try context().devices().map(\.id)
    }

    func openUSB(_ id: USBDeviceID) throws(USBError) -> any USBTransport {
      try context().open(id)
    }

    func openSerialPort(path: String) throws(SerialError) -> any SerialPort {
      try TermiosSerialPort(path: path)
    }

    /// One libusb session, started on first use.
    private func context() throws(USBError) -> LibUSBContext {
      if let usb { return usb }
      let started = try LibUSBContext()
      usb = started
      return started
    }
  }
#endif
