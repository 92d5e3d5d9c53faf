import VigilCore
import VigilSensors

/// A register-level model of the MAX30102: the register file, the 32-sample FIFO with its write
/// and read pointers and overflow counter, interrupt status bits, reset and shutdown, and sample
/// generation at the configured rate and averaging from a ``PPGWaveformGenerator``, timed by a
/// clock. Behaviour follows the MAX30102 datasheet (19-7740): FIFO_DATA reads do not advance the
/// register pointer; the read pointer advances when a whole sample has been read; with rollover
/// off a full FIFO drops new samples and counts them in OVF_COUNTER (saturating at 31), which
/// resets when a sample is read; interrupt status registers clear when read; A_FULL and PPG_RDY
/// also clear when FIFO data is read.
///
/// Reading FIFO_DATA when the FIFO is empty does what the silicon does: it returns a stale slot
/// and moves the read pointer past the write pointer, corrupting the count. The model counts such
/// ``overReads`` so tests can prove a driver never does it.
public final class SimulatedMAX30102: SimulatedI2CDevice {
  /// The clock that times samples.
  public let clock: any MonotonicClock
  /// The light source.
  public var waveform: PPGWaveformGenerator
  /// Photodiode current per mA of LED current at DC, nA/mA, for (red, infrared).
  public var opticalGain = (red: 220.0, infrared: 300.0)
  /// The die temperature the chip reports, °C.
  public var dieTemperature = 31.25

  /// Fault: the FIFO stops filling while everything else answers.
  public var fifoStuck = false
  /// Fault: the RESET bit never clears.
  public var stuckInReset = false
  /// Reads of the mode register during which RESET still shows after a reset.
  public var resetDurationReads = 1

  /// Samples the chip produced (stored or dropped).
  public private(set) var generatedSamples: UInt64 = 0
  /// Samples dropped because the FIFO was full.
  public private(set) var droppedSamples: UInt64 = 0
  /// FIFO_DATA bytes read while the FIFO was empty.
  public private(set) var overReads: UInt64 = 0
  /// Whether to record every generated sample in ``history``.
  public var recordsHistory = false
  /// Every generated sample (red, infrared) in order, when ``recordsHistory`` is set.
  public private(set) var history: [(red: UInt32, infrared: UInt32)] = []

  private var registers = [UInt8](repeating: 0, count: 256)
  private var pointer: UInt8 = 0
  private var fifo = [(red: UInt32, infrared: UInt32)](repeating: (0, 0), count: 32)
  private var unread = 0
  private var byteIndex = 0
  private var resetReadsPending = 0
  private var samplingStart: Instant?
  private var samplesSinceStart: UInt64 = 0

  /// Creates a powered-on chip.
  public init(clock: any MonotonicClock, waveform: PPGWaveformGenerator) {
    self.clock = clock
    self.waveform = waveform
    powerOn()
  }

  /// Power-on reset: every register to its datasheet default, PWR_RDY set.
  public func powerOn() {
    resetRegisters()
    registers[Int(MAX30102Register.interruptStatus1)] = MAX30102Bits.powerReady
    resetReadsPending = 0
  }

  private func resetRegisters() {
    for index in registers.indices { registers[index] = 0 }
    registers[Int(MAX30102Register.revisionID)] = 0x03
    registers[Int(MAX30102Register.partID)] = MAX30102Register.expectedPartID
    unread = 0
    byteIndex = 0
    samplingStart = nil
  }

  // MARK: Registers seen by the driver

  /// The FIFO write pointer.
  public var writePointer: Int { Int(registers[Int(MAX30102Register.fifoWritePointer)]) }
  /// The FIFO read pointer.
  public var readPointer: Int { Int(registers[Int(MAX30102Register.fifoReadPointer)]) }
  /// The overflow counter.
  public var overflowCounter: Int { Int(registers[Int(MAX30102Register.overflowCounter)]) }
  /// Unread samples in the FIFO.
  public var unreadSamples: Int { unread }
  /// The value of register `register` (for tests; no side effects).
  public func peek(_ register: UInt8) -> UInt8 { registers[Int(register)] }

  private var mode: UInt8 { registers[Int(MAX30102Register.modeConfiguration)] }

