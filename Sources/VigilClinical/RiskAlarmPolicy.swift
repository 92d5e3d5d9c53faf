import VigilCore

/// When the deterioration risk raises an alarm, as the model's manifest fixes it: the model's
/// output within its validated range of hours since ICU admission, NEWS2 from the latest values
/// beyond it, and optionally a hold-off so that an alarm re-fires at most every few hours while
/// the condition lasts.
public struct RiskAlarmPolicy: Hashable, Sendable {
  /// The largest hours since ICU admission at which the model's risk was validated.
  public var validatedHoursMax: Double
  /// Beyond the validated range: an alarm condition when the NEWS2 of the latest values is at
  /// least this.
  public var fallbackNEWS2AtLeast: Int
  /// Within the range: an alarm condition when the model's int8 output is at least this.
  public var thresholdQ: Int8
  /// With a hold-off: an alarm fires when the condition holds and none fired in the previous
  /// `holdOffHours − 1` hours; `nil` fires in every hour the condition holds.
  public var holdOffHours: Int?

  /// Creates a policy.
  public init(
    validatedHoursMax: Double, fallbackNEWS2AtLeast: Int, thresholdQ: Int8, holdOffHours: Int?
  ) {
    self.validatedHoursMax = validatedHoursMax
    self.fallbackNEWS2AtLeast = fallbackNEWS2AtLeast
    self.thresholdQ = thresholdQ
    self.holdOffHours = holdOffHours
  }

  /// Whether the model's risk may be used at `hoursSinceAdmission`.
  public func isValidated(hoursSinceAdmission: Double) -> Bool {
    hoursSinceAdmission <= validatedHoursMax
  }
}

/// What decided an hour's alarm condition.
public enum RiskAlarmBasis: Hashable, Sendable {
  /// The model's output, within its validated range.
  case model
  /// NEWS2 from the latest values, beyond the model's validated range.
  case news2Fallback
}

/// One hour's assessment of a patient.
public struct RiskAssessment: Hashable, Sendable {
  /// The hour's index in the stay (0 = first monitored hour).
  public var hour: Int
  /// The hours since ICU admission.
  public var hoursSinceAdmission: Double
  /// The model's int8 output (log-odds, quantized).
  public var outputQ: Int8
  /// The model's risk, 0–1 (shown as outside the validated range when ``basis`` is the fallback).
  public var risk: Double
  /// The NEWS2 aggregate of the carried-forward vitals (consciousness not measured).
  public var news2: Int
  /// The NEWS2 aggregate of each vital's latest value in the stay.
  public var news2FromLatestValues: Int
  /// What decided the alarm condition.
  public var basis: RiskAlarmBasis
  /// Whether the alarm condition holds this hour.
  public var alarmCondition: Bool
  /// Whether an alarm fires this hour (the condition, subject to the hold-off).
  public var alarmFires: Bool
}

/// The hour-by-hour state of a ``RiskAlarmPolicy`` for one stay.
public struct RiskAlarmState: Sendable {
  /// The policy applied.
  public let policy: RiskAlarmPolicy
  /// The hour of the last alarm that fired, if any.
  public private(set) var lastFiredHour: Int?

  /// Starts a stay with no alarm fired.
  public init(policy: RiskAlarmPolicy) {
    self.policy = policy
  }

  /// Decides hour `hour`: returns what decided it, whether the condition holds, and whether an
  /// alarm fires.
  public mutating func decide(
    hour: Int, hoursSinceAdmission: Double, outputQ: Int8, news2FromLatestValues: Int
  ) -> (basis: RiskAlarmBasis, condition: Bool, fires: Bool) {
    let basis: RiskAlarmBasis
    let condition: Bool
    if policy.isValidated(hoursSinceAdmission: hoursSinceAdmission) {
      basis = .model
      condition = outputQ >= policy.thresholdQ
    } else {
      basis = .news2Fallback
      condition = news2FromLatestValues >= policy.fallbackNEWS2AtLeast
    }
    var fires = condition
    if condition, let holdOff = policy.holdOffHours, let last = lastFiredHour,
      hour - last < holdOff
    {
      fires = false
    }
    if fires { lastFiredHour = hour }
    return (basis, condition, fires)
  }
}
