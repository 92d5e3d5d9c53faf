import VigilCore

/// The National Early Warning Score 2 (Royal College of Physicians, 2017), Chart 1, with the
/// SpO2 scale 1 (the scale for patients without hypercapnic respiratory failure).
///
/// Each parameter scores the points of the first band, lowest first, whose inclusive upper limit
/// its value does not exceed; the last band of each parameter has no upper limit. Between the
/// chart's printed integers (a respiratory rate of 11.5, say) a value falls into the band whose
/// upper limit it does not exceed, which is also how the shipped model's manifest defines it.
public enum NEWS2Parameter: Int, CaseIterable, Sendable {
  /// Respiration rate, breaths per minute.
  case respirationRate
  /// SpO2, percent, scale 1.
  case oxygenSaturation
  /// Systolic blood pressure, mmHg.
  case systolicPressure
  /// Pulse, beats per minute.
  case pulse
  /// Temperature, degrees Celsius.
  case temperature

  /// The vital sign the parameter scores.
  public var vital: VitalKind {
    switch self {
    case .respirationRate: return .respiratoryRate
    case .oxygenSaturation: return .spo2
    case .systolicPressure: return .systolicPressure
    case .pulse: return .heartRate
    case .temperature: return .temperature
    }
  }

  /// The chart's bands as (inclusive upper limit, points), lowest first; `nil` = no limit.
  public var bands: [NEWS2Band] {
    switch self {
    case .respirationRate: return Self.respirationRateBands
    case .oxygenSaturation: return Self.oxygenSaturationBands
    case .systolicPressure: return Self.systolicPressureBands
    case .pulse: return Self.pulseBands
    case .temperature: return Self.temperatureBands
    }
  }

  private static let respirationRateBands: [NEWS2Band] = [
    .init(8, 3), .init(11, 1), .init(20, 0), .init(24, 2), .init(nil, 3),
  ]
  private static let oxygenSaturationBands: [NEWS2Band] = [
    .init(91, 3), .init(93, 2), .init(95, 1), .init(nil, 0),
  ]
  private static let systolicPressureBands: [NEWS2Band] = [
    .init(90, 3), .init(100, 2), .init(110, 1), .init(219, 0), .init(nil, 3),
  ]
  private static let pulseBands: [NEWS2Band] = [
    .init(40, 3), .init(50, 1), .init(90, 0), .init(110, 1), .init(130, 2), .init(nil, 3),
  ]
  private static let temperatureBands: [NEWS2Band] = [
    .init(35.0, 3), .init(36.0, 1), .init(38.0, 0), .init(39.0, 1), .init(nil, 2),
  ]

  /// The points `value` scores on this parameter's chart row.
  public func points(_ value: Double) -> Int {
    for band in bands where band.upperLimit.map({ value <= $0 }) ?? true {
      return band.points
    }
    return 0  // unreachable: the last band has no limit; a NaN scores here and nowhere else
  }
}

/// One band of a NEWS2 chart row: values up to `upperLimit` (inclusive) score `points`.
public struct NEWS2Band: Hashable, Sendable {
  /// The largest value in the band, or `nil` for the open top band.
  public var upperLimit: Double?
  /// The points the band scores.
  public var points: Int

  /// Creates a band.
  public init(_ upperLimit: Double?, _ points: Int) {
    self.upperLimit = upperLimit
    self.points = points
  }
}

/// The NEWS2 chart's constants beside its parameter rows.
public enum NEWS2 {
  /// Points for supplemental oxygen (any oxygen rather than air).
  public static let supplementalOxygenPoints = 2
  /// Points for new confusion, or a response only to voice or pain, or none (ACVPU not "A").
  public static let reducedConsciousnessPoints = 3
  /// The aggregate score at which the RCP asks for an urgent response (a key threshold).
  public static let urgentResponseTotal = 5
  /// The aggregate score at which the RCP asks for an emergency response.
  public static let emergencyResponseTotal = 7
}

/// A NEWS2 aggregate from the latest values of the parameters.
///
/// A parameter without a value scores 0, as the shipped model's manifest defines it; the score
/// records which parameters were missing so that a display can say the score is incomplete.
public struct NEWS2Score: Hashable, Sendable {
  /// The points of each parameter, indexed by ``NEWS2Parameter/rawValue`` (0 when missing).
  public private(set) var parameterPoints: [Int]
  /// The parameters that had no value.
  public private(set) var missing: [NEWS2Parameter]
  /// Whether the patient is on supplemental oxygen.
  public var onOxygen: Bool
  /// Whether consciousness is reduced (new confusion, or ACVPU of V, P or U).
  public var reducedConsciousness: Bool

  /// Scores the latest values; `value(parameter)` returns `nil` when a parameter has no value.
  public init(
    onOxygen: Bool, reducedConsciousness: Bool = false,
    value: (NEWS2Parameter) -> Double?
  ) {
    var points = [Int](repeating: 0, count: NEWS2Parameter.allCases.count)
    var missing: [NEWS2Parameter] = []
    for parameter in NEWS2Parameter.allCases {
      if let x = value(parameter) {
        points[parameter.rawValue] = parameter.points(x)
      } else {
        missing.append(parameter)
      }
    }
    self.parameterPoints = points
    self.missing = missing
    self.onOxygen = onOxygen
    self.reducedConsciousness = reducedConsciousness
  }

  /// The points of one parameter (0 when it had no value).
  public func points(_ parameter: NEWS2Parameter) -> Int { parameterPoints[parameter.rawValue] }

  /// The aggregate score: the parameters' points plus oxygen and consciousness.
  public var total: Int {
    var sum = 0
    for p in parameterPoints { sum += p }
    if onOxygen { sum += NEWS2.supplementalOxygenPoints }
    if reducedConsciousness { sum += NEWS2.reducedConsciousnessPoints }
    return sum
  }

  /// Whether any single parameter scores 3 (the chart's "red score").
  public var hasRedScore: Bool {
    parameterPoints.contains(3) || reducedConsciousness
  }

  /// The clinical risk the RCP assigns to the score.
  public var clinicalRisk: NEWS2ClinicalRisk {
    let total = self.total
    if total >= NEWS2.emergencyResponseTotal { return .high }
    if total >= NEWS2.urgentResponseTotal { return .medium }
    return hasRedScore ? .lowMedium : .low
  }
}

/// The RCP's clinical-risk groups of a NEWS2 score and the response each triggers.
public enum NEWS2ClinicalRisk: Int, Comparable, Sendable {
  /// Aggregate 0–4: ward-based response.
  case low
  /// A score of 3 in any single parameter: urgent ward-based response.
  case lowMedium
  /// Aggregate 5–6: key threshold for an urgent response.
  case medium
  /// Aggregate 7 or more: urgent or emergency response.
  case high

  /// Orders the groups by urgency.
  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
