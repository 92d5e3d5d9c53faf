import VigilCore

/// A condition a sensor reports from one poll: what, and the engineering detail.
public struct ConditionReport: Hashable, Sendable {
  /// The kind of condition.
  public var kind: TechnicalConditionKind
  /// Detail for the biomedical engineer.
  public var detail: String
  /// Creates a report.
  public init(_ kind: TechnicalConditionKind, _ detail: String) {
    self.kind = kind
    self.detail = detail
  }
}

/// What a poll says about the device besides its readings.
public struct SensorPollReport: Hashable, Sendable {
  /// The measurement conditions now true (finger out, searching, probe error), or `nil` when
  /// this poll brought no news of them (no packet arrived).
  public var measurement: [ConditionReport]?
  /// Events that happened during the poll (samples lost, corrupt packets).
  public var events: [ConditionReport]
  /// Creates a report.
  public init(measurement: [ConditionReport]? = nil, events: [ConditionReport] = []) {
    self.measurement = measurement
    self.events = events
  }
}

/// Readings collected from the sensors, to be handed to the signal stage.
public struct SensorReadings: Sendable {
  /// PPG batches from MAX30102 sensors.
  public var ppg: [PPGBatch] = []
  /// Temperature readings.
  public var temperatures: [TemperatureReading] = []
  /// Oximeter packets.
  public var oximetry: [OximeterReading] = []
  /// Creates an empty collection.
  public init() {}
  /// Empties every list, keeping capacity.
  public mutating func removeAll() {
    ppg.removeAll(keepingCapacity: true)
    temperatures.removeAll(keepingCapacity: true)
    oximetry.removeAll(keepingCapacity: true)
  }
}

/// A sensor the ``SensorSupervisor`` can start, poll and restart.
public protocol SupervisedSensor: AnyObject {
  /// Which sensor this is.
  var id: SensorID { get }
  /// How often ``poll(into:)`` should run.
  var pollInterval: Duration { get }
  /// Opens, identifies and configures the device; called at first and after every fault.
  func start() throws(SensorFault)
  /// Reads what the device has, appending readings to `readings`.
  func poll(into readings: inout SensorReadings) throws(SensorFault) -> SensorPollReport
  /// Releases the device after a fault or at shutdown; never fails.
  func stop()
}
