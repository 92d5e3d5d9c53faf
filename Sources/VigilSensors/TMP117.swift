import VigilCore

/// The TMP117 register map and encodings.
///
/// Sources: Texas Instruments TMP117 datasheet (SNOSD82), section 7.6 "Register Map" and
/// Table 7-7 (conversion cycle times); Linux `drivers/iio/temperature/tmp117.c`
/// (`TMP117_REG_DEVICE_ID` 0x0F, `TMP117_DEVICE_ID` 0x0117, 7.8125 m°C resolution).
public enum TMP117Register {
  /// Temperature result: signed 16 bits, 7.8125 m°C per LSB; 0x8000 after reset until the first
  /// conversion completes.
  public static let temperature: UInt8 = 0x00
  /// Configuration: HIGH_Alert (15), LOW_Alert (14), Data_Ready (13), EEPROM_Busy (12),
  /// MOD (11:10), CONV (9:7), AVG (6:5), T/nA (4), POL (3), DR/Alert (2), Soft_Reset (1).
  public static let configuration: UInt8 = 0x01
  /// High limit (0x6000 = 192 °C at reset).
  public static let highLimit: UInt8 = 0x02
  /// Low limit (0x8000 = −256 °C at reset).
  public static let lowLimit: UInt8 = 0x03
  /// Temperature offset added to results (7.8125 m°C per LSB).
  public static let temperatureOffset: UInt8 = 0x07
  /// Device id: bits 11:0 are 0x117, bits 15:12 the revision.
  public static let deviceID: UInt8 = 0x0F

  /// The device id in bits 11:0 of ``deviceID``.
  public static let expectedDeviceID: UInt16 = 0x0117
  /// The result register's value before the first conversion after reset.
  public static let noConversionYet: UInt16 = 0x8000
  /// The power-on configuration: continuous conversion, CONV = 100, AVG = 01 (8 averages), so
  /// one result per second.
  public static let powerOnConfiguration: UInt16 = 0x0220
  /// Data_Ready flag in the configuration register; cleared by reading configuration or result.
  public static let dataReady: UInt16 = 0x2000
  /// Degrees Celsius per LSB of the result and offset registers.
  public static let celsiusPerLSB = 0.0078125
}

/// Driver for the Texas Instruments TMP117 digital temperature sensor (I2C 0x48-0x4B).
///
/// It checks the device id, requires continuous-conversion mode (the power-on default, which gives
/// one 8-times-averaged result per second), and returns a reading only when the Data_Ready flag
/// says a new conversion completed since the last read, so the same conversion is never reported
/// twice. The result 0x8000 before the first conversion is reported as no reading, never as
/// −256 °C.
///
/// The driver writes nothing: Vigil's `I2CBus` has no 16-bit register write, and the power-on
/// configuration is the one Vigil wants. A TMP117 whose EEPROM holds another mode fails
/// ``configure()`` with the register value in the detail.
public final class TMP117<Bus: I2CBus> {
  /// The default address (ADD0 to ground).
  public static var defaultAddress: I2CAddress { I2CAddress(0x48) }
  /// The addresses a TMP117 can take (ADD0 to GND, V+, SDA, SCL).
  public static var possibleAddresses: [I2CAddress] { (0x48...0x4B).map { I2CAddress($0) } }

  /// The bus the sensor is on.
  public let bus: Bus
  /// The sensor's address.
  public let address: I2CAddress
  /// The clock used to time readings and detect missing conversions.
  public let clock: any MonotonicClock
  /// The device id revision (bits 15:12 of register 0x0F) found by ``configure()``.
  public private(set) var revision: UInt8 = 0
  /// The configuration register found by ``configure()``.
  public private(set) var configurationValue: UInt16 = 0
  /// How long without a new conversion before ``read()`` throws
  /// ``TechnicalConditionKind/noConversion``: three conversion cycles.
  public private(set) var conversionTimeout = Duration.seconds(3)

  private var lastConversion = Instant.zero

  /// Creates a driver for the sensor at `address`.
  public init(bus: Bus, address: I2CAddress = TMP117<Bus>.defaultAddress, clock: any MonotonicClock)
  {
    self.bus = bus
    self.address = address
    self.clock = clock
  }

  private var name: String { "TMP117@\(address)" }

  private func word(_ register: UInt8, _ what: String) throws(SensorFault) -> UInt16 {
    do {
      return try bus.readBigEndianWord(at: address, register: register)
    } catch {
      throw SensorFault(error, device: name, while: what)
    }
  }

  /// The conversion cycle time for a configuration value (datasheet Table 7-7).
  public static func cycleTime(configuration: UInt16) -> Duration {
    let conv = Int((configuration >> 7) & 0x7)
    let avg = Int((configuration >> 5) & 0x3)
    // Active conversion time: 15.5 ms single, 125 ms for 8, 500 ms for 32, 1 s for 64 averages.
    let active: [UInt64] = [15_500_000, 125_000_000, 500_000_000, 1_000_000_000]
    let standby: [UInt64] = [
      15_500_000, 125_000_000, 250_000_000, 500_000_000, 1_000_000_000, 4_000_000_000,
      8_000_000_000, 16_000_000_000,
    ]
    return Duration(nanoseconds: max(active[avg], standby[conv]))
  }

  /// Checks the device id and the conversion mode.
  public func configure() throws(SensorFault) {
    let id = try word(TMP117Register.deviceID, "reading the device id (0x0F)")
    guard id & 0x0FFF == TMP117Register.expectedDeviceID else {
      throw SensorFault(.wrongDevice, "\(name): device id 0x\(hex(id)), expected 0x_117 (TMP117)")
    }
    revision = UInt8(id >> 12)
    let config = try word(TMP117Register.configuration, "reading the configuration (0x01)")
    let mode = (config >> 10) & 0x3
    guard mode == 0b00 || mode == 0b10 else {
      throw SensorFault(
        .configurationFailed,
        "\(name): configuration 0x\(hex(config)) has MOD=\(mode) (shutdown or one-shot); "
          + "continuous conversion (MOD=00) is required")
    }
    configurationValue = config
    let cycle = Self.cycleTime(configuration: config)
    conversionTimeout = Duration(nanoseconds: max(cycle.nanoseconds * 3, 2_000_000_000))
    lastConversion = clock.now
  }

  /// Returns the temperature of a conversion completed since the last call, or `nil` when none
  /// has completed yet (Data_Ready clear, or the result still 0x8000 after reset).
  public func read() throws(SensorFault) -> TemperatureReading? {
    let now = clock.now
    let config = try word(TMP117Register.configuration, "reading Data_Ready (0x01)")
    if config & TMP117Register.dataReady != 0 {
      let raw = try word(TMP117Register.temperature, "reading the result (0x00)")
      if raw != TMP117Register.noConversionYet {
        lastConversion = now
        let celsius = Double(Int16(bitPattern: raw)) * TMP117Register.celsiusPerLSB
        return TemperatureReading(
          temperature: Celsius(celsius), time: now, raw: raw, source: SensorID("tmp117@\(address)"))
      }
    }
    let silent = now - lastConversion
    if silent > conversionTimeout {
      throw SensorFault(
        .noConversion,
        "\(name): no completed conversion for \(silent.nanoseconds / 1_000_000) ms "
          + "(configuration 0x\(hex(config)))")
    }
    return nil
  }
}
