import Testing
import VigilCore
import VigilSensors
import VigilSimulation

@Suite struct MAX30102Tests {
  @Test func configureWritesTheDatasheetRegisterValues() throws {
    let bench = MAX30102Bench()
    try bench.driver.configure()
    // FIFO config: SMP_AVE = 010 (4 samples) in bits 7:5, rollover off, A_FULL 0.
    #expect(bench.chip.peek(0x08) == 0x40)
    // SpO2 config: ADC 4096 nA (01) << 5 | 400 Hz (011) << 2 | 411 µs (11).
    #expect(bench.chip.peek(0x0A) == 0x2F)
    // 7.0 mA / 0.2 mA per step = 35 = 0x23 on both LEDs.
    #expect(bench.chip.peek(0x0C) == 0x23)
    #expect(bench.chip.peek(0x0D) == 0x23)
    // SpO2 mode, not shut down.
    #expect(bench.chip.peek(0x09) == 0x03)
    #expect(bench.driver.revision == 0x03)
    #expect(bench.driver.configuration.outputRate == 100)
  }

  @Test func aChipWithAnotherPartIDIsRejectedAsWrongDevice() {
    let clock = ManualClock()
    let bus = SimulatedI2CBus()
    let max30100 = ScriptedDevice()
    max30100.registers[0xFF] = 0x11  // the MAX30100's part id
    bus.attach(max30100, at: I2CAddress(0x57))
    let driver = MAX30102(bus: bus, clock: clock)
    let fault = expectFault(.wrongDevice) { () throws(SensorFault) in try driver.configure() }
    #expect(fault?.detail.contains("0x11") == true)
  }

  @Test func aResetBitThatNeverClearsFailsConfigurationWithoutHanging() {
    let bench = MAX30102Bench()
    bench.chip.stuckInReset = true
    let fault = expectFault(.configurationFailed) { () throws(SensorFault) in
      try bench.driver.configure()
    }
    #expect(fault?.detail.contains("RESET") == true)
  }

  @Test func samplesAreAssembledMostSignificantByteFirstAndMaskedTo18Bits() throws {
    let clock = ManualClock()
    let bus = SimulatedI2CBus()
    let chip = ScriptedDevice()
    chip.registers[0xFF] = 0x15
    chip.fifoRegister = 0x07
    bus.attach(chip, at: I2CAddress(0x57))
    let driver = MAX30102(bus: bus, clock: clock)
    try driver.configure()
    // Pointers: write 2, overflow 0, read 0 -> two samples.
    chip.registers[0x04] = 2
    chip.registers[0x05] = 0
    chip.registers[0x06] = 0
    chip.fifoBytes = [0xFF, 0x12, 0x34, 0x01, 0x02, 0x03, 0x03, 0xFF, 0xFF, 0x00, 0x00, 0x01]
    let batch = try driver.readFIFO()
    #expect(batch.samples.count == 2)
    #expect(batch.samples[0] == PPGSample(sequence: 0, red: 0x3_1234, infrared: 0x1_0203))
    #expect(batch.samples[1] == PPGSample(sequence: 1, red: 0x3_FFFF, infrared: 0x0_0001))
  }

  @Test func decodedSamplesEqualWhatTheChipGenerated() throws {
    let bench = MAX30102Bench()
    bench.chip.recordsHistory = true
    try bench.driver.configure()
    bench.clock.advance(by: .milliseconds(250))
    let batch = try bench.driver.readFIFO()
    #expect(batch.samples.count == 25)
    for (index, sample) in batch.samples.enumerated() {
      #expect(sample.red == bench.chip.history[index].red)
      #expect(sample.infrared == bench.chip.history[index].infrared)
    }
    // Resting adult at 7 mA: red DC about 7 mA x 220 nA/mA / 4096 nA x 2^18 = 98 560 counts.
    let meanRed = batch.samples.map { Double($0.red) }.reduce(0, +) / 25
    #expect(meanRed > 90_000 && meanRed < 100_000)
  }

