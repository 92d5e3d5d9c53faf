import Foundation
import Testing
import VigilCore

@testable import VigilSignal

/// End-to-end checks of ``PPGAnalyzer`` on synthetic two-channel PPG whose rate, saturation,
/// perfusion and breathing are known.
struct SyntheticPPGTests {
  func analyze(_ ppg: SyntheticPPG, configuration: PPGAnalyzerConfiguration = .init())
    throws -> WindowEstimate
  {
    let (ir, red) = ppg.channels()
    var analyzer = PPGAnalyzer(configuration: configuration)
    return try analyzer.analyze(ir: ir, red: red, sampleRate: ppg.sampleRate)
  }

  @Test(arguments: [48.0, 72.0, 110.0, 150.0])
  func heartRateMatchesTheSynthesisedRate(rate: Double) throws {
    var ppg = SyntheticPPG()
    ppg.heartRate = rate
    let e = try analyze(ppg)
    #expect(e.status == .valid)
    let hr = try #require(e.heartRate).value
    #expect(abs(hr - rate) <= 1.0, "heart rate \(hr) for \(rate)")
    #expect(e.quality > 0.9)
  }

  @Test(arguments: [25.0, 60.0, 400.0])
  func sensorSampleRatesFromSlowUSBOximetersToFastFrontEndsWork(sampleRate: Double) throws {
    var ppg = SyntheticPPG()
    ppg.sampleRate = sampleRate
    ppg.heartRate = 88
    ppg.respiratoryRate = 16
    let e = try analyze(ppg)
    #expect(abs(try #require(e.heartRate).value - 88) <= 1)
    #expect(abs(try #require(e.spo2).value - ppg.spo2) <= 1)
    #expect(abs(try #require(e.respiratoryRate).value - 16) <= 1)
  }

  @Test func aSignalWithoutATrueLevelGivesNoPerfusionIndexOrSpO2() throws {
    // A monitor's rescaled plethysmogram: pulses swing over half the mean level.
    let ppg = SyntheticPPG()
    let (ir, red) = ppg.channels()
    let mean = ir.reduce(0, +) / Double(ir.count)
    let rescaled = ir.map { 0.5 + ($0 - mean) / (ppg.irLevel * ppg.perfusionIndex / 100) * 0.4 }
    let redMean = red.reduce(0, +) / Double(red.count)
    let redRescaled = red.map { 0.5 + ($0 - redMean) / 1000 }
    var analyzer = PPGAnalyzer()
    let e = try analyzer.analyze(ir: rescaled, red: redRescaled, sampleRate: ppg.sampleRate)
    #expect(e.heartRate != nil)
    #expect(e.perfusionIndex == nil)
    #expect(e.spo2 == nil)
  }

  @Test(arguments: [100.0, 97.0, 92.0, 85.0, 75.0])
  func spo2RecoversTheSaturationTheCalibrationWasInvertedFrom(spo2: Double) throws {
    var ppg = SyntheticPPG()
    ppg.spo2 = spo2
    let e = try analyze(ppg)
    let measured = try #require(e.spo2).value
    #expect(abs(measured - spo2) <= 1.0, "SpO2 \(measured) for \(spo2)")
    let r = try #require(e.ratioOfRatios)
    #expect(abs(r - ppg.ratio) <= 0.04, "R \(r) for \(ppg.ratio)")
  }

  @Test(arguments: [0.3, 1.0, 5.0])
  func perfusionIndexIsPulsatileOverMeanLevel(pi: Double) throws {
    var ppg = SyntheticPPG()
    ppg.perfusionIndex = pi
    let e = try analyze(ppg)
    let measured = try #require(e.perfusionIndex).value
    // The synthetic pulse's peak-to-foot swing is 1 ± the amplitude modulation; the mean level
    // sits a third of a pulse below DC, which raises AC/DC by about k/3.
    #expect(abs(measured - pi) <= 0.1 * pi, "PI \(measured) for \(pi)")
  }

