import Testing
import VigilCore
import VigilSignal
import VigilSimulation

/// The simulation's patient (VigilSimulation's PPG generator, which inverts the shared SpO2
/// calibration) read back through the real signal code.
struct SimulationIntegrationTests {
  /// `seconds` of the scenario's red and infrared light at `rate` Hz.
  func record(_ scenario: PatientScenario, seconds: Double = 32, rate: Double = 100)
    -> (ir: [Double], red: [Double])
  {
    var generator = PPGWaveformGenerator(scenario: scenario, start: .zero)
    var ir: [Double] = []
    var red: [Double] = []
    for k in 0..<Int(seconds * rate) {
      let sample = generator.sample(
        at: .zero + Duration(nanoseconds: UInt64(Double(k) / rate * 1e9)))
      ir.append(sample.infrared)
      red.append(sample.red)
    }
    return (ir, red)
  }

  @Test func aSimulatedPatientsVitalsComeBackThroughTheAnalyser() throws {
    let patient = PatientState(
      heartRate: 88, spo2: 92, respiratoryRate: 16, perfusionIndex: 1.5, temperature: 37)
    let (ir, red) = record(PatientScenario(name: "test", baseline: patient))
    var analyzer = PPGAnalyzer()
    let e = try analyzer.analyze(ir: ir, red: red, sampleRate: 100)
    #expect(e.status == .valid)
    #expect(abs(try #require(e.heartRate).value - 88) <= 1)
    #expect(abs(try #require(e.spo2).value - 92) <= 1)
    #expect(abs(try #require(e.perfusionIndex).value - 1.5) <= 0.15)
    #expect(abs(try #require(e.respiratoryRate).value - 16) <= 1)
  }

  @Test func aSimulatedFingerOutIsReportedAsFingerOff() throws {
    let scenario = PatientScenario(
      name: "finger out", fingerOut: [.init(start: .zero, end: nil)])
    let (ir, red) = record(scenario)
    var configuration = PPGAnalyzerConfiguration()
    configuration.fingerOffLevel = 0.5  // half the simulated tissue's mean transmission
    var analyzer = PPGAnalyzer(configuration: configuration)
    let e = try analyzer.analyze(ir: ir, red: red, sampleRate: 100)
    #expect(e.status == .fingerOff)
    #expect(e.heartRate == nil && e.spo2 == nil)
  }
}
