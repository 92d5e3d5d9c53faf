import Foundation
import Testing
import VigilClinical
import VigilCore
import VigilInference
import VigilManifest

/// The manifest's input contract, implemented in Swift, against the training pipeline: the raw
/// hourly rows of the fixture's patients go in, and at each fixture hour the features must equal
/// the pipeline's, the int8 input TFLM was given must be identical, and the shipped model run by
/// Vigil on it must give TFLM's int8 output.
@Suite struct RiskFeatureExtractorTests {
  let manifest: RiskModelManifest
  let patients: [Fixture.Patient]

  init() throws {
    manifest = try RiskModelManifest(contentsOf: Fixture.manifestPath)
    patients = try Fixture.patients()
  }

  @Test func theFixtureHoursGiveThePipelinesFeaturesInt8InputsAndTFLMsOutputs() throws {
    let model = try Fixture.LoadedModel(manifest)
    let interpreter = model.interpreter
    var checked = 0
    for patient in patients {
      var extractor = RiskFeatureExtractor(contract: manifest.input)
      var windows = patient.windows[...]
      for (t, row) in patient.rows.enumerated() {
        try extractor.append(row)
        guard let window = windows.first, window.hour == t else { continue }
        windows = windows.dropFirst()
        #expect(extractor.features.count == window.features.count)
        for (i, (got, want)) in zip(extractor.features, window.features).enumerated() {
          #expect(
            abs(got - want) <= 1e-9,
            "\(patient.name) hour \(t) feature \(i) \(manifest.input.features[i].name)")
        }
        #expect(extractor.quantizedInput == window.input, "\(patient.name) hour \(t)")
        extractor.quantizedInput.withUnsafeBytes { interpreter.inputs[0].data.copyMemory(from: $0) }
        interpreter.invoke()
        let q = Int8(bitPattern: interpreter.outputs[0].data[0])
        #expect(q == window.output, "\(patient.name) hour \(t)")
        checked += 1
      }
      #expect(windows.isEmpty, "\(patient.name): a fixture hour beyond the rows")
    }
    #expect(checked == 20)
  }

  @Test func theFallbackNEWS2ScoresEachVitalsLatestValueHoweverOld() throws {
    var extractor = RiskFeatureExtractor(contract: manifest.input)
    var first = ChartedHour(age: 70, sex: 1, hoursSinceAdmission: 1)
    first.respiratoryRate = 26  // 3
    first.spo2 = 93  // 2
    first.systolicPressure = 95  // 2
    first.heartRate = 115  // 2
    first.temperature = 38.4  // 1
    first.fio2 = 40  // percent: on oxygen, 2
    try extractor.append(first)
    #expect(extractor.news2FromLatestValues == 12)
    #expect(extractor.news2Total == 12)
    // Twelve hours without a measurement: the carried-forward values have expired (4 h; 8 h for
    // temperature; 24 h for oxygen), the latest values have not.
    for hour in 2...13 {
      try extractor.append(ChartedHour(age: 70, sex: 1, hoursSinceAdmission: Double(hour)))
    }
    #expect(extractor.news2Total == 2)
    #expect(extractor.news2FromLatestValues == 12)
  }

  @Test func aNonFiniteMeasurementIsRefusedByNameAndLeavesTheHistoryUnchanged() throws {
    var extractor = RiskFeatureExtractor(contract: manifest.input)
    var hour = ChartedHour(age: 50, sex: 0, hoursSinceAdmission: 1)
    hour.heartRate = 80
    try extractor.append(hour)
    let before = extractor.features
    var bad = ChartedHour(age: 50, sex: 0, hoursSinceAdmission: 2)
    bad.spo2 = .nan
    #expect(throws: ChartedHourError.nonFiniteMeasurement(hour: 1, field: "O2Sat")) {
      try extractor.append(bad)
    }
    #expect(extractor.hoursSeen == 1)
    #expect(extractor.features == before)
  }

  @Test func aSpikeLeavesTheSixHourWindowAfterSixHoursButStaysInTheStayMaximum() throws {
    var extractor = RiskFeatureExtractor(contract: manifest.input)
    let contract = manifest.input
    func index(_ kind: RiskFeature.Kind) throws -> Int {
      try #require(contract.features.firstIndex { $0.kind == kind })
    }
    let window = try index(.window(.max, channel: "HR", hours: 6))
    let stay = try index(.stay(.max, channel: "HR"))
    let hr = try #require(contract.channels.first { $0.source.name == "HR" })
    func raw(_ i: Int) -> Double {  // undo the feature's standardisation
      extractor.features[i] * contract.features[i].standardDeviation + contract.features[i].mean
    }
    let spikeZ = (150 - hr.mean) / hr.standardDeviation
    let calmZ = (80 - hr.mean) / hr.standardDeviation
    for t in 0..<200 {
      var hour = ChartedHour(age: 60, sex: 1, hoursSinceAdmission: Double(t + 1))
      hour.heartRate = t == 100 ? 150 : 80
      try extractor.append(hour)
      if t == 105 { #expect(abs(raw(window) - spikeZ) < 1e-9) }
      if t == 106 { #expect(abs(raw(window) - calmZ) < 1e-9) }
    }
    #expect(abs(raw(stay) - spikeZ) < 1e-9)
    #expect(extractor.hoursSeen == 200)
  }
}
