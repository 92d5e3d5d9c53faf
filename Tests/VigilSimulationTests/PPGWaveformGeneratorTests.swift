import Testing
import VigilCore
import VigilSimulation

/// 100 Hz samples of a generator over `seconds`.
func samples(_ scenario: PatientScenario, seconds: Int, noise: Double = 0) -> [OpticalSample] {
  var generator = PPGWaveformGenerator(scenario: scenario, start: .zero, noise: noise)
  return (0..<(seconds * 100)).map {
    generator.sample(at: Instant(nanoseconds: UInt64($0) * 10_000_000))
  }
}

/// Peak-to-peak over mean, averaged over one-second windows, each detrended by a straight line
/// (breathing moves the baseline slowly; a line removes most of it within a second).
func modulation(_ values: [Double]) -> Double {
  var ratios: [Double] = []
  for start in stride(from: 0, to: values.count - 99, by: 100) {
    let window = Array(values[start..<(start + 100)])
    let mean = window.reduce(0, +) / 100
    var slopeNumerator = 0.0
    var slopeDenominator = 0.0
    for (i, v) in window.enumerated() {
      slopeNumerator += (Double(i) - 49.5) * (v - mean)
      slopeDenominator += (Double(i) - 49.5) * (Double(i) - 49.5)
    }
    let slope = slopeNumerator / slopeDenominator
    var low = Double.infinity
    var high = -Double.infinity
    for (i, v) in window.enumerated() {
      let d: Double = v - slope * (Double(i) - 49.5)
      low = min(low, d)
      high = max(high, d)
    }
    ratios.append((high - low) / mean)
  }
  return ratios.reduce(0, +) / Double(ratios.count)
}

/// The signal minus its centred one-second moving average.
func highPassed(_ values: [Double]) -> [Double] {
  var out: [Double] = []
  for i in 50..<(values.count - 50) {
    var sum = 0.0
    for j in (i - 50)..<(i + 50) { sum += values[j] }
    out.append(values[i] - sum / 100)
  }
  return out
}

@Suite struct PPGWaveformGeneratorTests {
  @Test func theRatioOfRatiosMapsBackToTheScenarioSaturationThroughTheSharedCurve() {
    for spo2 in [100.0, 97, 92, 85] {
      var state = PatientState.restingAdult
      state.spo2 = spo2
      let signal = samples(PatientScenario(name: "s", baseline: state), seconds: 20)
      let ratio = modulation(signal.map(\.red)) / modulation(signal.map(\.infrared))
      #expect(abs(SpO2Calibration.saturation(ratio: ratio) - spo2) < 0.5, "SpO2 \(spo2)")
    }
  }

  @Test func theInfraredPerfusionIndexIsTheScenarios() {
    var state = PatientState.restingAdult
    state.perfusionIndex = 3.0
    let signal = samples(PatientScenario(name: "s", baseline: state), seconds: 30)
    let pi = modulation(signal.map(\.infrared)) * 100
    #expect(abs(pi - 3.0) < 0.3)
  }

  @Test func beatsAreCountedAtTheScenarioHeartRate() {
    for rate in [48.0, 72, 140] {
      var state = PatientState.restingAdult
      state.heartRate = rate
      let ir = highPassed(
        samples(PatientScenario(name: "s", baseline: state), seconds: 61).map(\.infrared))
      // A beat is a fall of the transmitted light (systolic absorption) below -0.5 % of DC.
      var beats = 0
      var armed = false
      for value in ir {
        if value > 0 { armed = true }
        if armed && value < -0.005 {
          beats += 1
          armed = false
        }
      }
      #expect(abs(Double(beats) - rate) <= 1, "rate \(rate): \(beats) beats")
    }
  }

  @Test func breathingModulatesTheBaselineAtTheRespiratoryRate() {
    let ir = samples(.stable, seconds: 62).map(\.infrared)
    // A 2.5 s moving average has nulls at 1.2 Hz and its harmonics (72 bpm) and keeps most of
    // the 14/min breathing.
    var smooth: [Double] = []
    var sum = ir[0..<250].reduce(0, +)
    for index in 250..<ir.count {
      smooth.append(sum / 250)
      sum += ir[index] - ir[index - 250]
    }
    let mean = smooth.reduce(0, +) / Double(smooth.count)
    var crossings = 0
    for index in 1..<smooth.count where (smooth[index - 1] < mean) != (smooth[index] < mean) {
      crossings += 1
    }
    // 14 breaths a minute over 59.5 s of smoothed signal, two crossings each.
    #expect(abs(Double(crossings) / 2 - 14 * 59.5 / 60) <= 1)
  }

  @Test func withTheFingerOutOnlyAmbientLightRemains() {
    let signal = samples(.fingerOff(at: .seconds(1)), seconds: 3)
    #expect(signal[50].fingerOn)
    #expect(!signal[150].fingerOn)
    #expect(signal[150...].allSatisfy { abs($0.infrared - 0.01) < 1e-9 })
  }
}

@Suite struct PatientScenarioTests {
  @Test func aRampIsLinearBetweenItsStartAndEnd() {
    let scenario = PatientScenario.desaturation
    #expect(scenario.state(at: .seconds(30)).spo2 == 97)
    #expect(scenario.state(at: .seconds(60)).spo2 == 91)
    #expect(scenario.state(at: .seconds(90)).spo2 == 85)
    #expect(scenario.state(at: .seconds(300)).spo2 == 85)
  }

  @Test func theFingerIsOutOnlyWithinItsInterval() {
    let scenario = PatientScenario.fingerOff(at: .seconds(20), back: .seconds(40))
    #expect(scenario.state(at: .seconds(19)).fingerOn)
    #expect(!scenario.state(at: .seconds(20)).fingerOn)
    #expect(scenario.state(at: .seconds(40)).fingerOn)
  }

  @Test func everyNamedScenarioResolves() {
    for name in PatientScenario.names { #expect(PatientScenario.named(name)?.name == name) }
    #expect(PatientScenario.named("septic-shock") == nil)
  }
}
