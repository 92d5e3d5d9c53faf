import VigilCore

/// One hour of a patient's monitoring as the risk model reads it: each vital's latest measurement
/// within the hour (`nil` when it was not measured), the FiO2 recorded in the hour, and the
/// patient's attributes.
public struct ChartedHour: Hashable, Sendable {
  /// Heart rate, beats per minute.
  public var heartRate: Double?
  /// SpO2, percent.
  public var spo2: Double?
  /// Temperature, degrees Celsius.
  public var temperature: Double?
  /// Systolic blood pressure, mmHg.
  public var systolicPressure: Double?
  /// Mean arterial pressure, mmHg.
  public var meanArterialPressure: Double?
  /// Diastolic blood pressure, mmHg.
  public var diastolicPressure: Double?
  /// Respiratory rate, breaths per minute.
  public var respiratoryRate: Double?
  /// Fraction of inspired oxygen, as a fraction (0.21 = air) or, when above 1, in percent.
  public var fio2: Double?
  /// Age in years.
  public var age: Double
  /// Sex: 1 male, 0 female.
  public var sex: Double
  /// Hours since ICU admission at this hour (1 in the first hour).
  public var hoursSinceAdmission: Double

  /// The vitals an hour carries, in the manifest's order.
  public static let vitals: [VitalKind] = [
    .heartRate, .spo2, .temperature, .systolicPressure, .meanArterialPressure, .diastolicPressure,
    .respiratoryRate,
  ]

  /// Creates an hour with no vital measured.
  public init(age: Double, sex: Double, hoursSinceAdmission: Double) {
    self.age = age
    self.sex = sex
    self.hoursSinceAdmission = hoursSinceAdmission
  }

  /// The hour's measurement of `vital` (`nil` for vitals the hour does not carry).
  public subscript(vital: VitalKind) -> Double? {
    get {
      switch vital {
      case .heartRate: return heartRate
      case .spo2: return spo2
      case .temperature: return temperature
      case .systolicPressure: return systolicPressure
      case .meanArterialPressure: return meanArterialPressure
      case .diastolicPressure: return diastolicPressure
      case .respiratoryRate: return respiratoryRate
      case .perfusionIndex: return nil
      }
    }
    set {
      switch vital {
      case .heartRate: heartRate = newValue
      case .spo2: spo2 = newValue
      case .temperature: temperature = newValue
      case .systolicPressure: systolicPressure = newValue
      case .meanArterialPressure: meanArterialPressure = newValue
      case .diastolicPressure: diastolicPressure = newValue
      case .respiratoryRate: respiratoryRate = newValue
      case .perfusionIndex: break
      }
    }
  }

  /// The patient attribute `attribute` at this hour.
  public subscript(attribute: RiskStatic) -> Double {
    switch attribute {
    case .age: return age
    case .sex: return sex
    case .hoursSinceAdmission: return hoursSinceAdmission
    }
  }
}

/// Why an hour cannot be added to a patient's history.
public enum ChartedHourError: Error, Hashable, CustomStringConvertible, Sendable {
  /// A measurement is NaN or infinite (hour: 0-based index of the hour in the stay).
  case nonFiniteMeasurement(hour: Int, field: String)
  /// A patient attribute is NaN or infinite.
  case nonFiniteAttribute(hour: Int, field: String)

  /// A message naming the hour and the field.
  public var description: String {
    switch self {
    case .nonFiniteMeasurement(let hour, let field):
      return "hour \(hour) of the stay: \(field) is not a finite number"
    case .nonFiniteAttribute(let hour, let field):
      return "hour \(hour) of the stay: \(field) is not a finite number"
    }
  }
}
