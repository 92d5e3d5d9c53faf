/// Periodogram evaluated on a fine frequency grid by direct Fourier sums.
///
/// Respiratory signals are short (a 32 s window at 4 Hz is 128 samples) and only a narrow band
/// matters, so a direct sum on a grid finer than 1/T (the equivalent of zero-padding an FFT) is
/// cheap and needs no power-of-two length. Each frequency's phasor is advanced by one complex
/// multiplication per sample, so only two sine/cosine evaluations are needed per frequency.
enum Spectrum {
  /// The frequency (Hz) of the largest periodogram value of `samples` (taken at `sampleRate`
  /// Hz, mean already removed) within `band`, searched every `step` Hz, and the fraction of the
  /// band's summed power within `±peakHalfWidth` Hz of it. `nil` when the band is empty or the
  /// signal has no power in it.
  static func dominantFrequency(
    _ samples: [Double], sampleRate: Double, band: ClosedRange<Double>, step: Double,
    peakHalfWidth: Double, scratch: inout [Double]
  ) -> (frequency: Double, concentration: Double)? {
    guard samples.count > 2, band.upperBound > band.lowerBound, step > 0 else { return nil }
    scratch.removeAll(keepingCapacity: true)
    var f = band.lowerBound
    var bestIndex = -1
    var bestPower = 0.0
    var total = 0.0
    while f <= band.upperBound + 1e-12 {
      let p = power(samples, frequency: f, sampleRate: sampleRate)
      scratch.append(p)
      total += p
      if p > bestPower {
        bestPower = p
        bestIndex = scratch.count - 1
      }
      f += step
    }
    guard bestIndex >= 0, total > 0 else { return nil }
    // A maximum at the edge of the band is the skirt of something outside it, not a peak.
    if bestIndex == 0 || bestIndex == scratch.count - 1 { return nil }
    let halfBins = Int(peakHalfWidth / step)
    var near = 0.0
    for i in max(0, bestIndex - halfBins)...min(scratch.count - 1, bestIndex + halfBins) {
      near += scratch[i]
    }
    return (band.lowerBound + Double(bestIndex) * step, near / total)
  }

  /// |Σ x_k·e^{−2πi·f·k/fs}|² for one frequency.
  static func power(_ samples: [Double], frequency: Double, sampleRate: Double) -> Double {
    let w = 2 * Double.pi * frequency / sampleRate
    let c = SignalMath.cos(w)
    let s = SignalMath.sin(w)
    var re = 1.0
    var im = 0.0
    var sumRe = 0.0
    var sumIm = 0.0
    for (k, x) in samples.enumerated() {
      sumRe += x * re
      sumIm -= x * im
      let nextRe = re * c - im * s
      im = re * s + im * c
      re = nextRe
      // Renormalise now and then so rounding cannot let the phasor drift off the unit circle.
      if k & 63 == 63 {
        let norm = (re * re + im * im).squareRoot()
        re /= norm
        im /= norm
      }
    }
    return sumRe * sumRe + sumIm * sumIm
  }
}
