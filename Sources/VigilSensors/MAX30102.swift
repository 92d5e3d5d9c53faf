import VigilCore

/// Driver for the Maxim MAX30102/MAX30101 pulse-oximetry front end at I2C address 0x57.
///
/// It resets the chip, checks the part id, configures SpO2 mode and polls the 32-sample FIFO:
/// the number of unread samples comes from the write and read pointers, samples are read in
/// whole 6-byte red+infrared units (at most five per SMBus block read, or all at once with a plain
/// I2C write-then-read), masked to 18 bits, and numbered. Samples the chip drops while its FIFO
/// is full are counted from the overflow counter and become a gap in the numbering: the driver
/// never invents a sample. A FIFO that stops filling raises ``TechnicalConditionKind/fifoStuck``.
///
/// Sources: MAX30102 datasheet 19-7740 rev. 1 ("FIFO Configuration", "FIFO Write/Read Pointer",
/// "Overflow Counter", pseudo-code "Reading Data from the FIFO"); Linux
/// `drivers/iio/health/max30102.c` (`max30102_chip_init`, `max30102_read_measurement`).
public final class MAX30102<Bus: I2CBus> {
  /// The default address of the MAX30102 and MAX30101.
  public static var defaultAddress: I2CAddress { I2CAddress(0x57) }
  /// How many reads of the mode register the driver waits for the reset bit to clear.
  public static var resetPollLimit: Int { 100 }

  /// The bus the chip is on.
  public let bus: Bus
  /// The chip's address.
  public let address: I2CAddress
  /// The clock used for stuck-FIFO detection and batch times.
  public let clock: any MonotonicClock
  /// The configuration last applied by ``configure(_:)``.
  public private(set) var configuration = MAX30102Configuration()
  /// The revision id read during ``configure(_:)``.
  public private(set) var revision: UInt8 = 0
  /// Running counts.
  public private(set) var statistics = MAX30102Statistics()

  private var nextSequence: UInt64 = 0
  private var lastProgress = Instant.zero
  private var configured = false

  /// Creates a driver for the chip at `address` on `bus`.
  public init(
    bus: Bus, address: I2CAddress = MAX30102<Bus>.defaultAddress, clock: any MonotonicClock
  ) {
    self.bus = bus
    self.address = address
    self.clock = clock
  }

  private var name: String { "MAX30102@\(address)" }

  private func read(_ register: UInt8, _ what: String) throws(SensorFault) -> UInt8 {
    do {
      return try bus.readByte(at: address, register: register)
    } catch {
      throw SensorFault(error, device: name, while: what)
    }
  }

  private func write(_ register: UInt8, _ value: UInt8, _ what: String) throws(SensorFault) {
    do {
      try bus.writeByte(at: address, register: register, value: value)
    } catch {
      throw SensorFault(error, device: name, while: what)
    }
  }

