import Foundation
import VigilSignal

/// A two-channel PPG with known heart rate, saturation, perfusion index and breathing, shaped
/// like the raw light intensity of a transmissive finger probe (pulses point down).
///
/// Each beat is a fast cosine upstroke (120 ms, as in adults at any rate, but at most 30 % of
/// the cycle) and an exponential decline with a small dicrotic wave. Breathing at `respiratoryRate` modulates the beat interval (respiratory
/// sinus arrhythmia, ±`frequencyModulation` of the rate), the pulse amplitude
/// (±`amplitudeModulation`) and the baseline (±`baselineModulation` of the pulse amplitude).
/// With `irregularity`, each beat's interval is stretched at random, as in atrial fibrillation.
/// The blood-volume waveform v(t) becomes intensity `DC·(1 − k·v(t))`, with `k = PI/100` for
/// infrared and `k·R` for red, where R is the ratio of ratios that the calibration maps to
/// `spo2`; so the expected reading is the calibration's own inverse.
struct SyntheticPPG {
  var sampleRate = 100.0
  var duration = 32.0
  var heartRate = 72.0
  var spo2 = 97.0
  var perfusionIndex = 2.0
  var respiratoryRate = 15.0
  var frequencyModulation = 0.04
  var amplitudeModulation = 0.15
  var baselineModulation = 0.3
  /// Each beat's interval is stretched by a random factor in 1 ± `irregularity` (an irregular
  /// rhythm such as atrial fibrillation when large).
  var irregularity = 0.0
  var irLevel = 120_000.0
  var redLevel = 90_000.0
  /// Standard deviation of white noise added to each channel, as a fraction of its pulse
  /// amplitude.
  var noise = 0.02
  var seed: UInt64 = 1
  var calibration = SaturationCalibration.empiricalLinear

  /// The ratio of ratios the saturation corresponds to.
  var ratio: Double { calibration.ratio(forSaturation: spo2) }

  /// The blood-volume waveform (0 at the foot, about 1 at the systolic peak) at each sample.
  func bloodVolume() -> [Double] { synthesize().volume }

  /// The blood-volume waveform and the time (seconds) at which each beat starts.
  func synthesize() -> (volume: [Double], onsets: [Double]) {
    let n = Int(duration * sampleRate)
    var random = SplitMix(seed: seed &+ 0x5EED)
    var phase = 0.0
    var beat = 0.0
    var stretch = 1.0
    var out: [Double] = []
    var onsets: [Double] = [0]
    out.reserveCapacity(n)
    let fr = respiratoryRate / 60
    for k in 0..<n {
      let t = Double(k) / sampleRate
      let breath = sin(2 * Double.pi * fr * t)
      if phase.rounded(.down) > beat {
        beat = phase.rounded(.down)
        onsets.append(t)
        stretch = 1 + irregularity * (2 * random.uniform() - 1)
      }
      let theta = phase - phase.rounded(.down)
      let amplitude = 1 + amplitudeModulation * breath
      let rise = min(0.3, 0.12 * heartRate / 60)
      out.append(amplitude * Self.pulse(theta, rise: rise) + baselineModulation * breath)
      phase += heartRate / 60 * (1 + frequencyModulation * breath) / stretch / sampleRate
    }
    return (out, onsets)
  }

  /// One beat's shape over its phase θ ∈ [0, 1), rising over the first `rise` of the cycle.
  static func pulse(_ theta: Double, rise: Double) -> Double {
    let tau = 0.25
    if theta < rise { return (1 - cos(Double.pi * theta / rise)) / 2 }
    let end = exp(-(1 - rise) / tau)
    let decay = (exp(-(theta - rise) / tau) - end) / (1 - end)
    let notch = 0.12 * exp(-pow((theta - 0.45) / 0.05, 2))
    return decay + notch
  }

  /// The infrared and red channels as raw intensities.
  func channels() -> (ir: [Double], red: [Double]) {
    var random = SplitMix(seed: seed)
    let volume = synthesize().volume
    let kIR = perfusionIndex / 100
    let kRed = kIR * ratio
    var ir: [Double] = []
    var red: [Double] = []
    for v in volume {
      ir.append(irLevel * (1 - kIR * v) + noise * irLevel * kIR * random.gaussian())
      red.append(redLevel * (1 - kRed * v) + noise * redLevel * kRed * random.gaussian())
    }
    return (ir, red)
  }
}

/// A small deterministic random generator (SplitMix64) with Gaussian samples by Box-Muller.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in (0, 1).
  mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

  mutating func gaussian() -> Double {
    sqrt(-2 * log(uniform())) * cos(2 * Double.pi * uniform())
  }
}
