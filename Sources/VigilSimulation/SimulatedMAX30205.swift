import VigilCore
import VigilSensors

/// A register-level model of the MAX30205: a two-bit register pointer (higher bits ignored, as on
/// LM75-style parts), a temperature register updated every 44 ms from the scenario while not shut
/// down, the 8-bit configuration with the extended data format, and THYST/TOS at 75 °C and 80 °C
/// after power-on. 16-bit registers read most significant byte first.
public final class SimulatedMAX30205: SimulatedI2CDevice {
  /// The clock that times conversions.
  public let clock: any MonotonicClock
  /// The patient whose temperature is measured.
  public var scenario: PatientScenario
  /// When the scenario started.
  public var start: Instant
  /// Conversion time (typical 44 ms).
  public var conversionTime = Duration.milliseconds(44)

  private var temperature: UInt16 = 0
  private var configuration: UInt8 = 0
  private var hysteresis: UInt16 = 0
  private var overtemperature: UInt16 = 0
  private var pointer: UInt8 = 0
  private var lastConversion: UInt64 = .max

  /// Creates a powered-on sensor.
  public init(clock: any MonotonicClock, scenario: PatientScenario, start: Instant) {
    self.clock = clock
    self.scenario = scenario
    self.start = start
    powerOn()
  }

  /// Power-on state.
  public func powerOn() {
    temperature = 0
    configuration = 0
    hysteresis = MAX30205Register.powerOnHysteresis
    overtemperature = MAX30205Register.powerOnOvertemperature
    pointer = 0
    lastConversion = .max
  }

  /// The raw temperature register (for tests).
  public var temperatureRegister: UInt16 {
    convert()
    return temperature
  }

  private func convert() {
    guard configuration & MAX30205Register.shutdown == 0 else { return }
    let now = clock.now
    let index = now.nanoseconds / conversionTime.nanoseconds
    guard index != lastConversion else { return }
    lastConversion = index
    let at = Instant(nanoseconds: index * conversionTime.nanoseconds)
    var celsius = scenario.state(at: at - start).temperature
    if configuration & MAX30205Register.extendedFormat != 0 { celsius -= 64 }
    let raw = Int((celsius * 256).rounded(.down))
    temperature = UInt16(bitPattern: Int16(clamping: raw))
  }

  /// Pointer, then one byte (configuration) or two bytes MSB first (16-bit registers).
  public func write(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    pointer = first & 0x03
    let data = Array(bytes.dropFirst())
    switch pointer {
    case MAX30205Register.configuration:
      if let value = data.first { configuration = value }
    case MAX30205Register.hysteresis:
      if data.count >= 2 { hysteresis = UInt16(data[0]) << 8 | UInt16(data[1]) }
    case MAX30205Register.overtemperature:
      if data.count >= 2 { overtemperature = UInt16(data[0]) << 8 | UInt16(data[1]) }
    default:
      break  // the temperature register is read-only
    }
  }

  /// Bytes of the selected register, repeated if more are clocked out.
  public func read(count: Int) -> [UInt8] {
    convert()
    let register: [UInt8]
    switch pointer {
    case MAX30205Register.temperature:
      register = [UInt8(temperature >> 8), UInt8(temperature & 0xFF)]
    case MAX30205Register.configuration: register = [configuration]
    case MAX30205Register.hysteresis: register = [UInt8(hysteresis >> 8), UInt8(hysteresis & 0xFF)]
    default: register = [UInt8(overtemperature >> 8), UInt8(overtemperature & 0xFF)]
    }
    return (0..<count).map { register[$0 % register.count] }
  }
}
