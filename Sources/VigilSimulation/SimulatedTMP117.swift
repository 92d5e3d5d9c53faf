import VigilCore
import VigilSensors

/// A register-level model of the TMP117: 16-bit registers read and written MSB first, device id
/// 0x0117, configuration 0x0220 after reset (continuous conversion, 1 s cycle, 8 averages), the
/// result register at 0x8000 until the first conversion completes (after the active conversion
/// time, 125 ms with 8 averages), Data_Ready set at each completion and cleared by reading the
/// configuration or the result, shutdown and one-shot modes, soft reset, and the offset register.
/// Conversion timing follows datasheet Table 7-7 through ``TMP117/cycleTime(configuration:)``.
public final class SimulatedTMP117: SimulatedI2CDevice {
  /// The clock that times conversions.
  public let clock: any MonotonicClock
  /// The patient whose temperature is measured.
  public var scenario: PatientScenario
  /// When the scenario started.
  public var start: Instant
  /// Fault: conversions stop completing.
  public var conversionsHalted = false
  /// The configuration loaded from EEPROM at power-on and soft reset.
  public var eepromConfiguration = TMP117Register.powerOnConfiguration

  private var result: UInt16 = TMP117Register.noConversionYet
  private var configuration: UInt16 = TMP117Register.powerOnConfiguration
  private var highLimit: UInt16 = 0x6000
  private var lowLimit: UInt16 = 0x8000
  private var offset: UInt16 = 0
  private var pointer: UInt8 = 0
  private var cycleStart = Instant.zero
  private var completed: UInt64 = 0

  /// Creates a powered-on sensor.
  public init(clock: any MonotonicClock, scenario: PatientScenario, start: Instant) {
    self.clock = clock
    self.scenario = scenario
    self.start = start
    powerOn()
  }

  /// Power-on (and soft-reset) state.
  public func powerOn() {
    result = TMP117Register.noConversionYet
    configuration = eepromConfiguration
    highLimit = 0x6000
    lowLimit = 0x8000
    offset = 0
    pointer = 0
    cycleStart = clock.now
    completed = 0
  }

  private var mode: UInt16 { (configuration >> 10) & 0x3 }

  /// Completes every conversion due by now.
  private func convert() {
    let now = clock.now
    guard !conversionsHalted, mode == 0b00 || mode == 0b10 else { return }
    let cycle = TMP117<SimulatedI2CBus>.cycleTime(configuration: configuration).nanoseconds
    let avg = Int((configuration >> 5) & 0x3)
    let active: [UInt64] = [15_500_000, 125_000_000, 500_000_000, 1_000_000_000]
    // Conversion n (0-based) completes at cycleStart + n·cycle + active time.
    let elapsed = now.nanoseconds &- cycleStart.nanoseconds
    guard now >= cycleStart, elapsed >= active[avg] else { return }
    let due = (elapsed - active[avg]) / cycle + 1
    guard due > completed else { return }
    completed = due
    let at = Instant(nanoseconds: cycleStart.nanoseconds + (due - 1) * cycle + active[avg])
    let celsius = scenario.state(at: at - start).temperature
    let raw =
      Int((celsius / TMP117Register.celsiusPerLSB).rounded()) + Int(Int16(bitPattern: offset))
    result = UInt16(bitPattern: Int16(clamping: raw))
    configuration |= TMP117Register.dataReady
  }

  /// Pointer, then two bytes MSB first for a register write.
  public func write(_ bytes: [UInt8]) {
    convert()
    guard let first = bytes.first else { return }
    pointer = first
    guard bytes.count >= 3 else { return }
    let value = UInt16(bytes[1]) << 8 | UInt16(bytes[2])
    switch pointer {
    case TMP117Register.configuration:
      if value & 0x0002 != 0 {
        powerOn()
        return
      }
      // Status bits 15:12 are read-only.
      configuration = (configuration & 0xF000) | (value & 0x0FFC)
      cycleStart = clock.now
      completed = 0
    case TMP117Register.highLimit: highLimit = value
    case TMP117Register.lowLimit: lowLimit = value
    case TMP117Register.temperatureOffset: offset = value
    default: break
    }
  }

  /// Two bytes of the selected register, MSB first, repeated if more are clocked out.
  public func read(count: Int) -> [UInt8] {
    convert()
    let value: UInt16
    switch pointer {
    case TMP117Register.temperature:
      value = result
      configuration &= ~TMP117Register.dataReady
    case TMP117Register.configuration:
      value = configuration
      configuration &= ~TMP117Register.dataReady
    case TMP117Register.highLimit: value = highLimit
    case TMP117Register.lowLimit: value = lowLimit
    case TMP117Register.temperatureOffset: value = offset
    case TMP117Register.deviceID: value = TMP117Register.expectedDeviceID
    default: value = 0
    }
    let bytes = [UInt8(value >> 8), UInt8(value & 0xFF)]
    return (0..<count).map { bytes[$0 % 2] }
  }
}
