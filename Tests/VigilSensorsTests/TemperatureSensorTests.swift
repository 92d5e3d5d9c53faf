import Testing
import VigilCore
import VigilSensors
import VigilSimulation

@Suite struct TemperatureSensorTests {
  func board(
    _ temperature: Double = 36.8, functionality: I2CFunctionality = .fullAdapter
  ) -> (ManualClock, SimulatedI2CBus, SimulatedTMP117, SimulatedMAX30205) {
    let clock = ManualClock()
    var baseline = PatientState.restingAdult
    baseline.temperature = temperature
    let scenario = PatientScenario(name: "t", baseline: baseline)
    let bus = SimulatedI2CBus(functionality: functionality)
    let tmp117 = SimulatedTMP117(clock: clock, scenario: scenario, start: .zero)
    let max30205 = SimulatedMAX30205(clock: clock, scenario: scenario, start: .zero)
    bus.attach(tmp117, at: I2CAddress(0x48))
    bus.attach(max30205, at: I2CAddress(0x49))
    return (clock, bus, tmp117, max30205)
  }

  @Test func tmp117ReportsNothingUntilItsFirstConversionThenSevenPointEightMilliDegreeSteps() throws
  {
    let (clock, bus, _, _) = board()
    let sensor = TMP117(bus: bus, address: I2CAddress(0x48), clock: clock)
    try sensor.configure()
    #expect(sensor.configurationValue == 0x0220)
    // Result is 0x8000 until the first 8-average conversion ends at 125 ms.
    #expect(try bus.readBigEndianWord(at: I2CAddress(0x48), register: 0x00) == 0x8000)
    #expect(try sensor.read() == nil)
    clock.advance(by: .milliseconds(125))
    let reading = try #require(try sensor.read())
    // 36.8 °C / 7.8125 m°C = 4710.4 -> 4710 = 0x1266 -> 36.796875 °C.
    #expect(reading.raw == 0x1266)
    #expect(reading.temperature == Celsius(36.796875))
    #expect(try sensor.read() == nil)  // same conversion is not reported twice
  }

  @Test func tmp117DeliversExactlyOneReadingPerSecondWhenPolledTwiceASecond() throws {
    let (clock, bus, _, _) = board()
    let sensor = TMP117(bus: bus, address: I2CAddress(0x48), clock: clock)
    try sensor.configure()
    var readings = 0
    for _ in 0..<20 {
      clock.advance(by: .milliseconds(500))
      if try sensor.read() != nil { readings += 1 }
    }
    #expect(readings == 10)
  }

  @Test func tmp117NegativeTemperaturesAreTwosComplement() throws {
    let (clock, bus, _, _) = board(-5.5)
    let sensor = TMP117(bus: bus, address: I2CAddress(0x48), clock: clock)
    try sensor.configure()
    clock.advance(by: .seconds(1))
    let reading = try #require(try sensor.read())
    #expect(reading.raw == 0xFD40)  // -704 x 7.8125 m°C
    #expect(reading.temperature == Celsius(-5.5))
  }

  @Test func tmp117InShutdownModeFromEEPROMFailsConfiguration() {
    let (clock, bus, tmp117, _) = board()
    tmp117.eepromConfiguration = 0x0620  // MOD = 01, shutdown
    tmp117.powerOn()
    let sensor = TMP117(bus: bus, address: I2CAddress(0x48), clock: clock)
    let fault = expectFault(.configurationFailed) { () throws(SensorFault) in try sensor.configure()
    }
    #expect(fault?.detail.contains("0x0620") == true)
  }

  @Test func tmp117WhoseConversionsStopRaisesNoConversion() throws {
    let (clock, bus, tmp117, _) = board()
    let sensor = TMP117(bus: bus, address: I2CAddress(0x48), clock: clock)
    try sensor.configure()
    clock.advance(by: .seconds(1))
    #expect(try sensor.read() != nil)
    tmp117.conversionsHalted = true
    clock.advance(by: .seconds(2))
    #expect(try sensor.read() == nil)
    clock.advance(by: .seconds(2))
    expectFault(.noConversion) { () throws(SensorFault) in try sensor.read() }
  }

  @Test func aMAX30205AtATMP117AddressIsRejectedByDeviceID() {
    let (clock, bus, _, _) = board()
    let sensor = TMP117(bus: bus, address: I2CAddress(0x49), clock: clock)
    expectFault(.wrongDevice) { () throws(SensorFault) in try sensor.configure() }
  }

  @Test func max30205ReadsMostSignificantByteFirstIn256thsOfADegree() throws {
    let (clock, bus, _, max30205) = board()
    let sensor = MAX30205(bus: bus, address: I2CAddress(0x49), clock: clock)
    try sensor.configure()
    clock.advance(by: .milliseconds(50))
    let reading = try sensor.read()
    // floor(36.8 x 256) = 9420 = 0x24CC, sent as 0x24 then 0xCC.
    #expect(reading.raw == 0x24CC)
    #expect(max30205.temperatureRegister == 0x24CC)
    #expect(reading.temperature == Celsius(9420.0 / 256.0))
  }

  @Test func max30205WorksThroughSMBusBlockReadsLikeI2CStub() throws {
    let (clock, bus, _, _) = board(38.5, functionality: .smbusOnly)
    let sensor = MAX30205(bus: bus, address: I2CAddress(0x49), clock: clock)
    try sensor.configure()
    clock.advance(by: .milliseconds(50))
    #expect(try sensor.read().temperature == Celsius(38.5))
  }

  @Test func aTMP117IsNotMistakenForAMAX30205() {
    let (clock, bus, _, _) = board()
    let sensor = MAX30205(bus: bus, address: I2CAddress(0x48), clock: clock)
    expectFault(.wrongDevice) { () throws(SensorFault) in try sensor.configure() }
  }

  @Test func anAdapterWithoutBlockReadsOrPlainI2CIsTypedUnsupported() {
    let (clock, bus, _, _) = board(functionality: [.smbusReadByteData, .smbusWriteByteData])
    let sensor = MAX30205(bus: bus, address: I2CAddress(0x49), clock: clock)
    expectFault(.adapterUnsupported) { () throws(SensorFault) in try sensor.configure() }
  }

  @Test func theBoardProbeNamesEachChipByItsRegisters() {
    let board = SimulatedBoard()
    let found = BoardProbe.scan(board.i2c)
    #expect(found.count == 3)
    #expect(found[0].0 == I2CAddress(0x48) && found[0].1 == .tmp117(revision: 0))
    #expect(found[1].0 == I2CAddress(0x49) && found[1].1 == .max30205)
    #expect(found[2].0 == I2CAddress(0x57) && found[2].1 == .max30102(revision: 3))
  }
}
