import ArgumentParser
import VigilCore
import VigilSensors
import VigilSimulation

/// `vigil sensors …`: live vitals from the sensors.
struct SensorsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sensors", abstract: "Stream live vitals from the sensors.",
    subcommands: [SensorsStreamCommand.self, SensorsBenchCommand.self])
}

/// `vigil sensors stream [--seconds N] [--simulate]`: one line per second with what the sensors
/// report, and every technical condition as it is raised or cleared.
struct SensorsStreamCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stream", abstract: "Print live vitals once per second.")

  @Option(help: "Stop after this many seconds (default: run until interrupted).")
  var seconds: Int?

  @Flag(help: "Use the simulated board instead of real hardware.")
  var simulate = false

  @Option(help: "Simulated patient: \(PatientScenario.names.joined(separator: ", ")).")
  var scenario = "stable"

  @Option(help: "Simulation speed: 1 is real time, 10 ten times faster, 0 as fast as possible.")
  var speed: Double = 1

  @Option(help: "Contec protocol of the oximeter: 9byte (115200 8N1) or 5byte (19200 8O1).")
  var oximeterProtocol = "9byte"

  @Option(name: .customLong("i2c-bus"), help: "I2C adapter of the MAX30102 and temperature sensor.")
  var i2cBus = "/dev/i2c-1"

  @Option(help: "Serial port of the Contec oximeter (default: its CP210x cable through libusb).")
  var serial: String?

  func run() throws {
    guard simulate else {
      guard let backends = HardwareBackendFactory.make() else {
        printError(HardwareBackendFactory.unavailableMessage)
        throw ExitCode(2)
      }
      let stage = HardwareStage.make(
        backends: backends, i2cPath: i2cBus, serialPath: serial,
        oximeterProtocol: oximeterProtocol == "5byte" ? .legacy5Byte : .packet9Byte)
      print("vigil: hardware, I2C \(i2cBus), oximeter on \(serial ?? "USB \(CP210x.deviceID)")")
      let clock = backends.clock
      stream(stage: stage, clock: clock) { deadline in
        let wait = deadline - clock.now
        Pacing.sleep(until: Pacing.monotonicNow() + wait)
      }
      return
    }
    guard let patient = PatientScenario.named(scenario) else {
      throw ValidationError(
        "unknown scenario '\(scenario)'; try \(PatientScenario.names.joined(separator: ", "))")
    }
    let protocolVersion: ContecProtocol = oximeterProtocol == "5byte" ? .legacy5Byte : .packet9Byte
    let board = SimulatedBoard(scenario: patient, oximeterProtocol: protocolVersion)
    print(
      "vigil: simulated board, scenario \(patient.name), Contec \(oximeterProtocol) over CP210x")
    let wallStart = Pacing.monotonicNow()
    let speed = self.speed
    stream(stage: board.makeStage(), clock: board.clock) { deadline in
      if speed > 0 {
        Pacing.sleep(
          until: wallStart + Duration(nanoseconds: UInt64(Double(deadline.nanoseconds) / speed)))
      }
      board.clock.advance(to: deadline)
    }
  }

  /// Services `stage` at each deadline (`wait` returns once the clock has reached it) and prints
  /// one line per second of `clock` time, plus each condition change.
  private func stream(stage: SensorStage, clock: any MonotonicClock, wait: (Instant) -> Void) {
    var summary = SecondSummary()
    var ppg = PPGVitals()
    var readings = SensorReadings()
    var events: [TechnicalConditionEvent] = []
    let start = clock.now
    var second = 0
    while seconds.map({ second < $0 }) ?? true {
      let end = start + Duration(nanoseconds: UInt64(second + 1) * 1_000_000_000)
      while true {
        stage.service(readings: &readings, events: &events)
        for event in events { print(describe(event)) }
        events.removeAll(keepingCapacity: true)
        summary.add(readings)
        for batch in readings.ppg { ppg.add(batch) }
        readings.removeAll()
        wait(min(stage.nextDeadline, end))
        if clock.now >= end { break }
      }
      second += 1
      print(summary.line(second: second, conditions: stage.activeConditions, ppg: ppg))
      summary = SecondSummary()
    }
  }
}

/// What one second of readings amounts to, for one printed line.
struct SecondSummary {
  var oximeter: OximeterReading?
  var ppgSamples = 0
  var ppgLost = 0
  var redSum = 0.0
  var infraredSum = 0.0
  var temperatures: [(SensorID, Double)] = []

  mutating func add(_ readings: SensorReadings) {
    if let last = readings.oximetry.last { oximeter = last }
    for batch in readings.ppg {
      ppgSamples += batch.samples.count
      ppgLost += batch.lostAfter
      for sample in batch.samples {
        redSum += Double(sample.red)
        infraredSum += Double(sample.infrared)
      }
    }
    for reading in readings.temperatures {
      temperatures.removeAll { $0.0 == reading.source }
      temperatures.append((reading.source, reading.temperature.value))
    }
  }