  private var isSampling: Bool {
    let m = mode & 0x07
    return resetReadsPending == 0 && mode & MAX30102Bits.shutdown == 0
      && (m == MAX30102Mode.spo2.rawValue || m == MAX30102Mode.heartRate.rawValue
        || m == MAX30102Mode.multiLED.rawValue)
  }

  private var sampleRate: Int {
    MAX30102SampleRate(rawValue: registers[Int(MAX30102Register.spo2Configuration)] >> 2 & 0x7)!
      .hertz
  }

  private var averaging: Int {
    MAX30102Averaging(code: registers[Int(MAX30102Register.fifoConfiguration)] >> 5).count
  }

  // MARK: Time

  /// Produces every sample due by the clock's present time.
  public func advance() {
    let now = clock.now
    guard isSampling else {
      samplingStart = nil
      return
    }
    guard let start = samplingStart else {
      samplingStart = now
      samplesSinceStart = 0
      return
    }
    let rate = UInt64(sampleRate)
    let average = UInt64(averaging)
    while true {
      let k = samplesSinceStart + 1
      let due = start + Duration(nanoseconds: k * average * 1_000_000_000 / rate)
      guard due <= now else { break }
      samplesSinceStart = k
      produceSample(at: due, rate: rate, average: average)
    }
  }

  private func restartTiming() {
    samplingStart = isSampling ? clock.now : nil
    samplesSinceStart = 0
  }

  private func produceSample(at time: Instant, rate: UInt64, average: UInt64) {
    if fifoStuck { return }
    var red = 0.0
    var infrared = 0.0
    for j in 0..<average {
      let offset = (average - 1 - j) * 1_000_000_000 / rate
      let light = waveform.sample(
        at: Instant(nanoseconds: time.nanoseconds - min(offset, time.nanoseconds)))
      red += light.red
      infrared += light.infrared
    }
    red /= Double(average)
    infrared /= Double(average)
    let sample = (
      red: counts(light: red, gain: opticalGain.red, led: MAX30102Register.led1PulseAmplitude),
      infrared: counts(
        light: infrared, gain: opticalGain.infrared, led: MAX30102Register.led2PulseAmplitude)
    )
    generatedSamples += 1
    if recordsHistory { history.append(sample) }
    push(sample)
  }

  /// ADC counts for relative light `light`: photocurrent = LED mA × gain × light, scaled to the
  /// full-scale range, clamped to 18 bits, low bits zeroed below 18-bit resolution.
  private func counts(light: Double, gain: Double, led register: UInt8) -> UInt32 {
    let spo2Config = registers[Int(MAX30102Register.spo2Configuration)]
    let range = MAX30102ADCRange(rawValue: spo2Config >> 5 & 0x3)!
    let width = MAX30102PulseWidth(rawValue: spo2Config & 0x3)!
    let current = Double(registers[Int(register)]) * 0.2 * gain * max(0, light)
    let value = min(262_143.0, (current / range.fullScaleNanoamperes * 262_144).rounded(.down))
    let dropBits = UInt32(18 - width.resolutionBits)
    return (UInt32(value) >> dropBits) << dropBits
  }

  private func push(_ sample: (red: UInt32, infrared: UInt32)) {
    var write = writePointer
    let rollover =
      registers[Int(MAX30102Register.fifoConfiguration)] & MAX30102Bits.fifoRollover != 0
    if unread == MAX30102Register.fifoDepth {
      if !rollover {
        droppedSamples += 1
        bumpOverflow()
        return
      }
      // Rollover: overwrite the oldest; the read pointer follows.
      bumpOverflow()
      registers[Int(MAX30102Register.fifoReadPointer)] = UInt8((readPointer + 1) % 32)
      byteIndex = 0
      unread -= 1
    }
    fifo[write] = sample
    write = (write + 1) % 32
    registers[Int(MAX30102Register.fifoWritePointer)] = UInt8(write)
    unread += 1
    var status = registers[Int(MAX30102Register.interruptStatus1)] | MAX30102Bits.ppgReady
    let threshold = 32 - Int(registers[Int(MAX30102Register.fifoConfiguration)] & 0x0F)
    if unread >= threshold { status |= MAX30102Bits.almostFull }
    registers[Int(MAX30102Register.interruptStatus1)] = status
  }