  @Test(arguments: [8.0, 12.0, 18.0, 24.0])
  func respiratoryRateComesFromTheRespiratoryModulation(rate: Double) throws {
    var ppg = SyntheticPPG()
    ppg.respiratoryRate = rate
    ppg.heartRate = 80
    let e = try analyze(ppg)
    let rr = try #require(e.respiratoryRate).value
    #expect(abs(rr - rate) <= 1.0, "respiratory rate \(rr) for \(rate)")
    #expect(e.respiratoryComponents.support >= 3)
  }

  @Test(arguments: [70.0, 110.0])
  func anIrregularRhythmGivesItsMeanPulseRate(rate: Double) throws {
    // Atrial-fibrillation-like: every interval stretched at random by up to ±30 %.
    var ppg = SyntheticPPG()
    ppg.heartRate = rate
    ppg.irregularity = 0.3
    ppg.frequencyModulation = 0
    let onsets = ppg.synthesize().onsets
    let e = try analyze(ppg)
    let hr = try #require(e.heartRate).value
    // The rate of the pulses in the window: beats counted over the time they span.
    let inside = onsets.filter { $0 < ppg.duration }
    let counted = 60 * Double(inside.count - 1) / (inside.last! - inside.first!)
    #expect(abs(hr - counted) <= 1.0, "heart rate \(hr), counted \(counted)")
    #expect(e.quality > 0.8)
  }

  @Test func fastBreathingDoesNotHidePulsesAtAFastHeartRate() throws {
    // Tachypnoea with tachycardia: the 0.63 Hz baseline swing passes a 0.5 Hz high-pass and,
    // without the raised detection band, sinks every few pulses below the detector's zero line.
    var ppg = SyntheticPPG()
    ppg.heartRate = 175
    ppg.respiratoryRate = 38
    ppg.baselineModulation = 0.3
    ppg.amplitudeModulation = 0.2
    let e = try analyze(ppg)
    let hr = try #require(e.heartRate).value
    #expect(abs(hr - 175) <= 1.5, "heart rate \(hr)")
    let rr = try #require(e.respiratoryRate).value
    #expect(abs(rr - 38) <= 1.0, "respiratory rate \(rr)")
  }

  @Test func eachRespiratoryModulationAloneCarriesTheRate() throws {
    var ppg = SyntheticPPG()
    ppg.respiratoryRate = 15
    ppg.frequencyModulation = 0
    ppg.amplitudeModulation = 0
    let baselineOnly = try analyze(ppg).respiratoryComponents
    let intensity = try #require(baselineOnly.intensity.spectralPeak)
    #expect(abs(intensity - 15) <= 1)

    ppg.baselineModulation = 0
    ppg.amplitudeModulation = 0.2
    let amplitudeOnly = try analyze(ppg).respiratoryComponents
    #expect(abs(try #require(amplitudeOnly.amplitude.spectralPeak) - 15) <= 1)

    ppg.amplitudeModulation = 0
    ppg.frequencyModulation = 0.06
    let frequencyOnly = try analyze(ppg).respiratoryComponents
    #expect(abs(try #require(frequencyOnly.frequency.spectralPeak) - 15) <= 1)
  }

  @Test func rawIntensityPulsesAreDetectedAsPointingDown() throws {
    let e = try analyze(SyntheticPPG())
    #expect(e.pulsesPointUp == false)
    var inverted = SyntheticPPG()
    inverted.irLevel = -inverted.irLevel  // never physical; only flips the waveform
    let (ir, _) = inverted.channels()
    var analyzer = PPGAnalyzer()
    let flipped = try analyzer.analyze(ir: ir, sampleRate: inverted.sampleRate)
    #expect(flipped.pulsesPointUp == true)
  }

