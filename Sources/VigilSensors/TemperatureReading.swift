import VigilCore

/// One body-temperature measurement.
public struct TemperatureReading: Hashable, Sendable {
  /// The temperature.
  public var temperature: Celsius
  /// When it was read.
  public var time: Instant
  /// The raw register value it came from.
  public var raw: UInt16
  /// The sensor that measured it.
  public var source: SensorID

  /// Creates a reading.
  public init(temperature: Celsius, time: Instant, raw: UInt16, source: SensorID) {
    self.temperature = temperature
    self.time = time
    self.raw = raw
    self.source = source
  }
}
