import Testing
import VigilClinical

/// The manifest's alarm rules: the model within its validated range, NEWS2 ≥ 5 of the latest
/// values beyond it, and the hold-off that lets an alarm re-fire at most every 6 hours.
@Suite struct RiskAlarmPolicyTests {
  static let policy = RiskAlarmPolicy(
    validatedHoursMax: 59, fallbackNEWS2AtLeast: 5, thresholdQ: -31, holdOffHours: 6)

  @Test func withinTheRangeTheModelDecidesAndTheHoldOffSpacesAlarmsSixHoursApart() {
    var state = RiskAlarmState(policy: Self.policy)
    let q: [Int8] = [-40, -31, -20, -10, -30, -31, -50, -31, -31, -31, -31, -31, -31, -31]
    var fired: [Int] = []
    for (t, value) in q.enumerated() {
      let d = state.decide(
        hour: t, hoursSinceAdmission: Double(t + 1), outputQ: value, news2FromLatestValues: 9)
      #expect(d.basis == .model)
      #expect(d.condition == (value >= -31))
      if d.fires { fired.append(t) }
    }
    // Conditions at 1–5 and 7–13: fires at 1, then not before 7, then 13.
    #expect(fired == [1, 7, 13])
  }

  @Test func beyondTheRangeNEWS2OfTheLatestValuesDecidesWhateverTheModelSays() {
    var state = RiskAlarmState(policy: Self.policy)
    let inside = state.decide(
      hour: 58, hoursSinceAdmission: 59, outputQ: -100, news2FromLatestValues: 12)
    #expect(inside.basis == .model && !inside.condition)
    let quiet = state.decide(
      hour: 59, hoursSinceAdmission: 60, outputQ: 127, news2FromLatestValues: 4)
    #expect(quiet.basis == .news2Fallback && !quiet.condition && !quiet.fires)
    let loud = state.decide(
      hour: 60, hoursSinceAdmission: 61, outputQ: -128, news2FromLatestValues: 5)
    #expect(loud.basis == .news2Fallback && loud.condition && loud.fires)
  }

  @Test func withoutAHoldOffEveryHourOfTheConditionIsAnAlarmHour() {
    var policy = Self.policy
    policy.holdOffHours = nil
    var state = RiskAlarmState(policy: policy)
    let fires = (0..<5).map {
      state.decide(
        hour: $0, hoursSinceAdmission: Double($0 + 1), outputQ: 0, news2FromLatestValues: 0
      )
      .fires
    }
    #expect(fires == [true, true, true, true, true])
  }
}
