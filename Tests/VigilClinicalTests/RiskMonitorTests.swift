import Foundation
import Testing
import VigilInference
import VigilManifest

@testable import VigilClinical

/// The whole hourly path (features, the shipped model, the alarm policy) on the fixture's
/// patients, against TFLM's outputs and the manifest's rules.
@Suite struct RiskMonitorTests {
  @Test func eachFixtureHourGivesTFLMsOutputTheRiskItStandsForAndTheManifestsAlarmRule() throws {
    let manifest = try RiskModelManifest(contentsOf: Fixture.manifestPath)
    let policy = RiskAlarmPolicy(
      validatedHoursMax: manifest.validatedHoursMax,
      fallbackNEWS2AtLeast: manifest.fallbackNEWS2AtLeast,
      thresholdQ: manifest.validatedAlarmThresholdQ, holdOffHours: nil)
    var beyondRange = 0
    let model = try Fixture.LoadedModel(manifest)
    for patient in try Fixture.patients() {
      var monitor = try RiskMonitor(
        contract: manifest.input, outputQuantization: manifest.outputQuantization,
        policy: policy, interpreter: model.interpreter)
      for row in patient.rows {
        let a = try monitor.append(row)
        if let window = patient.windows.first(where: { $0.hour == a.hour }) {
          #expect(a.outputQ == window.output, "\(patient.name) hour \(a.hour)")
          #expect(abs(a.risk - window.risk) <= 1e-15, "\(patient.name) hour \(a.hour)")
        }
        if row.hoursSinceAdmission <= 59 {
          #expect(a.basis == .model && a.alarmCondition == (a.outputQ >= policy.thresholdQ))
        } else {
          beyondRange += 1
          #expect(a.basis == .news2Fallback && a.alarmCondition == (a.news2FromLatestValues >= 5))
        }
      }
    }
    #expect(beyondRange == 5)  // p000324's ICU hours 60–64
  }

  @Test func aModelWithAnotherInputSizeIsRefused() throws {
    let manifest = try RiskModelManifest(contentsOf: Fixture.manifestPath)
    let full = manifest.input
    let contract = try RiskInputContract(
      zLimit: full.zLimit, channels: full.channels, features: Array(full.features.dropLast()),
      inputQuantization: full.inputQuantization, news2AlertTotal: full.news2AlertTotal)
    let model = try Fixture.LoadedModel(manifest)
    #expect(throws: RiskMonitorError.modelMismatch("the model's input is not 331 int8 values")) {
      try RiskMonitor(
        contract: contract, outputQuantization: manifest.outputQuantization,
        policy: RiskAlarmPolicy(
          validatedHoursMax: 59, fallbackNEWS2AtLeast: 5, thresholdQ: 0, holdOffHours: nil),
        interpreter: model.interpreter)
    }
  }

  @Test func theLogisticWithoutACLibraryMatchesFoundationsToOnePartIn10To15() {
    var worst = 0.0
    var x = -60.0
    while x <= 60 {
      let exact = 1 / (1 + Foundation.exp(-x))
      worst = max(worst, abs(RiskMonitor.logistic(x) - exact) / exact)
      x += 0.173
    }
    #expect(worst < 1e-15)
    #expect(RiskMonitor.logistic(0) == 0.5)
    #expect(RiskMonitor.logistic(-800) == 0)
    #expect(RiskMonitor.logistic(800) == 1)
  }
}