  @Test func oneChannelGivesNoSpO2ButEverythingElse() throws {
    let ppg = SyntheticPPG()
    let (ir, _) = ppg.channels()
    var analyzer = PPGAnalyzer()
    let e = try analyzer.analyze(ir: ir, sampleRate: ppg.sampleRate)
    #expect(e.spo2 == nil)
    #expect(e.ratioOfRatios == nil)
    #expect(e.heartRate != nil)
    #expect(e.perfusionIndex != nil)
    #expect(e.respiratoryRate != nil)
  }

  @Test func anEmptyProbeIsReportedAsFingerOffWithNoValues() throws {
    var ppg = SyntheticPPG()
    ppg.irLevel = 2_000  // ambient light only
    ppg.redLevel = 1_500
    ppg.perfusionIndex = 0.001
    ppg.noise = 500
    var configuration = PPGAnalyzerConfiguration()
    configuration.fingerOffLevel = 50_000
    let e = try analyze(ppg, configuration: configuration)
    #expect(e.status == .fingerOff)
    #expect(e.heartRate == nil && e.spo2 == nil && e.perfusionIndex == nil)
    #expect(e.respiratoryRate == nil)
    #expect(e.quality == 0)
  }

  @Test func noiseWithoutAPulseGivesNoValuesEvenWithoutTheLevelCheck() throws {
    var ppg = SyntheticPPG()
    ppg.perfusionIndex = 0.0001
    ppg.noise = 2_000  // white noise of about 0.2 % of the level, no pulse to speak of
    let e = try analyze(ppg)
    #expect(e.status != .valid)
    #expect(e.heartRate == nil && e.spo2 == nil && e.respiratoryRate == nil)
    #expect(e.quality < 0.5)
  }

  @Test func aFlatSignalHasNoPulse() throws {
    var analyzer = PPGAnalyzer()
    let e = try analyzer.analyze(ir: [Double](repeating: 1000, count: 3200), sampleRate: 100)
    #expect(e.status == .noPulse)
    #expect(e.heartRate == nil)
  }

  @Test func motionArtefactIsFlaggedAndRejected() throws {
    var ppg = SyntheticPPG()
    ppg.heartRate = 75
    var (ir, red) = ppg.channels()
    // Hand movement over 60 % of the window: random swings band-limited to about 0.5-5 Hz
    // (white noise through a 0.2 s moving average), several pulse amplitudes in size.
    var random = SplitMix(seed: 7)
    let pulse = ppg.irLevel * ppg.perfusionIndex / 100
    let span = Int(0.6 * Double(ir.count))
    let width = Int(0.2 * ppg.sampleRate)
    let white = (0..<(span + width)).map { _ in random.gaussian() }
    for k in 0..<span {
      let swing = 4 * pulse * white[k..<(k + width)].reduce(0, +) / Double(width).squareRoot()
      ir[k] += swing
      red[k] += swing * ppg.redLevel / ppg.irLevel
    }
    var analyzer = PPGAnalyzer()
    let e = try analyzer.analyze(ir: ir, red: red, sampleRate: ppg.sampleRate)
    #expect(e.motion)
    #expect(e.status == .motion)
    #expect(e.heartRate == nil && e.spo2 == nil && e.respiratoryRate == nil)
  }

  @Test func briefArtefactLowersQualityButKeepsTheRate() throws {
    var ppg = SyntheticPPG()
    ppg.heartRate = 66
    var (ir, red) = ppg.channels()
    let pulse = ppg.irLevel * ppg.perfusionIndex / 100
    for k in 1000..<1250 {  // 2.5 s bump
      ir[k] += 5 * pulse
      red[k] += 5 * pulse * ppg.redLevel / ppg.irLevel
    }
    var analyzer = PPGAnalyzer()
    let e = try analyzer.analyze(ir: ir, red: red, sampleRate: ppg.sampleRate)
    #expect(e.quality < 0.95 && e.quality > 0.5)
    let hr = try #require(e.heartRate).value
    #expect(abs(hr - 66) <= 1.5)
  }
}