  /// Checks the part id, resets the chip, applies `configuration` and verifies it by reading the
  /// registers back. Sample numbering restarts at zero.
  ///
  /// Throws ``TechnicalConditionKind/wrongDevice`` when the part id is not 0x15,
  /// ``TechnicalConditionKind/configurationFailed`` when the reset bit never clears or a register
  /// reads back differently, and bus conditions as they happen.
  public func configure(_ configuration: MAX30102Configuration = MAX30102Configuration())
    throws(SensorFault)
  {
    configured = false
    let part = try read(MAX30102Register.partID, "reading the part id (0xFF)")
    guard part == MAX30102Register.expectedPartID else {
      throw SensorFault(
        .wrongDevice, "\(name): part id 0x\(hex(part)), expected 0x15 (MAX30102/MAX30101)")
    }
    revision = try read(MAX30102Register.revisionID, "reading the revision id (0xFE)")

    // Reset: every register returns to its power-on value; RESET clears itself when done.
    try write(MAX30102Register.modeConfiguration, MAX30102Bits.reset, "writing RESET (0x09)")
    var polls = 0
    while true {
      let mode = try read(MAX30102Register.modeConfiguration, "polling RESET (0x09)")
      if mode & MAX30102Bits.reset == 0 { break }
      polls += 1
      guard polls < Self.resetPollLimit else {
        throw SensorFault(
          .configurationFailed, "\(name): RESET bit still set after \(polls) reads of 0x09")
      }
    }
    // Reading interrupt status clears PWR_RDY and anything left from before the reset.
    _ = try read(MAX30102Register.interruptStatus1, "clearing interrupt status 1 (0x00)")
    _ = try read(MAX30102Register.interruptStatus2, "clearing interrupt status 2 (0x01)")

    let settings: [(UInt8, UInt8, String)] = [
      (MAX30102Register.interruptEnable1, 0x00, "interrupt enable 1 (0x02)"),
      (MAX30102Register.interruptEnable2, 0x00, "interrupt enable 2 (0x03)"),
      (
        MAX30102Register.fifoConfiguration, configuration.fifoConfigurationValue,
        "FIFO config (0x08)"
      ),
      (
        MAX30102Register.spo2Configuration, configuration.spo2ConfigurationValue,
        "SpO2 config (0x0A)"
      ),
      (MAX30102Register.led1PulseAmplitude, configuration.redCurrent.code, "red LED (0x0C)"),
      (MAX30102Register.led2PulseAmplitude, configuration.infraredCurrent.code, "IR LED (0x0D)"),
      (MAX30102Register.fifoWritePointer, 0x00, "FIFO write pointer (0x04)"),
      (MAX30102Register.overflowCounter, 0x00, "overflow counter (0x05)"),
      (MAX30102Register.fifoReadPointer, 0x00, "FIFO read pointer (0x06)"),
      // Mode last, so sampling starts into an empty FIFO with everything else set.
      (MAX30102Register.modeConfiguration, configuration.modeConfigurationValue, "mode (0x09)"),
    ]
    for (register, value, what) in settings {
      try write(register, value, "writing " + what)
    }
    for (register, value, what) in settings where register > MAX30102Register.fifoData {
      let readBack = try read(register, "verifying " + what)
      guard readBack == value else {
        throw SensorFault(
          .configurationFailed,
          "\(name): \(what) reads back 0x\(hex(readBack)) after writing 0x\(hex(value))")
      }
    }
    self.configuration = configuration
    nextSequence = 0
    lastProgress = clock.now
    configured = true
  }

  /// Reads every unread sample from the FIFO.
  ///
  /// Issues one block read of the pointer registers 0x04-0x06, then reads exactly the available
  /// samples. When the pointers are equal the FIFO is either empty or completely full; the
  /// overflow counter or the almost-full flag (FIFO_A_FULL = 0 makes it mean "32 unread")
  /// decides which. Throws ``TechnicalConditionKind/fifoStuck`` when no sample has arrived for
  /// the configured timeout.
  public func readFIFO() throws(SensorFault) -> PPGBatch {
    guard configured else {
      throw SensorFault(.configurationFailed, "\(name): FIFO read before configure()")
    }
    let now = clock.now
    let pointers: [UInt8]
    do {
      pointers = try bus.readRegisters(
        at: address, register: MAX30102Register.fifoWritePointer, count: 3)
    } catch {
      throw SensorFault(error, device: name, while: "reading FIFO pointers (0x04-0x06)")
    }
    statistics.fifoTransactions += 1
    let writePointer = Int(pointers[0] & 0x1F)
    let overflow = pointers[1] & 0x1F
    let readPointer = Int(pointers[2] & 0x1F)
    var available =
      (writePointer - readPointer + MAX30102Register.fifoDepth) % MAX30102Register.fifoDepth
    if available == 0 {
      if overflow > 0 {
        available = MAX30102Register.fifoDepth
      } else {
        let status = try read(MAX30102Register.interruptStatus1, "reading interrupt status 1")
        statistics.fifoTransactions += 1
        if status & MAX30102Bits.almostFull != 0 { available = MAX30102Register.fifoDepth }
      }
    }

    if available == 0 {
      let silent = now - lastProgress
      if silent > configuration.stuckTimeout {
        throw SensorFault(
          .fifoStuck,
          "\(name): no sample for \(silent.nanoseconds / 1_000_000) ms "
            + "(write pointer \(writePointer), read pointer \(readPointer))")
      }
      return PPGBatch(
        samples: [], lostAfter: 0, lostCountSaturated: false,
        sampleRate: configuration.outputRate, time: now)
    }

    let bytes = try readSampleBytes(count: available)
    var samples: [PPGSample] = []
    samples.reserveCapacity(available)
    for index in 0..<available {
      let base = index * MAX30102Register.bytesPerSpO2Sample
      samples.append(
        PPGSample(
          sequence: nextSequence,
          red: word18(bytes[base], bytes[base + 1], bytes[base + 2]),
          infrared: word18(bytes[base + 3], bytes[base + 4], bytes[base + 5])))
      nextSequence += 1
    }
    let lost = Int(overflow)
    let saturated = overflow == MAX30102Register.overflowCounterMaximum
    nextSequence += UInt64(lost)
    statistics.samplesRead += UInt64(available)
    if lost > 0 {
      statistics.samplesLost += UInt64(lost)
      statistics.overflowEvents += 1
      if saturated { statistics.saturatedOverflows += 1 }
    }
    lastProgress = now
    return PPGBatch(
      samples: samples, lostAfter: lost, lostCountSaturated: saturated,
      sampleRate: configuration.outputRate, time: now)
  }

