import VigilCore

/// A MAX30102 under supervision: configures it on start and reads its FIFO on every poll.
public final class MAX30102Sensor<Bus: I2CBus>: SupervisedSensor {
  /// The driver.
  public let driver: MAX30102<Bus>
  /// The configuration applied on every start.
  public var configuration: MAX30102Configuration
  /// Which sensor this is.
  public let id: SensorID
  /// Every 100 ms: ten samples at 100 Hz, a third of the FIFO.
  public var pollInterval = Duration.milliseconds(100)
  /// Mean infrared counts below which the finger is taken to be off the sensor. With nothing on
  /// a reflective sensor only ambient light and leakage reach the photodiode; at 7 mA and 4096 nA
  /// full scale a fingertip gives about 130 000 counts, an empty sensor about 1 000.
  public var fingerOffThreshold: UInt32 = 10_000

  /// Wraps `driver`.
  public init(driver: MAX30102<Bus>, configuration: MAX30102Configuration = MAX30102Configuration())
  {
    self.driver = driver
    self.configuration = configuration
    id = SensorID("max30102@\(driver.address)")
  }

  /// Resets and configures the chip.
  public func start() throws(SensorFault) { try driver.configure(configuration) }

  /// Reads the FIFO; an overflow becomes a ``TechnicalConditionKind/fifoOverflow`` event with
  /// the exact count (or "at least" when the chip's counter saturated).
  public func poll(into readings: inout SensorReadings) throws(SensorFault) -> SensorPollReport {
    let batch = try driver.readFIFO()
    guard !batch.samples.isEmpty || batch.lostAfter > 0 else { return SensorPollReport() }
    readings.ppg.append(batch)
    var report = SensorPollReport()
    if !batch.samples.isEmpty {
      var sum: UInt64 = 0
      for sample in batch.samples { sum += UInt64(sample.infrared) }
      let mean = sum / UInt64(batch.samples.count)
      report.measurement =
        mean < UInt64(fingerOffThreshold)
        ? [
          ConditionReport(.fingerOut, "\(id): mean infrared \(mean) counts < \(fingerOffThreshold)")
        ]
        : []
    }
    guard batch.lostAfter > 0 else { return report }
    let count = (batch.lostCountSaturated ? "at least " : "") + "\(batch.lostAfter)"
    report.events = [
      ConditionReport(
        .fifoOverflow,
        "\(id): FIFO overflowed, \(count) samples lost after sequence "
          + "\(batch.samples.last.map { $0.sequence } ?? 0)")
    ]
    return report
  }

  /// Nothing to release: the next start resets the chip.
  public func stop() {}
}

/// A TMP117 under supervision.
public final class TMP117Sensor<Bus: I2CBus>: SupervisedSensor {
  /// The driver.
  public let driver: TMP117<Bus>
  /// Which sensor this is.
  public let id: SensorID
  /// Twice per conversion cycle, so each 1 s conversion is picked up within half a second.
  public var pollInterval = Duration.milliseconds(500)

  /// Wraps `driver`.
  public init(driver: TMP117<Bus>) {
    self.driver = driver
    id = SensorID("tmp117@\(driver.address)")
  }

  /// Checks the device id and mode.
  public func start() throws(SensorFault) { try driver.configure() }

  /// Appends a reading when a new conversion completed.
  public func poll(into readings: inout SensorReadings) throws(SensorFault) -> SensorPollReport {
    if let reading = try driver.read() { readings.temperatures.append(reading) }
    return SensorPollReport()
  }

  /// Nothing to release.
  public func stop() {}
}

/// A MAX30205 under supervision.
public final class MAX30205Sensor<Bus: I2CBus>: SupervisedSensor {
  /// The driver.
  public let driver: MAX30205<Bus>
  /// Which sensor this is.
  public let id: SensorID
  /// Once a second.
  public var pollInterval = Duration.seconds(1)

  /// Wraps `driver`.
  public init(driver: MAX30205<Bus>) {
    self.driver = driver
    id = SensorID("max30205@\(driver.address)")
  }

  /// Identifies and configures the chip.
  public func start() throws(SensorFault) { try driver.configure() }

  /// Appends the latest conversion.
  public func poll(into readings: inout SensorReadings) throws(SensorFault) -> SensorPollReport {
    readings.temperatures.append(try driver.read())
    return SensorPollReport()
  }

  /// Nothing to release.
  public func stop() {}
}

/// A Contec oximeter under supervision. Each start opens a fresh port through `open` (a new
/// libusb handle after a replug, or the tty again), so an unplugged cable recovers by itself.
public final class ContecOximeterSensor<Port: SerialPort>: SupervisedSensor {
  /// Which sensor this is.
  public let id: SensorID
  /// The protocol the device speaks.
  public let protocolVersion: ContecProtocol
  /// The clock given to each driver.
  public let clock: any MonotonicClock
  /// Every 100 ms: six packets at 60 per second.
  public var pollInterval = Duration.milliseconds(100)
  /// The driver of the current connection, if any.
  public private(set) var driver: ContecOximeter<Port>?

  private let open: () throws(SensorFault) -> Port
  private let close: (Port) -> Void

  /// Creates a supervised oximeter whose port comes from `open` and goes back through `close`.
  public init(
    id: SensorID, protocolVersion: ContecProtocol, clock: any MonotonicClock,
    open: @escaping () throws(SensorFault) -> Port, close: @escaping (Port) -> Void = { _ in }
  ) {
    self.id = id
    self.protocolVersion = protocolVersion
    self.clock = clock
    self.open = open
    self.close = close
  }

  /// Opens the port and starts live data.
  public func start() throws(SensorFault) {
    stop()
    let port = try open()
    let driver = ContecOximeter(
      port: port, protocolVersion: protocolVersion, clock: clock, name: id.name)
    do {
      try driver.start()
    } catch {
      close(port)
      throw error
    }
    self.driver = driver
  }

  /// Decodes what arrived; the latest packet's flags become measurement conditions, rejected
  /// packets become events.
  public func poll(into readings: inout SensorReadings) throws(SensorFault) -> SensorPollReport {
    guard let driver else { throw SensorFault(.deviceDisconnected, "\(id): not started") }
    let result = try driver.poll()
    readings.oximetry += result.readings
    var report = SensorPollReport()
    if let last = result.readings.last {
      var measurement: [ConditionReport] = []
      if last.status.contains(.fingerOut) {
        measurement.append(ConditionReport(.fingerOut, "\(id): device reports finger out"))
      } else if last.status.contains(.searching) {
        measurement.append(ConditionReport(.searchingForPulse, "\(id): device searching for pulse"))
      }
      if last.status.contains(.probeError) {
        measurement.append(ConditionReport(.probeError, "\(id): device reports probe error"))
      }
      report.measurement = measurement
    }
    for error in result.errors {
      report.events.append(ConditionReport(error.conditionKind, "\(id): " + error.detail))
    }
    if !result.errors.isEmpty, let decoder = self.driver?.decoder,
      decoder.packetsDroppedUnverified > 0
    {
      report.events[report.events.count - 1].detail +=
        " (\(decoder.packetsDroppedUnverified) well-formed packets dropped unverified so far)"
    }
    return report
  }

  /// Closes the port of the current connection.
  public func stop() {
    if let driver {
      close(driver.port)
      self.driver = nil
    }
  }
}
