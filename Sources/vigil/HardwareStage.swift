import VigilCore
import VigilSensors

/// Builds the sensor stage for real hardware from the platform backends: the MAX30102 at 0x57,
/// the temperature sensor found at 0x48-0x4F (a TMP117 at 0x48 if none answers, so its absence
/// is raised as a condition), and the Contec oximeter on a tty (`serialPath`) or, without one, on
/// its CP210x cable through libusb.
enum HardwareStage {
  static func make(
    backends: any HardwareBackends, i2cPath: String, serialPath: String?,
    oximeterProtocol: ContecProtocol
  ) -> SensorStage {
    let clock = backends.clock
    var sensors: [any SupervisedSensor] = []
    // The I2C sensors are supervised even when the bus cannot be opened now: each raises its
    // absence as a technical condition, and the bus is opened again on their next attempt.
    let bus = ReopeningI2CBus { () throws(I2CError) -> AnyI2CBus in
      AnyI2CBus(try backends.openI2CBus(path: i2cPath))
    }
    do {
      try bus.openNow()
    } catch {
      printError("vigil: \(error); its sensors are reported absent and the bus is retried")
    }
    sensors += i2cSensors(on: bus, clock: clock)
    if let serialPath {
      sensors.append(
        ContecOximeterSensor<AnySerialPort>(
          id: SensorID("contec@\(serialPath)"), protocolVersion: oximeterProtocol, clock: clock,
          open: { () throws(SensorFault) -> AnySerialPort in
            do throws(SerialError) {
              return AnySerialPort(try backends.openSerialPort(path: serialPath))
            } catch {
              throw SensorFault(error, device: serialPath, while: "opening")
            }
          }))
    } else {
      sensors.append(
        ContecOximeterSensor<CP210xSerialPort<AnyUSBTransport>>(
          id: SensorID("contec@usb:\(CP210x.deviceID)"), protocolVersion: .packet9Byte,
          clock: clock,
          open: { () throws(SensorFault) -> CP210xSerialPort<AnyUSBTransport> in
            do {
              return CP210xSerialPort(
                transport: AnyUSBTransport(try backends.openUSB(CP210x.deviceID)))
            } catch {
              throw SensorFault(.deviceAbsent, "USB \(CP210x.deviceID): \(error)")
            }
          }, close: { $0.close() }))
    }
    return SensorStage(supervisors: sensors.map { SensorSupervisor(sensor: $0, clock: clock) })
  }

  private static func i2cSensors<Bus: I2CBus>(on bus: Bus, clock: any MonotonicClock)
    -> [any SupervisedSensor]
  {
    var sensors: [any SupervisedSensor] = [
      MAX30102Sensor(driver: MAX30102(bus: bus, address: I2CAddress(0x57), clock: clock))
    ]
    var temperature: (any SupervisedSensor)?
    for (address, identity) in BoardProbe.scan(bus) where temperature == nil {
      switch identity {
      case .tmp117:
        temperature = TMP117Sensor(driver: TMP117(bus: bus, address: address, clock: clock))
      case .max30205:
        temperature = MAX30205Sensor(driver: MAX30205(bus: bus, address: address, clock: clock))
      default: break
      }
    }
    sensors.append(
      temperature ?? TMP117Sensor(driver: TMP117(bus: bus, address: I2CAddress(0x48), clock: clock))
    )
    return sensors
  }
}

/// A concrete ``I2CBus`` forwarding to one opened by the backends.
final class AnyI2CBus: I2CBus {
  let base: any I2CBus
  init(_ base: any I2CBus) { self.base = base }
  var functionality: I2CFunctionality { base.functionality }
  func readByte(at address: I2CAddress, register: UInt8) throws(I2CError) -> UInt8 {
    try base.readByte(at: address, register: register)
  }
  func writeByte(at address: I2CAddress, register: UInt8, value: UInt8) throws(I2CError) {
    try base.writeByte(at: address, register: register, value: value)
  }
  func readBlock(at address: I2CAddress, register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
    try base.readBlock(at: address, register: register, count: count)
  }
  func writeRead(at address: I2CAddress, write bytes: [UInt8], readCount: Int) throws(I2CError)
    -> [UInt8]
  {
    try base.writeRead(at: address, write: bytes, readCount: readCount)
  }
}

/// A concrete ``SerialPort`` forwarding to one opened by the backends.
final class AnySerialPort: SerialPort {
  let base: any SerialPort
  init(_ base: any SerialPort) { self.base = base }
  func configure(_ configuration: SerialConfiguration) throws(SerialError) {
    try base.configure(configuration)
  }
  func read(maxCount: Int, timeout: Duration) throws(SerialError) -> [UInt8] {
    try base.read(maxCount: maxCount, timeout: timeout)
  }
  func write(_ bytes: [UInt8]) throws(SerialError) { try base.write(bytes) }
}

/// A concrete ``USBTransport`` forwarding to one opened by the backends.
final class AnyUSBTransport: USBTransport {
  let base: any USBTransport
  init(_ base: any USBTransport) { self.base = base }
  var deviceID: USBDeviceID { base.deviceID }
  func controlOut(_ setup: USBControlSetup, data: [UInt8], timeout: Duration) throws(USBError)
    -> Int
  {
    try base.controlOut(setup, data: data, timeout: timeout)
  }
  func controlIn(_ setup: USBControlSetup, length: Int, timeout: Duration) throws(USBError)
    -> [UInt8]
  {
    try base.controlIn(setup, length: length, timeout: timeout)
  }
  func bulkIn(endpoint: UInt8, maxLength: Int, timeout: Duration) throws(USBError) -> [UInt8] {
    try base.bulkIn(endpoint: endpoint, maxLength: maxLength, timeout: timeout)
  }
  func bulkOut(endpoint: UInt8, data: [UInt8], timeout: Duration) throws(USBError) -> Int {
    try base.bulkOut(endpoint: endpoint, data: data, timeout: timeout)
  }
  func interruptIn(endpoint: UInt8, maxLength: Int, timeout: Duration) throws(USBError) -> [UInt8] {
    try base.interruptIn(endpoint: endpoint, maxLength: maxLength, timeout: timeout)
  }
}