  private func readSampleBytes(count: Int) throws(SensorFault) -> [UInt8] {
    let total = count * MAX30102Register.bytesPerSpO2Sample
    do {
      if bus.functionality.contains(.plainI2C) {
        statistics.fifoTransactions += 1
        return try bus.readRegisters(at: address, register: MAX30102Register.fifoData, count: total)
      }
      // SMBus block reads carry at most 32 bytes: five whole samples (30 bytes) at a time, so a
      // sample is never split between two transactions.
      let perBlock = 32 / MAX30102Register.bytesPerSpO2Sample
      var bytes: [UInt8] = []
      bytes.reserveCapacity(total)
      var remaining = count
      while remaining > 0 {
        let chunk = min(remaining, perBlock)
        statistics.fifoTransactions += 1
        bytes += try bus.readRegisters(
          at: address, register: MAX30102Register.fifoData,
          count: chunk * MAX30102Register.bytesPerSpO2Sample)
        remaining -= chunk
      }
      return bytes
    } catch {
      throw SensorFault(error, device: name, while: "reading \(count) samples from FIFO (0x07)")
    }
  }

  /// Measures the die temperature (a one-shot conversion of about 29 ms), in °C, 0.0625 °C per
  /// step. Useful as a self-test: it exercises the chip without the LEDs.
  public func readDieTemperature() throws(SensorFault) -> Celsius {
    try write(MAX30102Register.dieTemperatureConfiguration, 0x01, "starting die temperature (0x21)")
    var polls = 0
    while try read(MAX30102Register.dieTemperatureConfiguration, "polling TEMP_EN (0x21)") & 1 != 0
    {
      polls += 1
      guard polls < Self.resetPollLimit else {
        throw SensorFault(.configurationFailed, "\(name): die temperature conversion never ended")
      }
    }
    let integer = Int8(bitPattern: try read(MAX30102Register.dieTemperatureInteger, "reading 0x1F"))
    let fraction = try read(MAX30102Register.dieTemperatureFraction, "reading 0x20") & 0x0F
    return Celsius(Double(integer) + Double(fraction) * 0.0625)
  }
}

/// Assembles one FIFO word (most significant byte first) and keeps its 18 meaningful bits.
@inline(__always)
func word18(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8) -> UInt32 {
  (UInt32(b0) << 16 | UInt32(b1) << 8 | UInt32(b2)) & MAX30102Register.sampleMask
}

/// Two lower-case hexadecimal digits.
func hex(_ value: UInt8) -> String {
  let digits: [Character] = [
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f",
  ]
  return String(digits[Int(value >> 4)]) + String(digits[Int(value & 0xF)])
}

/// Four lower-case hexadecimal digits.
func hex(_ value: UInt16) -> String { hex(UInt8(value >> 8)) + hex(UInt8(value & 0xFF)) }
