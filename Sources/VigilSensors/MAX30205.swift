import VigilCore

/// The MAX30205 register map and encodings.
///
/// Source: Maxim Integrated MAX30205 datasheet (19-7428), "Register Map" and "Temperature
/// Register": temperature is two's complement, MSB first, 0.00390625 °C per LSB (1/256), with an
/// optional extended format that adds 64 °C; THYST and TOS power up at 75 °C and 80 °C.
public enum MAX30205Register {
  /// Temperature: signed 16 bits, 1/256 °C per LSB, MSB first.
  public static let temperature: UInt8 = 0x00
  /// Configuration (8 bits): ONE-SHOT (7), TIMEOUT (6), DATA FORMAT (5), FAULT QUEUE (4:3),
  /// OS POLARITY (2), COMPARATOR/INTERRUPT (1), SHUTDOWN (0).
  public static let configuration: UInt8 = 0x01
  /// Hysteresis threshold (16 bits, 75 °C = 0x4B00 at power-up).
  public static let hysteresis: UInt8 = 0x02
  /// Overtemperature threshold (16 bits, 80 °C = 0x5000 at power-up).
  public static let overtemperature: UInt8 = 0x03

  /// THYST at power-up.
  public static let powerOnHysteresis: UInt16 = 0x4B00
  /// TOS at power-up.
  public static let powerOnOvertemperature: UInt16 = 0x5000
  /// Configuration bit 5: extended data format (reading + 64 °C).
  public static let extendedFormat: UInt8 = 0x20
  /// Configuration bit 0: shutdown.
  public static let shutdown: UInt8 = 0x01
  /// Degrees Celsius per LSB.
  public static let celsiusPerLSB = 1.0 / 256.0
}

/// Driver for the Maxim MAX30205 clinical-grade temperature sensor (±0.1 °C from 37 °C to 39 °C),
/// default address 0x48.
///
/// The chip has no identity register; ``configure()`` checks the threshold registers for their
/// power-on values (75 °C and 80 °C) unless told the thresholds may have been changed, then writes
/// the 8-bit configuration: continuous conversion, normal data format, comparator mode. It then
/// converts continuously (about 44 ms per conversion) and ``read()`` returns the latest result.
public final class MAX30205<Bus: I2CBus> {
  /// The default address (A0-A2 to ground).
  public static var defaultAddress: I2CAddress { I2CAddress(0x48) }

  /// The bus the sensor is on.
  public let bus: Bus
  /// The sensor's address.
  public let address: I2CAddress
  /// The clock used to time readings.
  public let clock: any MonotonicClock
  /// Whether ``configure()`` insists on power-on threshold values as an identity check.
  public var requirePowerOnThresholds: Bool

  /// Creates a driver for the sensor at `address`.
  public init(
    bus: Bus, address: I2CAddress = MAX30205<Bus>.defaultAddress, clock: any MonotonicClock,
    requirePowerOnThresholds: Bool = true
  ) {
    self.bus = bus
    self.address = address
    self.clock = clock
    self.requirePowerOnThresholds = requirePowerOnThresholds
  }

  private var name: String { "MAX30205@\(address)" }

  private func word(_ register: UInt8, _ what: String) throws(SensorFault) -> UInt16 {
    do {
      return try bus.readBigEndianWord(at: address, register: register)
    } catch {
      throw SensorFault(error, device: name, while: what)
    }
  }

  /// Identifies the chip by its threshold registers and sets continuous conversion in the normal
  /// data format.
  public func configure() throws(SensorFault) {
    if requirePowerOnThresholds {
      let hyst = try word(MAX30205Register.hysteresis, "reading THYST (0x02)")
      let tos = try word(MAX30205Register.overtemperature, "reading TOS (0x03)")
      guard hyst == MAX30205Register.powerOnHysteresis,
        tos == MAX30205Register.powerOnOvertemperature
      else {
        throw SensorFault(
          .wrongDevice,
          "\(name): THYST 0x\(hex(hyst)) TOS 0x\(hex(tos)), expected 0x4b00 0x5000 (MAX30205 "
            + "power-on values)")
      }
    }
    let config: UInt8
    do {
      try bus.writeByte(at: address, register: MAX30205Register.configuration, value: 0x00)
      config = try bus.readByte(at: address, register: MAX30205Register.configuration)
    } catch {
      throw SensorFault(error, device: name, while: "writing the configuration (0x01)")
    }
    guard config == 0x00 else {
      throw SensorFault(
        .configurationFailed, "\(name): configuration reads 0x\(hex(config)) after writing 0x00")
    }
  }

  /// Reads the latest conversion.
  public func read() throws(SensorFault) -> TemperatureReading {
    let raw = try word(MAX30205Register.temperature, "reading the temperature (0x00)")
    let celsius = Double(Int16(bitPattern: raw)) * MAX30205Register.celsiusPerLSB
    return TemperatureReading(
      temperature: Celsius(celsius), time: clock.now, raw: raw,
      source: SensorID("max30205@\(address)"))
  }
}
