import Testing
import VigilCore
import VigilSensors
import VigilSimulation

@Suite struct SimulatedMAX30102Tests {
  func chip() -> (ManualClock, SimulatedI2CBus, SimulatedMAX30102) {
    let clock = ManualClock()
    let bus = SimulatedI2CBus()
    let chip = SimulatedMAX30102(
      clock: clock, waveform: PPGWaveformGenerator(scenario: .stable, start: .zero))
    bus.attach(chip, at: I2CAddress(0x57))
    return (clock, bus, chip)
  }

  @Test func powerOnStateMatchesTheDatasheet() throws {
    let (_, bus, _) = chip()
    let a = I2CAddress(0x57)
    #expect(try bus.readByte(at: a, register: 0xFF) == 0x15)
    #expect(try bus.readByte(at: a, register: 0x00) == 0x01)  // PWR_RDY
    #expect(try bus.readByte(at: a, register: 0x00) == 0x00)  // cleared by the read
    #expect(try bus.readByte(at: a, register: 0x09) == 0x00)
  }

  @Test func theOutputRateIsTheSampleRateDividedByTheAveraging() throws {
    for (spo2Config, fifoConfig, expected) in [
      (UInt8(0x27), UInt8(0x00), UInt64(100)), (0x2F, 0x40, 100), (0x23, 0x00, 50),
      (0x2B, 0x20, 100),
    ] {
      let (clock, bus, chip) = chip()
      let a = I2CAddress(0x57)
      try bus.writeByte(at: a, register: 0x08, value: fifoConfig | 0x10)  // rollover on: no limit
      try bus.writeByte(at: a, register: 0x0A, value: spo2Config)
      try bus.writeByte(at: a, register: 0x09, value: 0x03)
      clock.advance(by: .seconds(1))
      _ = try bus.readByte(at: a, register: 0x04)
      #expect(chip.generatedSamples == expected, "SpO2 config 0x\(spo2Config)")
    }
  }

  @Test func fifoDataReadsDoNotAdvanceTheRegisterPointerButRegisterReadsDo() throws {
    let (clock, bus, chip) = chip()
    let a = I2CAddress(0x57)
    try bus.writeByte(at: a, register: 0x0A, value: 0x27)
    try bus.writeByte(at: a, register: 0x09, value: 0x03)
    clock.advance(by: .milliseconds(30))
    #expect(try bus.readBlock(at: a, register: 0x04, count: 3) == [3, 0, 0])
    _ = try bus.readBlock(at: a, register: 0x07, count: 12)
    #expect(chip.readPointer == 2)
    #expect(chip.unreadSamples == 1)
  }

  @Test func readingAnEmptyFIFOIsCountedAsAnOverRead() throws {
    let (_, bus, chip) = chip()
    _ = try bus.readBlock(at: I2CAddress(0x57), register: 0x07, count: 6)
    #expect(chip.overReads == 6)
  }

  @Test func resetReturnsRegistersToPowerOnValuesAndShowsTheResetBitBriefly() throws {
    let (_, bus, chip) = chip()
    let a = I2CAddress(0x57)
    try bus.writeByte(at: a, register: 0x0C, value: 0x24)
    try bus.writeByte(at: a, register: 0x09, value: 0x40)
    #expect(try bus.readByte(at: a, register: 0x09) == 0x40)
    #expect(try bus.readByte(at: a, register: 0x09) == 0x00)
    #expect(chip.peek(0x0C) == 0x00)
  }

  @Test func withRolloverTheOldestSamplesAreOverwrittenAndCounted() throws {
    let (clock, bus, chip) = chip()
    let a = I2CAddress(0x57)
    try bus.writeByte(at: a, register: 0x08, value: 0x10)
    try bus.writeByte(at: a, register: 0x0A, value: 0x27)
    try bus.writeByte(at: a, register: 0x09, value: 0x03)
    clock.advance(by: .milliseconds(400))
    _ = try bus.readByte(at: a, register: 0x04)
    #expect(chip.unreadSamples == 32)
    #expect(chip.overflowCounter == 8)
    #expect(chip.droppedSamples == 0)
    #expect(chip.readPointer == 8)
  }
}

