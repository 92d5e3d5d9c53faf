import Testing
import VigilCore
import VigilSignal

/// The SpO2 calibration curve and its inverse.
struct CalibrationTests {
  let curve = SaturationCalibration.empiricalLinear

  @Test func theEmpiricalLineIs110Minus25RFromTheSharedConstants() {
    #expect(curve.intercept == 110 && curve.slope == 25)
    #expect(curve.intercept == SpO2Calibration.intercept && curve.slope == SpO2Calibration.slope)
    // The simulation inverts the shared constants; the analyser's curve must undo that.
    #expect(abs(curve.rawSaturation(ratio: SpO2Calibration.ratio(saturation: 92)) - 92) < 1e-12)
    #expect(curve.saturation(ratio: 0.4) == Percent(100))
    #expect(curve.saturation(ratio: 1.0) == Percent(85))
    #expect(curve.saturation(ratio: 2.0) == Percent(60))
  }

  @Test func theInverseGivesTheRatioForASaturation() {
    for spo2 in stride(from: 50.0, through: 100, by: 2.5) {
      let r = curve.ratio(forSaturation: spo2)
      #expect(abs(curve.rawSaturation(ratio: r) - spo2) < 1e-12)
    }
  }

  @Test func slightlyAboveFullSaturationIsClampedAndFarAboveIsRefused() {
    #expect(curve.saturation(ratio: 0.36) == Percent(100))  // 101 %
    #expect(curve.saturation(ratio: 0.2) == nil)  // 105 %: not a saturation
  }

  @Test func belowTheCurvesRangeOrANonsenseRatioIsRefused() {
    #expect(curve.saturation(ratio: 2.5) == nil)  // 47.5 %
    #expect(curve.saturation(ratio: 0) == nil)
    #expect(curve.saturation(ratio: -1) == nil)
    #expect(curve.saturation(ratio: .nan) == nil)
  }
}