  @Test func anSMBusOnlyAdapterGetsWholeSamplesInBlocksOfAtMost32Bytes() throws {
    let bench = MAX30102Bench(functionality: .smbusOnly)
    let bus = RecordingBus(bench.bus)
    let driver = MAX30102(bus: bus, clock: bench.clock)
    try driver.configure()
    bench.clock.advance(by: .milliseconds(120))
    bus.calls.removeAll()
    let batch = try driver.readFIFO()
    #expect(batch.samples.count == 12)
    #expect(
      bus.calls == [
        .readBlock(0x57, 0x04, 3), .readBlock(0x57, 0x07, 30), .readBlock(0x57, 0x07, 30),
        .readBlock(0x57, 0x07, 12),
      ])
  }

  @Test func aPlainI2CAdapterReadsTheWholeFIFOInOneTransfer() throws {
    let bench = MAX30102Bench()
    let bus = RecordingBus(bench.bus)
    let driver = MAX30102(bus: bus, clock: bench.clock)
    try driver.configure()
    bench.clock.advance(by: .milliseconds(200))
    bus.calls.removeAll()
    let batch = try driver.readFIFO()
    #expect(batch.samples.count == 20)
    #expect(bus.calls == [.writeRead(0x57, [0x04], 3), .writeRead(0x57, [0x07], 120)])
  }

  @Test func aFIFOOverflowIsCountedExactlyAndLeavesAGapInTheNumbering() throws {
    let bench = MAX30102Bench()
    try bench.driver.configure()
    bench.clock.advance(by: .milliseconds(500))  // 50 samples into a 32-deep FIFO
    let first = try bench.driver.readFIFO()
    #expect(first.samples.count == 32)
    #expect(first.lostAfter == 18)
    #expect(!first.lostCountSaturated)
    #expect(bench.chip.droppedSamples == 18)
    bench.clock.advance(by: .milliseconds(100))
    let second = try bench.driver.readFIFO()
    #expect(second.samples.count == 10)
    #expect(second.samples.first?.sequence == 50)
    #expect(bench.driver.statistics.samplesLost == 18)
    #expect(bench.driver.statistics.samplesRead == 42)
  }

  @Test func anOverflowBeyondTheCounterIsReportedAsALowerBound() throws {
    let bench = MAX30102Bench()
    try bench.driver.configure()
    bench.clock.advance(by: .seconds(1))  // 100 samples: 32 kept, 68 dropped, counter stops at 31
    let batch = try bench.driver.readFIFO()
    #expect(batch.samples.count == 32)
    #expect(batch.lostAfter == 31)
    #expect(batch.lostCountSaturated)
    #expect(bench.chip.droppedSamples == 68)
    #expect(bench.driver.statistics.saturatedOverflows == 1)
  }

  @Test func aFIFOHoldingExactly32SamplesIsNotMistakenForAnEmptyOne() throws {
    let bench = MAX30102Bench()
    try bench.driver.configure()
    bench.clock.advance(by: .milliseconds(320))
    #expect(bench.chip.writePointer == bench.chip.readPointer)
    #expect(bench.chip.overflowCounter == 0)
    let batch = try bench.driver.readFIFO()
    #expect(batch.samples.count == 32)
    #expect(batch.lostAfter == 0)
  }

  @Test func noSampleIsLostOrInventedOverATenMinuteRunAt100Hz() throws {
    let bench = MAX30102Bench(functionality: .smbusOnly)
    bench.chip.recordsHistory = true
    try bench.driver.configure()
    var received: [PPGSample] = []
    received.reserveCapacity(60_000)
    // Poll every 100 ms with a little jitter (97-103 ms), as a loaded scheduler would.
    var step: UInt64 = 0
    while bench.clock.now < Instant(nanoseconds: 600_000_000_000) {
      step += 1
      let jitter = Int64((step * 7919) % 7) - 3
      let next = min(600_000_000_000, UInt64(Int64(step * 100_000_000) + jitter * 1_000_000))
      bench.clock.advance(to: Instant(nanoseconds: next))
      let batch = try bench.driver.readFIFO()
      #expect(batch.lostAfter == 0)
      received += batch.samples
    }
    #expect(bench.chip.generatedSamples == 60_000)
    #expect(received.count == 60_000)
    #expect(bench.chip.overReads == 0)
    #expect(bench.chip.droppedSamples == 0)
    var mismatches = 0
    for (index, sample) in received.enumerated() {
      if sample.sequence != UInt64(index) || sample.red != bench.chip.history[index].red
        || sample.infrared != bench.chip.history[index].infrared
      {
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
  }

  @Test func pollingFasterThanTheSampleRateNeverReadsAnEmptyFIFO() throws {
    let bench = MAX30102Bench()
    try bench.driver.configure()
    var total = 0
    for _ in 0..<400 {
      bench.clock.advance(by: .milliseconds(3))
      total += try bench.driver.readFIFO().samples.count
    }
    #expect(total == 120)
    #expect(bench.chip.overReads == 0)
  }

  @Test func aFIFOThatStopsFillingRaisesFifoStuck() throws {
    let bench = MAX30102Bench()
    try bench.driver.configure()
    bench.clock.advance(by: .milliseconds(100))
    _ = try bench.driver.readFIFO()
    bench.chip.fifoStuck = true
    bench.clock.advance(by: .milliseconds(900))
    #expect(try bench.driver.readFIFO().samples.isEmpty)
    bench.clock.advance(by: .milliseconds(200))
    expectFault(.fifoStuck) { () throws(SensorFault) in try bench.driver.readFIFO() }
  }

  @Test func theDieTemperatureIsReadInSixteenthsOfADegree() throws {
    let bench = MAX30102Bench()
    try bench.driver.configure()
    bench.chip.dieTemperature = 29.8125
    #expect(try bench.driver.readDieTemperature() == Celsius(29.8125))
  }

  @Test func anUnpluggedChipIsTypedDeviceAbsent() {
    let bench = MAX30102Bench()
    bench.bus.unplug(I2CAddress(0x57))
    expectFault(.deviceAbsent) { () throws(SensorFault) in try bench.driver.configure() }
  }
}
