import Foundation
import Testing

@testable import VigilSignal

/// Filter design, elementary functions and spectra.
struct FilterTests {
  @Test func sineAndCosineMatchTheCLibraryToTheLastFewBits() {
    var x = -50.0
    while x <= 50 {
      #expect(abs(SignalMath.sin(x) - Foundation.sin(x)) < 1e-14, "sin(\(x))")
      #expect(abs(SignalMath.cos(x) - Foundation.cos(x)) < 1e-14, "cos(\(x))")
      x += 0.0137
    }
    #expect(abs(SignalMath.tan(0.3) - Foundation.tan(0.3)) < 1e-14)
  }

  /// The steady-state gain of `biquad` for a sine of `frequency` Hz, measured by filtering.
  func measuredGain(_ biquad: Biquad, frequency: Double, sampleRate: Double) -> Double {
    var filter = biquad
    var peak = 0.0
    let n = Int(sampleRate * 40 / min(frequency, 1))
    for k in 0..<n {
      let y = filter.process(sin(2 * Double.pi * frequency * Double(k) / sampleRate))
      if k > n / 2 { peak = max(peak, abs(y)) }
    }
    return peak
  }

  @Test func butterworthSectionsAreThreeDecibelsDownAtTheirCutoff() {
    let fs = 125.0
    let lp = Biquad.lowPass(cutoff: 8, sampleRate: fs)
    let hp = Biquad.highPass(cutoff: 0.5, sampleRate: fs)
    let half = 1 / 2.0.squareRoot()
    #expect(abs(measuredGain(lp, frequency: 8, sampleRate: fs) - half) < 0.005)
    #expect(abs(measuredGain(hp, frequency: 0.5, sampleRate: fs) - half) < 0.005)
    #expect(abs(lp.dcGain - 1) < 1e-12)
    #expect(abs(hp.dcGain) < 1e-12)
    // Second order: 40 dB per decade beyond the cutoff.
    #expect(measuredGain(lp, frequency: 40, sampleRate: fs) < 0.05)
    #expect(measuredGain(lp, frequency: 1, sampleRate: fs) > 0.99)
  }

  @Test func aSettledSectionPassesAConstantWithoutATransient() {
    var lp = Biquad.lowPass(cutoff: 2, sampleRate: 100)
    lp.settle(at: 5)
    for _ in 0..<50 { #expect(abs(lp.process(5) - 5) < 1e-9) }
  }

  @Test func zeroPhaseFilteringLeavesAPulseWhereItWas() {
    let fs = 125.0
    let signal = (0..<1000).map { k -> Double in
      let t = (Double(k) - 437) / fs
      return exp(-t * t / (2 * 0.05 * 0.05))
    }
    var out: [Double] = []
    var scratch: [Double] = []
    ZeroPhaseFilter.bandPass(low: 0.5, high: 8, sampleRate: fs).apply(
      signal, into: &out, scratch: &scratch)
    #expect(out.count == signal.count)
    let peak = out.indices.max { out[$0] < out[$1] }!
    #expect(peak == 437)
  }

  @Test func theSpectrumFindsAToneBetweenGridPoints() throws {
    let fs = 4.0
    let tone = (0..<128).map { sin(2 * Double.pi * 0.2733 * Double($0) / fs) }
    var scratch: [Double] = []
    let peak = Spectrum.dominantFrequency(
      tone, sampleRate: fs, band: 0.05...1, step: 0.001, peakHalfWidth: 0.03, scratch: &scratch)
    #expect(abs(try #require(peak).frequency - 0.2733) < 0.002)
  }

  @Test func countOrigCountsTheCyclesOfACleanBreathingSignal() throws {
    let fs = 4.0
    let breaths = (0..<128).map { sin(2 * Double.pi * (12.0 / 60) * Double($0) / fs) }
    var scratch: [Double] = []
    let rate = BreathCounter.original(breaths, sampleRate: fs, band: 4...60, scratch: &scratch)
    #expect(abs(try #require(rate) - 12) < 0.2)
  }

  @Test func countAdvIgnoresRipplesSmallerThanTheThinningThreshold() throws {
    let fs = 4.0
    // 12 breaths/min with a 45/min ripple that adds small extra local extrema.
    let breaths = (0..<128).map { k -> Double in
      let t = Double(k) / fs
      return sin(2 * Double.pi * 0.2 * t) + 0.15 * sin(2 * Double.pi * 0.75 * t)
    }
    var extrema: [Int] = []
    var scratch: [Double] = []
    let rate = BreathCounter.advanced(
      breaths, sampleRate: fs, band: 4...60, extrema: &extrema, scratch: &scratch)
    #expect(abs(try #require(rate) - 12) < 0.3)
  }

  @Test func elgendiDetectorFindsEverySystolicPeak() {
    let fs = 125.0
    let ppg = SyntheticPPG(sampleRate: fs, duration: 20, heartRate: 75, noise: 0)
    let volume = ppg.bloodVolume()
    var band: [Double] = []
    var scratch: [Double] = []
    ZeroPhaseFilter.bandPass(low: 0.5, high: 8, sampleRate: fs).apply(
      volume, into: &band, scratch: &scratch)
    var peaks: [Int] = []
    BeatDetector().detect(band, sampleRate: fs, into: &peaks, scratch: &scratch)
    // 75 beats/min (± 4 % sinus arrhythmia) for 20 s: 25 beats, about 0.8 s apart.
    #expect(peaks.count >= 24 && peaks.count <= 26)
    for i in 1..<peaks.count {
      let interval = Double(peaks[i] - peaks[i - 1]) / fs
      #expect(interval > 0.7 && interval < 0.9)
    }
  }
}