  private func bumpOverflow() {
    let counter = registers[Int(MAX30102Register.overflowCounter)]
    if counter < MAX30102Register.overflowCounterMaximum {
      registers[Int(MAX30102Register.overflowCounter)] = counter + 1
    }
  }

  // MARK: Wire

  /// A write transaction: pointer, then data with auto-increment.
  public func write(_ bytes: [UInt8]) {
    advance()
    guard let first = bytes.first else { return }
    pointer = first
    for value in bytes.dropFirst() {
      store(value, at: pointer)
      if pointer != MAX30102Register.fifoData { pointer &+= 1 }
    }
  }

  private func store(_ value: UInt8, at register: UInt8) {
    switch register {
    case MAX30102Register.interruptStatus1, MAX30102Register.interruptStatus2,
      MAX30102Register.revisionID, MAX30102Register.partID,
      MAX30102Register.dieTemperatureInteger, MAX30102Register.dieTemperatureFraction:
      return  // read-only
    case MAX30102Register.fifoWritePointer, MAX30102Register.fifoReadPointer:
      registers[Int(register)] = value & 0x1F
      unread = (writePointer - readPointer + 32) % 32
      byteIndex = 0
    case MAX30102Register.overflowCounter:
      registers[Int(register)] = value & 0x1F
    case MAX30102Register.modeConfiguration:
      if value & MAX30102Bits.reset != 0 {
        resetRegisters()
        resetReadsPending = stuckInReset ? Int.max : resetDurationReads
        return
      }
      registers[Int(register)] = value & 0x87
      restartTiming()
    case MAX30102Register.fifoConfiguration, MAX30102Register.spo2Configuration:
      registers[Int(register)] =
        register == MAX30102Register.spo2Configuration ? value & 0x7F : value
      restartTiming()
    case MAX30102Register.dieTemperatureConfiguration:
      if value & 0x01 != 0 {
        let sixteenths = Int((dieTemperature * 16).rounded(.down))
        registers[Int(MAX30102Register.dieTemperatureInteger)] = UInt8(
          bitPattern: Int8(sixteenths >> 4))
        registers[Int(MAX30102Register.dieTemperatureFraction)] = UInt8(sixteenths & 0xF)
        registers[Int(MAX30102Register.interruptStatus2)] |= MAX30102Bits.dieTemperatureReady
      }
    default:
      registers[Int(register)] = value
    }
  }

  /// A read transaction: bytes from the pointer, auto-incrementing except at FIFO_DATA.
  public func read(count: Int) -> [UInt8] {
    advance()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    for _ in 0..<count {
      bytes.append(load(pointer))
      if pointer != MAX30102Register.fifoData { pointer &+= 1 }
    }
    return bytes
  }

  private func load(_ register: UInt8) -> UInt8 {
    switch register {
    case MAX30102Register.interruptStatus1, MAX30102Register.interruptStatus2:
      let value = registers[Int(register)]
      registers[Int(register)] = 0
      return value
    case MAX30102Register.modeConfiguration:
      if resetReadsPending > 0 {
        if resetReadsPending != Int.max { resetReadsPending -= 1 }
        return registers[Int(register)] | MAX30102Bits.reset
      }
      return registers[Int(register)]
    case MAX30102Register.fifoData:
      return popFIFOByte()
    default:
      return registers[Int(register)]
    }
  }

  private func popFIFOByte() -> UInt8 {
    if unread == 0 { overReads += 1 }
    let slot = fifo[readPointer]
    let heartRateMode = mode & 0x07 == MAX30102Mode.heartRate.rawValue
    let bytesPerSample = heartRateMode ? 3 : 6
    let word = byteIndex < 3 ? slot.red : slot.infrared
    let shift = UInt32(8 * (2 - byteIndex % 3))
    let byte = UInt8((word >> shift) & 0xFF)
    registers[Int(MAX30102Register.interruptStatus1)] &=
      ~(MAX30102Bits.almostFull | MAX30102Bits.ppgReady)
    byteIndex += 1
    if byteIndex == bytesPerSample {
      byteIndex = 0
      registers[Int(MAX30102Register.fifoReadPointer)] = UInt8((readPointer + 1) % 32)
      registers[Int(MAX30102Register.overflowCounter)] = 0
      unread = unread > 0 ? unread - 1 : (writePointer - readPointer + 32) % 32
    }
    return byte
  }
}
