/// The vital signs Vigil measures or receives, named as NEWS2 and the uplink name them.
public enum VitalKind: UInt8, CaseIterable, Hashable, Sendable {
  /// Heart or pulse rate, beats per minute.
  case heartRate
  /// Peripheral oxygen saturation, percent.
  case spo2
  /// Respiratory rate, breaths per minute.
  case respiratoryRate
  /// Body temperature, degrees Celsius.
  case temperature
  /// Systolic blood pressure, mmHg.
  case systolicPressure
  /// Diastolic blood pressure, mmHg.
  case diastolicPressure
  /// Mean arterial pressure, mmHg.
  case meanArterialPressure
  /// Perfusion index of the PPG, percent.
  case perfusionIndex

  /// The unit the value is expressed in, as UCUM writes it.
  public var ucumUnit: String {
    switch self {
    case .heartRate, .respiratoryRate: return "/min"
    case .spo2, .perfusionIndex: return "%"
    case .temperature: return "Cel"
    case .systolicPressure, .diastolicPressure, .meanArterialPressure: return "mm[Hg]"
    }
  }
}

/// One measured value of a vital sign, with when it was measured and where it came from.
public struct Vital: Hashable, Sendable {
  /// What was measured.
  public var kind: VitalKind
  /// The value in the kind's unit (see ``VitalKind/ucumUnit``).
  public var value: Double
  /// When it was measured, on the monotonic time line.
  public var time: Instant
  /// A signal-quality index from 0 (unusable) to 1 (clean), when the source reports one.
  public var quality: Double?

  /// Creates a measured value.
  public init(kind: VitalKind, value: Double, time: Instant, quality: Double? = nil) {
    self.kind = kind
    self.value = value
    self.time = time
    self.quality = quality
  }
}
