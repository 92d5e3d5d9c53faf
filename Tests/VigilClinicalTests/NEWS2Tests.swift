import Testing
import VigilClinical

/// NEWS2 against the Royal College of Physicians' Chart 1 (2017), SpO2 scale 1: every band edge
/// the chart prints, on both sides.
@Suite struct NEWS2Tests {
  /// (value, points) on each side of every printed band edge, per chart row.
  static let chart: [NEWS2Parameter: [(value: Double, points: Int)]] = [
    .respirationRate: [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3)],
    .oxygenSaturation: [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)],
    .systolicPressure: [
      (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3),
    ],
    .pulse: [
      (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3),
    ],
    .temperature: [
      (35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1), (39.1, 2),
    ],
  ]

  @Test(arguments: NEWS2Parameter.allCases)
  func eachParameterScoresTheChartsPointsOnBothSidesOfEveryBandEdge(_ parameter: NEWS2Parameter)
    throws
  {
    let cases = try #require(Self.chart[parameter])
    for (value, points) in cases {
      #expect(parameter.points(value) == points, "\(parameter) \(value)")
    }
  }

  @Test func aValueBetweenTheChartsIntegersFallsIntoTheBandWhoseUpperLimitItDoesNotExceed() {
    #expect(NEWS2Parameter.respirationRate.points(11.5) == 0)
    #expect(NEWS2Parameter.respirationRate.points(8.5) == 1)
    #expect(NEWS2Parameter.pulse.points(90.4) == 1)
  }

  @Test func anUnwellPatientOnOxygenScoresTheSumOfEveryRowAndIsHighRisk() {
    // RR 22 (2), SpO2 94 (1), oxygen (2), SBP 105 (1), pulse 115 (2), alert (0), 38.5 °C (1).
    let values: [NEWS2Parameter: Double] = [
      .respirationRate: 22, .oxygenSaturation: 94, .systolicPressure: 105, .pulse: 115,
      .temperature: 38.5,
    ]
    let score = NEWS2Score(onOxygen: true) { values[$0] }
    #expect(score.total == 9)
    #expect(score.clinicalRisk == .high)
    #expect(score.missing.isEmpty)
  }

  @Test func aSingleParameterScoringThreeIsLowMediumRiskBelowTheAggregateThresholds() {
    let values: [NEWS2Parameter: Double] = [
      .respirationRate: 16, .oxygenSaturation: 97, .systolicPressure: 88, .pulse: 72,
      .temperature: 37.0,
    ]
    let score = NEWS2Score(onOxygen: false) { values[$0] }
    #expect(score.total == 3)
    #expect(score.hasRedScore)
    #expect(score.clinicalRisk == .lowMedium)
  }

  @Test func reducedConsciousnessAddsThreeAndAggregateFiveIsMediumRisk() {
    let values: [NEWS2Parameter: Double] = [
      .respirationRate: 21, .oxygenSaturation: 97, .systolicPressure: 120, .pulse: 80,
      .temperature: 37.0,
    ]
    let score = NEWS2Score(onOxygen: false, reducedConsciousness: true) { values[$0] }
    #expect(score.total == 5)
    #expect(score.clinicalRisk == .medium)
  }

  @Test func aMissingParameterScoresZeroAndIsReportedMissing() {
    let score = NEWS2Score(onOxygen: false) { $0 == .temperature ? nil : 200 }
    // RR 200 (3), SpO2 200 (0), SBP 200 (0), pulse 200 (3); temperature missing.
    #expect(score.total == 6)
    #expect(score.missing == [.temperature])
  }
}
