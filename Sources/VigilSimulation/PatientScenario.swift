import VigilCore

/// The physiological state a simulated patient presents at one instant.
public struct PatientState: Hashable, Sendable {
  /// Heart rate, beats per minute.
  public var heartRate: Double
  /// Arterial oxygen saturation, percent.
  public var spo2: Double
  /// Respiratory rate, breaths per minute.
  public var respiratoryRate: Double
  /// Perfusion index of the infrared PPG (AC/DC × 100), percent.
  public var perfusionIndex: Double
  /// Body temperature, °C.
  public var temperature: Double
  /// Whether the finger is in the probe.
  public var fingerOn: Bool

  /// Creates a state.
  public init(
    heartRate: Double, spo2: Double, respiratoryRate: Double, perfusionIndex: Double,
    temperature: Double, fingerOn: Bool = true
  ) {
    self.heartRate = heartRate
    self.spo2 = spo2
    self.respiratoryRate = respiratoryRate
    self.perfusionIndex = perfusionIndex
    self.temperature = temperature
    self.fingerOn = fingerOn
  }

  /// A resting adult: 72 bpm, 97 %, 14 breaths/min, PI 2 %, 36.8 °C.
  public static let restingAdult = PatientState(
    heartRate: 72, spo2: 97, respiratoryRate: 14, perfusionIndex: 2.0, temperature: 36.8)
}

/// A numeric parameter of ``PatientState`` that a scenario can change.
public enum PatientParameter: Hashable, Sendable {
  /// ``PatientState/heartRate``.
  case heartRate
  /// ``PatientState/spo2``.
  case spo2
  /// ``PatientState/respiratoryRate``.
  case respiratoryRate
  /// ``PatientState/perfusionIndex``.
  case perfusionIndex
  /// ``PatientState/temperature``.
  case temperature
}

/// A linear change of one parameter: from its value at `start` to `target` over `duration`.
public struct ScenarioRamp: Hashable, Sendable {
  /// What changes.
  public var parameter: PatientParameter
  /// When the change begins, from the scenario's start.
  public var start: Duration
  /// How long it takes.
  public var duration: Duration
  /// The value reached.
  public var target: Double
  /// Creates a ramp.
  public init(_ parameter: PatientParameter, start: Duration, duration: Duration, to target: Double)
  {
    self.parameter = parameter
    self.start = start
    self.duration = duration
    self.target = target
  }
}

/// A patient over time: a baseline, ramps applied in order, and intervals with the finger out of
/// the probe. Pure: the state at a time depends on nothing else, so every simulated device sees
/// the same patient.
public struct PatientScenario: Hashable, Sendable {
  /// The scenario's name, as the CLI accepts it.
  public var name: String
  /// The state at the start.
  public var baseline: PatientState
  /// Changes, applied in order.
  public var ramps: [ScenarioRamp]
  /// Intervals (start, end) with the finger out; an end of `nil` means "until the end".
  public var fingerOut: [FingerOutInterval]

  /// An interval with the finger out of the probe.
  public struct FingerOutInterval: Hashable, Sendable {
    /// When the finger comes out.
    public var start: Duration
    /// When it goes back in, if it does.
    public var end: Duration?
    /// Creates an interval.
    public init(start: Duration, end: Duration?) {
      self.start = start
      self.end = end
    }
  }

  /// Creates a scenario.
  public init(
    name: String, baseline: PatientState = .restingAdult, ramps: [ScenarioRamp] = [],
    fingerOut: [FingerOutInterval] = []
  ) {
    self.name = name
    self.baseline = baseline
    self.ramps = ramps
    self.fingerOut = fingerOut
  }

  /// The state `t` after the scenario starts.
  public func state(at t: Duration) -> PatientState {
    var state = baseline
    for ramp in ramps where t >= ramp.start {
      let from = Self.value(of: ramp.parameter, in: state)
      let elapsed = Double(t.nanoseconds - ramp.start.nanoseconds) / 1e9
      let fraction = ramp.duration.nanoseconds == 0 ? 1 : min(1, elapsed / ramp.duration.seconds)
      Self.set(ramp.parameter, to: from + (ramp.target - from) * fraction, in: &state)
    }
    for interval in fingerOut where t >= interval.start {
      if let end = interval.end, t >= end { continue }
      state.fingerOn = false
    }
    return state
  }

  private static func value(of parameter: PatientParameter, in state: PatientState) -> Double {
    switch parameter {
    case .heartRate: return state.heartRate
    case .spo2: return state.spo2
    case .respiratoryRate: return state.respiratoryRate
    case .perfusionIndex: return state.perfusionIndex
    case .temperature: return state.temperature
    }
  }

  private static func set(
    _ parameter: PatientParameter, to value: Double, in state: inout PatientState
  ) {
    switch parameter {
    case .heartRate: state.heartRate = value
    case .spo2: state.spo2 = value
    case .respiratoryRate: state.respiratoryRate = value
    case .perfusionIndex: state.perfusionIndex = value
    case .temperature: state.temperature = value
    }
  }

  /// A stable resting adult.
  public static let stable = PatientScenario(name: "stable")

  /// SpO2 falls from 97 % to 85 % over 60 s starting at 30 s, and stays there.
  public static let desaturation = PatientScenario(
    name: "desaturation",
    ramps: [ScenarioRamp(.spo2, start: .seconds(30), duration: .seconds(60), to: 85)])

  /// Heart rate rises from 72 to 140 bpm over 60 s starting at 30 s, with faster breathing.
  public static let tachycardia = PatientScenario(
    name: "tachycardia",
    ramps: [
      ScenarioRamp(.heartRate, start: .seconds(30), duration: .seconds(60), to: 140),
      ScenarioRamp(.respiratoryRate, start: .seconds(30), duration: .seconds(60), to: 24),
    ])

  /// The finger leaves the probe at `at` and, if `back` is given, returns then.
  public static func fingerOff(at: Duration, back: Duration? = nil) -> PatientScenario {
    PatientScenario(name: "finger-off", fingerOut: [FingerOutInterval(start: at, end: back)])
  }

  /// The named scenarios the CLI offers.
  public static func named(_ name: String) -> PatientScenario? {
    switch name {
    case "stable": return .stable
    case "desaturation": return .desaturation
    case "tachycardia": return .tachycardia
    case "finger-off": return .fingerOff(at: .seconds(20), back: .seconds(40))
    default: return nil
    }
  }

  /// The names accepted by ``named(_:)``.
  public static let names = ["stable", "desaturation", "tachycardia", "finger-off"]
}
