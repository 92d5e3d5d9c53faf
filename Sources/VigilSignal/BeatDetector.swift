/// Systolic-peak detection by two event-related moving averages (Elgendi et al., "Systolic peak
/// detection in acceleration photoplethysmograms measured from emergency responders in tropical
/// conditions", PLoS ONE 8(10): e76585, 2013).
///
/// The band-passed PPG (pulses pointing up) is clipped at zero and squared; a short moving
/// average (about one systolic peak wide) is compared with a long one (about one beat wide)
/// plus an offset `β·mean(squared signal)`; each run where the short average is above that
/// threshold and at least one short window long is a block of interest, and its largest sample
/// is a systolic peak. Peaks closer than the refractory time keep the larger one.
public struct BeatDetector: Sendable {
  /// Width of the peak moving average, seconds (Elgendi: 111 ms).
  public var peakWindow = 0.111
  /// Width of the beat moving average, seconds (Elgendi: 667 ms).
  public var beatWindow = 0.667
  /// Offset factor β of the threshold (Elgendi: 0.02).
  public var offsetFactor = 0.02
  /// Shortest time between two beats, seconds (0.25 s: 240 beats/min).
  public var refractoryPeriod = 0.25

  /// Creates a detector with Elgendi's published parameters.
  public init() {}

  /// Finds systolic peaks in `signal` (band-passed, pulses pointing up) sampled at
  /// `sampleRate` Hz and writes their sample indices, in order, into `peaks`.
  /// `scratch` is working storage; neither buffer allocates once grown to the window length.
  public func detect(
    _ signal: [Double], sampleRate: Double, into peaks: inout [Int], scratch: inout [Double]
  ) {
    peaks.removeAll(keepingCapacity: true)
    let n = signal.count
    guard n > 2 else { return }
    scratch.removeAll(keepingCapacity: true)
    // Cumulative sum of the clipped, squared signal: scratch[i] = Σ_{k<i} y[k].
    scratch.append(0)
    var total = 0.0
    for v in signal {
      total += v > 0 ? v * v : 0
      scratch.append(total)
    }
    let threshold = offsetFactor * total / Double(n)
    let halfPeak = max(1, Int((peakWindow * sampleRate).rounded()) / 2)
    let halfBeat = max(halfPeak + 1, Int((beatWindow * sampleRate).rounded()) / 2)
    let minimumBlock = 2 * halfPeak + 1
    let refractory = Int((refractoryPeriod * sampleRate).rounded())

    @inline(__always) func average(_ i: Int, _ half: Int) -> Double {
      let lo = max(0, i - half)
      let hi = min(n, i + half + 1)
      return (scratch[hi] - scratch[lo]) / Double(hi - lo)
    }

    var blockStart = -1
    for i in 0...n {
      let inside = i < n && average(i, halfPeak) > average(i, halfBeat) + threshold
      if inside {
        if blockStart < 0 { blockStart = i }
      } else if blockStart >= 0 {
        if i - blockStart >= minimumBlock {
          var best = blockStart
          for k in blockStart..<i where signal[k] > signal[best] { best = k }
          if let last = peaks.last, best - last < refractory {
            if signal[best] > signal[last] { peaks[peaks.count - 1] = best }
          } else {
            peaks.append(best)
          }
        }
        blockStart = -1
      }
    }
  }
}
