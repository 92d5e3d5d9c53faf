import Testing
import VigilCore
import VigilLinux
import VigilSensors
import VigilSimulation

/// The whole stack at once: Vigil's real drivers (`VigilSensors`) over the real Linux backends
/// (``LinuxI2CBus``, ``LibUSBTransport``) over the kernel interfaces emulated by umockdev, in
/// front of the register- and byte-level chip models of `VigilSimulation`'s
/// ``SimulatedBoard`` (MAX30102 at 0x57, TMP117 at 0x48, MAX30205 at 0x49, a Contec oximeter
/// behind a CP210x), all following the `stable` patient (pulse 72/min, SpO2 97 %, 36.8 °C).
@Suite(
  .serialized,
  .enabled(if: Emulation.shouldRun, "needs umockdev's preload library: Scripts/test-emulated"))
struct SimulatedBoardThroughLinuxBackendsTests {
  @Test(arguments: [false, true])
  func driversFindAndReadTheI2CChips(smbusOnlyAdapter: Bool) throws {
    let testbed = try Testbed.require()
    let board = SimulatedBoard(scenario: .stable)
    // The i2c-stub-like adapter forces the SMBus paths through LinuxI2CBus.
    let adapter = EmulatedI2CAdapter(
      model: board.i2c, functionality: smbusOnlyAdapter ? .smbusOnly : nil)
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    #expect(bus.functionality.contains(.plainI2C) == !smbusOnlyAdapter)

    let found = Dictionary(
      BoardProbe.scan(bus).map { ($0.0.rawValue, $0.1) }, uniquingKeysWith: { first, _ in first })
    #expect(found[0x57].map { if case .max30102 = $0 { true } else { false } } == true)
    #expect(found[0x48].map { if case .tmp117 = $0 { true } else { false } } == true)
    #expect(found[0x49] == .max30205)

    let thermometer = TMP117(bus: bus, address: SimulatedBoard.tmp117Address, clock: board.clock)
    try thermometer.configure()
    board.clock.advance(by: .seconds(2))
    let reading = try #require(try thermometer.read())
    // 36.8 °C to the TMP117's resolution of 1/128 °C.
    #expect(abs(reading.temperature.value - 36.8) <= TMP117Register.celsiusPerLSB)

    let oximeter = MAX30102(bus: bus, address: SimulatedBoard.max30102Address, clock: board.clock)
    try oximeter.configure()
    board.clock.advance(by: .milliseconds(200))
    let batch = try oximeter.readFIFO()
    // 400 conversions per second averaged by 4: 100 samples per second.
    #expect(batch.sampleRate == 100)
    #expect(batch.samples.count == 20)
    #expect(batch.lostAfter == 0)
    #expect(batch.samples.allSatisfy { $0.infrared > 10_000 })  // finger on the sensor
  }

  @Test func contecOximeterReadsThroughLibUSBAndTheCP210xDriver() throws {
    let testbed = try Testbed.require()
    let board = SimulatedBoard(scenario: .stable, oximeterProtocol: .packet9Byte)
    _ = try board.cp210x.open()  // the bridge at power-on, as after plugging in
    let bus = testbed.uniqueBus()
    let (device, syspath) = try testbed.plugCP2102Model(
      board.cp210x, bus: bus, address: 2, kernelDriverBound: true)
    defer { testbed.unplug(device, syspath: syspath) }

    let context = try LibUSBContext()
    let transport = try context.open(
      CP210x.deviceID, at: USBDeviceAddress(bus: UInt8(bus), device: 2))
    let port = CP210xSerialPort(transport: transport)
    let oximeter = ContecOximeter(
      port: port, protocolVersion: .packet9Byte, clock: board.clock, name: "CMS50D+")
    try oximeter.start()
    #expect(board.cp210x.uartEnabled)
    #expect(board.cp210x.baudRate == 115_200)
    #expect(device.driverDisconnects == 1)

    board.clock.advance(by: .seconds(1))
    var readings: [OximeterReading] = []
    for _ in 0..<20 where readings.count < 40 {
      readings += try oximeter.poll().readings
    }
    #expect(readings.count >= 40)
    #expect(readings.last?.pulseRate?.value == 72)
    #expect(readings.last?.spo2?.value == 97)
  }
}
