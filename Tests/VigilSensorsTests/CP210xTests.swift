import Testing
import VigilCore
import VigilSensors
import VigilSimulation

@Suite struct CP210xTests {
  func bridge(_ protocolVersion: ContecProtocol = .packet9Byte, scenario: PatientScenario = .stable)
    -> (ManualClock, SimulatedCP210x)
  {
    let clock = ManualClock()
    let oximeter = SimulatedContecOximeter(
      protocolVersion: protocolVersion, clock: clock, scenario: scenario, start: .zero)
    return (clock, SimulatedCP210x(oximeter: oximeter))
  }

  func record(_ request: UInt8, _ value: UInt16, _ data: [UInt8] = [])
    -> SimulatedCP210x.ControlRecord
  {
    SimulatedCP210x.ControlRecord(
      setup: USBControlSetup(requestType: 0x41, request: request, value: value, index: 0),
      data: data)
  }

  @Test func configuringSendsTheAN571VendorRequestsInOrder() throws {
    let (_, device) = bridge()
    let port = CP210xSerialPort(transport: try device.open())
    try port.configure(SerialConfiguration(baudRate: 115200))
    #expect(
      device.controlLog == [
        record(0x00, 0x0001),  // IFC_ENABLE: UART on
        record(0x1E, 0, [0x00, 0xC2, 0x01, 0x00]),  // SET_BAUDRATE 115200, little-endian
        record(0x03, 0x0800),  // SET_LINE_CTL: 8 data bits, no parity, 1 stop bit
        record(0x07, 0x0303),  // SET_MHS: DTR and RTS on
        record(0x12, 0x000F),  // PURGE both queues
      ])
    #expect(device.uartEnabled && device.baudRate == 115200 && device.modemControl == 3)
  }

  @Test func theLegacyFramingIs19200BaudEightDataBitsOddParity() throws {
    let (_, device) = bridge(.legacy5Byte)
    let port = CP210xSerialPort(transport: try device.open())
    try port.configure(ContecProtocol.legacy5Byte.serialConfiguration)
    #expect(device.controlLog[1] == record(0x1E, 0, [0x00, 0x4B, 0x00, 0x00]))
    #expect(device.controlLog[2] == record(0x03, 0x0810))
    #expect(device.lineControl == 0x0810)
  }

  @Test func closingPurgesAndDisablesTheUARTAsLinuxDoes() throws {
    let (_, device) = bridge()
    let port = CP210xSerialPort(transport: try device.open())
    try port.configure(SerialConfiguration(baudRate: 115200))
    port.close()
    #expect(Array(device.controlLog.suffix(2)) == [record(0x12, 0x000F), record(0x00, 0x0000)])
    #expect(!device.uartEnabled)
  }

  @Test func aFramingTheBridgeCannotDoIsRefusedBeforeAnyRequest() throws {
    let (_, device) = bridge()
    let port = CP210xSerialPort(transport: try device.open())
    #expect(throws: SerialError.unsupportedConfiguration(reason: "CP210x: 9 data bits")) {
      try port.configure(SerialConfiguration(baudRate: 115200, dataBits: 9))
    }
    #expect(device.controlLog.isEmpty)
  }

  @Test func anUnpluggedBridgeIsADisconnectedSerialPort() throws {
    let (_, device) = bridge()
    let port = CP210xSerialPort(transport: try device.open())
    try port.configure(SerialConfiguration(baudRate: 115200))
    device.unplug()
    #expect(throws: SerialError.disconnected) { try port.read(maxCount: 64, timeout: .zero) }
    #expect(throws: USBError.notFound(CP210x.deviceID)) { try device.open() }
  }

  @Test func theBridgeStallsRequestsAN571DoesNotDefine() throws {
    let (_, device) = bridge()
    let setup = USBControlSetup(requestType: 0x41, request: 0x55, value: 0, index: 0)
    #expect(throws: USBError.stall) { try device.controlOut(setup, data: [], timeout: .zero) }
    let wrongType = USBControlSetup(requestType: 0x40, request: 0x00, value: 1, index: 0)
    #expect(throws: USBError.stall) { try device.controlOut(wrongType, data: [], timeout: .zero) }
  }

  func collect<P: SerialPort>(from port: P, clock: ManualClock) throws -> [OximeterReading] {
    let driver = ContecOximeter(port: port, protocolVersion: .packet9Byte, clock: clock)
    try driver.start()
    var readings: [OximeterReading] = []
    for _ in 0..<20 {
      clock.advance(by: .milliseconds(100))
      let poll = try driver.poll()
      #expect(poll.errors.isEmpty)
      readings += poll.readings
    }
    return readings
  }

  @Test func theContecDriverReadsTheSameReadingsOverLibusbAndOverAKernelTTY() throws {
    let (usbClock, device) = bridge()
    let overUSB = try collect(from: CP210xSerialPort(transport: try device.open()), clock: usbClock)
    let ttyClock = ManualClock()
    let oximeter = SimulatedContecOximeter(
      protocolVersion: .packet9Byte, clock: ttyClock, scenario: .stable, start: .zero)
    let overTTY = try collect(from: SimulatedSerialPort(oximeter: oximeter), clock: ttyClock)
    #expect(overUSB.count == 120)  // 2 s at 60 packets per second
    #expect(overUSB == overTTY)
    #expect(overUSB.allSatisfy { $0.pulseRate == BeatsPerMinute(72) && $0.spo2 == Percent(97) })
  }

  @Test func bulkTransfersThatSplitPacketsAnywhereLoseNothing() throws {
    let (clock, device) = bridge()
    device.maximumTransfer = 7
    let driver = ContecOximeter(
      port: CP210xSerialPort(transport: try device.open()), protocolVersion: .packet9Byte,
      clock: clock)
    try driver.start()
    clock.advance(by: .seconds(1))
    var readings: [OximeterReading] = []
    for _ in 0..<3 { readings += try driver.poll().readings }
    #expect(readings.count == 60)
    #expect(driver.decoder.packetsRejected == 0)
  }

  @Test func theNineByteDeviceKeepsStreamingBecauseTheDriverRepeatsItsRequest() throws {
    let (clock, device) = bridge()
    let driver = ContecOximeter(
      port: CP210xSerialPort(transport: try device.open()), protocolVersion: .packet9Byte,
      clock: clock)
    try driver.start()
    var count = 0
    for _ in 0..<1200 {
      clock.advance(by: .milliseconds(100))
      count += try driver.poll().readings.count
    }
    #expect(count == 120 * 60)
    #expect(device.oximeter.commandsReceived.count == 13)  // at 0 s and every 10 s to 120 s
  }

  @Test func shortAndCorruptPacketsFromTheDeviceAreTypedAndTheRestStillDecode() throws {
    let (clock, device) = bridge(.legacy5Byte)
    device.oximeter.truncateNextPackets = 2
    let driver = ContecOximeter(
      port: CP210xSerialPort(transport: try device.open()), protocolVersion: .legacy5Byte,
      clock: clock)
    try driver.start()
    clock.advance(by: .seconds(1))
    let poll = try driver.poll()
    #expect(poll.errors.count == 2)
    #expect(poll.errors.allSatisfy { $0.conditionKind == .shortPacket })
    #expect(poll.readings.count == 58)
    device.oximeter.corruptNextPackets = 1
    clock.advance(by: .seconds(1))
    let next = try driver.poll()
    #expect(next.errors.map(\.conditionKind) == [.corruptPacket])
    #expect(next.readings.count == 59)
  }

  @Test func aSilentOximeterRaisesNoData() throws {
    let (clock, device) = bridge(.legacy5Byte)
    let driver = ContecOximeter(
      port: CP210xSerialPort(transport: try device.open()), protocolVersion: .legacy5Byte,
      clock: clock)
    try driver.start()
    device.oximeter.silent = true
    clock.advance(by: .seconds(1))
    _ = try driver.poll()
    clock.advance(by: .milliseconds(1500))
    expectFault(.noData) { () throws(SensorFault) in try driver.poll() }
  }
}