  func line(second: Int, conditions: [TechnicalCondition], ppg: PPGVitals) -> String {
    var text = "t=" + String(second) + "s"
    if let oximeter {
      let rate = oximeter.pulseRate.map { fixed($0.value, 0) } ?? "--"
      let spo2 = oximeter.spo2.map { fixed($0.value, 0) } ?? "--"
      text += "  oximeter PR " + rate + " bpm SpO2 " + spo2 + " %"
    } else {
      text += "  oximeter --"
    }
    if ppgSamples > 0 {
      let n = Double(ppgSamples)
      text +=
        "  | MAX30102 " + String(ppgSamples) + " samples, DC red " + fixed(redSum / n, 0)
        + " IR " + fixed(infraredSum / n, 0)
    } else {
      text += "  | MAX30102 no samples"
    }
    if ppgLost > 0 { text += " (" + String(ppgLost) + " lost)" }
    if ppgSamples > 0 || ppg.latest != nil { text += ", " + ppg.summary }
    for (source, celsius) in temperatures {
      text += "  | " + source.name.split(separator: "@")[0] + " " + fixed(celsius, 2) + " °C"
    }
    if !conditions.isEmpty {
      text +=
        "  | "
        + conditions.map { $0.kind.message + " [" + $0.source.name + "]" }.joined(separator: "; ")
    }
    return text
  }
}

/// A technical condition change as a log line.
func describe(_ event: TechnicalConditionEvent) -> String {
  switch event {
  case .raised(let condition):
    return
      "  [\(fixed(Double(condition.onset.nanoseconds) / 1e9, 1)) s] RAISED  \(condition.kind.message)"
      + ": \(condition.detail)"
  case .cleared(let source, let kind, let time):
    return "  [\(fixed(Double(time.nanoseconds) / 1e9, 1)) s] CLEARED \(kind.message) (\(source))"
  }
}

/// `vigil sensors bench [--seconds N]`: CPU cost of the whole simulated sensor stage at real
/// rates (MAX30102 at 100 Hz, temperature at 1 Hz, oximeter at 60 packets/s), measured with
/// `getrusage`, per simulated second.
struct SensorsBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure the CPU time the sensor stage needs per second of sensor data.")

  @Option(help: "Simulated seconds to run.")
  var seconds = 600

  @Option(help: "Contec protocol of the simulated oximeter: 9byte or 5byte.")
  var oximeterProtocol = "9byte"

  @Flag(help: "Use an SMBus-only I2C adapter (like i2c-stub): FIFO read in 30-byte blocks.")
  var smbusOnly = false

  @Flag(
    inversion: .prefixedNo,
    help: "Also measure the PPG analysis (heart rate, SpO2, respiratory rate) separately.")
  var withSignal = true

  func run() throws {
    let protocolVersion: ContecProtocol = oximeterProtocol == "5byte" ? .legacy5Byte : .packet9Byte
    let board = SimulatedBoard(
      oximeterProtocol: protocolVersion, functionality: smbusOnly ? .smbusOnly : .fullAdapter)
    let stage = board.makeStage()
    var readings = SensorReadings()
    var events: [TechnicalConditionEvent] = []
    var samples = 0
    var packets = 0
    var temperatures = 0
    var wakeups = 0
    var ppg = PPGVitals()
    var estimates = 0
    var signalNanoseconds: UInt64 = 0
    let end = Instant(nanoseconds: UInt64(seconds) * 1_000_000_000)
    let cpuStart = Pacing.processCPUTime()
    let wallStart = Pacing.monotonicNow()
    while board.clock.now <= end {
      stage.service(readings: &readings, events: &events)
      wakeups += 1
      for batch in readings.ppg { samples += batch.samples.count }
      if withSignal, !readings.ppg.isEmpty {
        let before = Pacing.processCPUTime()
        for batch in readings.ppg {
          let previous = ppg.latest
          ppg.add(batch)
          if ppg.latest != nil && ppg.latest != previous { estimates += 1 }
        }
        signalNanoseconds += Pacing.processCPUTime().nanoseconds - before.nanoseconds
      }
      packets += readings.oximetry.count
      temperatures += readings.temperatures.count
      readings.removeAll()
      events.removeAll(keepingCapacity: true)
      board.clock.advance(to: stage.nextDeadline)
    }
    let total = VigilCore.Duration(
      nanoseconds: Pacing.processCPUTime().nanoseconds - cpuStart.nanoseconds)
    let cpu = VigilCore.Duration(nanoseconds: total.nanoseconds - signalNanoseconds)
    let wall = Pacing.monotonicNow() - wallStart
    let perSecond = cpu.seconds / Double(seconds)
    print(
      "sensor stage bench: \(seconds) simulated s, I2C \(smbusOnly ? "SMBus-only" : "plain I2C + SMBus"), Contec \(oximeterProtocol)"
    )
    print(
      "  PPG samples \(samples) (expected \(seconds * 100)), oximeter packets \(packets), temperature readings \(temperatures)"
    )
    print("  wake-ups \(wakeups), I2C transactions \(board.i2c.transactions)")
    print(
      "  CPU \(fixed(cpu.seconds * 1000, 1)) ms total (wall \(fixed(wall.seconds * 1000, 1)) ms)")
    print(
      "  CPU per simulated second: \(fixed(perSecond * 1e6, 1)) µs = \(fixed(perSecond * 100, 3)) % of one core"
    )
    print("  (includes the simulated chips and USB bridge themselves; drivers alone cost less)")
    if withSignal {
      let signalPerSecond = Double(signalNanoseconds) / 1e9 / Double(seconds)
      print(
        "  PPG analysis (VigilSignal, 32 s windows every 2 s, \(estimates) estimates): "
          + "\(fixed(signalPerSecond * 1e6, 1)) µs per second = \(fixed(signalPerSecond * 100, 3)) % of one core"
      )
    }
  }
}