@Suite struct SimulatedBusTests {
  @Test func anEmptyAddressAnswersNoDevice() {
    let bus = SimulatedI2CBus()
    #expect(throws: I2CError.noDevice(address: I2CAddress(0x20))) {
      try bus.readByte(at: I2CAddress(0x20), register: 0)
    }
  }

  @Test func smbusBlocksOver32BytesAreRefusedLikeTheKernel() {
    let board = SimulatedBoard()
    #expect(throws: I2CError.invalidRequest(reason: "I2C block read of 33 bytes (1-32 allowed)")) {
      try board.i2c.readBlock(at: SimulatedBoard.max30102Address, register: 7, count: 33)
    }
  }

  @Test func anSMBusOnlyAdapterRefusesPlainI2CLikeI2CStub() {
    let board = SimulatedBoard(functionality: .smbusOnly)
    #expect(throws: I2CError.unsupported(operation: "plain I2C transfer (I2C_RDWR)")) {
      try board.i2c.writeRead(at: SimulatedBoard.max30102Address, write: [0xFF], readCount: 1)
    }
  }

  @Test func aNAKFaultLastsForTheInjectedNumberOfTransfers() throws {
    let board = SimulatedBoard()
    board.i2c.inject(.nakNext(2), at: SimulatedBoard.max30102Address)
    for _ in 0..<2 {
      #expect(throws: I2CError.nak(address: SimulatedBoard.max30102Address)) {
        try board.i2c.readByte(at: SimulatedBoard.max30102Address, register: 0xFF)
      }
    }
    #expect(try board.i2c.readByte(at: SimulatedBoard.max30102Address, register: 0xFF) == 0x15)
  }
}

@Suite struct SimulatedContecTests {
  @Test func theLegacyDeviceStreams60PacketsPerSecondUnasked() {
    let clock = ManualClock()
    let device = SimulatedContecOximeter(
      protocolVersion: .legacy5Byte, clock: clock, scenario: .stable, start: .zero)
    clock.advance(by: .seconds(2))
    #expect(device.take(maxCount: 10_000).count == 120 * 5)
  }

  @Test func theNineByteDeviceStreamsForThirtySecondsPerRequest() {
    let clock = ManualClock()
    let device = SimulatedContecOximeter(
      protocolVersion: .packet9Byte, clock: clock, scenario: .stable, start: .zero)
    clock.advance(by: .seconds(1))
    #expect(device.take(maxCount: 10_000).isEmpty)
    device.receive(ContecProtocol.startLiveData)
    clock.advance(by: .seconds(40))
    device.produce()
    #expect(device.packetsSent == 30 * 60)
  }

  @Test func theBridgeMovesNoBytesBeforeItsUARTIsEnabled() throws {
    let clock = ManualClock()
    let device = SimulatedContecOximeter(
      protocolVersion: .legacy5Byte, clock: clock, scenario: .stable, start: .zero)
    let bridge = try SimulatedCP210x(oximeter: device).open()
    clock.advance(by: .seconds(1))
    #expect(try bridge.bulkIn(endpoint: 0x81, maxLength: 64, timeout: .zero).isEmpty)
  }

  @Test func aWrongBaudRateDeliversGarbleNotPackets() throws {
    let clock = ManualClock()
    let device = SimulatedContecOximeter(
      protocolVersion: .legacy5Byte, clock: clock, scenario: .stable, start: .zero)
    let port = SimulatedSerialPort(oximeter: device)
    try port.configure(SerialConfiguration(baudRate: 115200))
    clock.advance(by: .seconds(1))
    let bytes = try port.read(maxCount: 1000, timeout: .zero)
    #expect(bytes.count == 225)  // 300 bytes sent, a quarter lost to framing errors
    var decoder = ContecDecoder(protocolVersion: .legacy5Byte)
    var readings: [OximeterReading] = []
    var errors: [ContecFrameError] = []
    decoder.feed(bytes, time: clock.now, readings: &readings, errors: &errors)
    // Random bytes sometimes frame as a packet; the lock keeps them from becoming readings.
    #expect(decoder.packetsDecoded > 0)
    #expect(readings.isEmpty)
    #expect(!errors.isEmpty)
  }
}
