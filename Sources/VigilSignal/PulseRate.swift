/// Beat-to-beat intervals, the signal-quality index and the pulse rate of one window.
///
/// Only intervals between two consecutive clean beats that lie within the plausible heart-rate
/// range count. The quality index is the fraction of the window those intervals cover (a clean
/// window scores close to 1; every artefact beat removes the two intervals it touches). The
/// pulse rate is 60 over the mean of the intervals within 0.5-1.5 × their median: an interval
/// spanning a missed beat (about 2 ×) or cut by a spurious one (under 0.5 ×) is left out, while
/// the genuine spread of an irregular rhythm or an early beat is kept, so the rate follows the
/// pulses actually counted; averaging also avoids the sample-period steps of a median.
struct PulseRate {
  /// Intervals between consecutive clean beats, seconds, in time order.
  var intervals: [Double] = []
  /// Fraction of the window covered by ``intervals`` (0...1).
  var quality = 0.0
  /// Fraction of the window spanned by intervals that touch an artefact beat.
  var artefactFraction = 0.0
  /// 60 / mean of the intervals within 0.5-1.5 × their median, or `nil` with fewer than three.
  var rate: Double? = nil

  /// Measures `beats` of a window of `count` samples at `sampleRate` Hz; `scratch` is working
  /// storage.
  mutating func measure(
    beats: [PulseBeat], count: Int, sampleRate: Double, range: ClosedRange<Double>,
    scratch: inout [Double]
  ) {
    intervals.removeAll(keepingCapacity: true)
    rate = nil
    quality = 0
    artefactFraction = 0
    let duration = Double(count) / sampleRate
    let shortest = 60 / range.upperBound
    let longest = 60 / range.lowerBound
    var artefact = 0.0
    if beats.count > 1 {
      for i in 1..<beats.count {
        let interval = (beats[i].time - beats[i - 1].time) / sampleRate
        if beats[i].isClean && beats[i - 1].isClean && interval >= shortest
          && interval <= longest
        {
          intervals.append(interval)
        } else {
          artefact += interval
        }
      }
    }
    artefactFraction = min(1, artefact / duration)
    guard intervals.count >= 3 else {
      quality = 0
      return
    }
    var covered = 0.0
    for v in intervals { covered += v }
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: intervals)
    let median = Statistics.median(sorting: &scratch) ?? 0
    // A window can be covered only from its first beat to its last: allow one interval of edge.
    quality = min(1, covered / max(duration - median, median))
    rate = 60 / Self.trimmedMean(intervals, median: median)
  }

  /// The mean of the `intervals` within 0.5-1.5 × `median` (the median itself when none is).
  static func trimmedMean(_ intervals: [Double], median: Double) -> Double {
    var sum = 0.0
    var n = 0
    for v in intervals where v >= 0.5 * median && v <= 1.5 * median {
      sum += v
      n += 1
    }
    return n > 0 ? sum / Double(n) : median
  }

  /// The pulse rate (beats/min) of the largest periodogram peak of the band-passed window within
  /// `range`, computed on the window decimated to about 25 Hz: an estimator independent of beat
  /// detection, used to cross-check it.
  static func spectralRate(
    bandPassed: [Double], sampleRate: Double, range: ClosedRange<Double>,
    decimated: inout [Double], scratch: inout [Double]
  ) -> Double? {
    let factor = max(1, Int(sampleRate / 25))
    decimated.removeAll(keepingCapacity: true)
    var i = 0
    while i + factor <= bandPassed.count {
      var sum = 0.0
      for k in i..<(i + factor) { sum += bandPassed[k] }
      decimated.append(sum / Double(factor))
      i += factor
    }
    let rate = sampleRate / Double(factor)
    guard
      let peak = Spectrum.dominantFrequency(
        decimated, sampleRate: rate, band: (range.lowerBound / 60)...(range.upperBound / 60),
        step: 0.25 / 60, peakHalfWidth: 0.1, scratch: &scratch)
    else { return nil }
    return peak.frequency * 60
  }
}
