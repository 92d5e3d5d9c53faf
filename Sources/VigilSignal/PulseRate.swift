/// Beat-to-beat intervals, the signal-quality index and the pulse rate of one window.
///
/// Only intervals between two consecutive clean beats that lie within the plausible heart-rate
/// range count. The quality index is the fraction of the window those intervals cover (a clean
/// window scores close to 1; every artefact beat removes the two intervals it touches). The
/// pulse rate is 60 over the interquartile mean of the intervals: as robust as the median to a
/// missed or extra beat, but averaging the middle half rather than picking one interval, so
/// it is not quantised to the sample period and follows an irregular rhythm's mean rate more
/// closely.
struct PulseRate {
  /// Intervals between consecutive clean beats, seconds, in time order.
  var intervals: [Double] = []
  /// Fraction of the window covered by ``intervals`` (0...1).
  var quality = 0.0
  /// Fraction of the window spanned by intervals that touch an artefact beat.
  var artefactFraction = 0.0
  /// 60 / interquartile mean of the intervals, or `nil` with fewer than three intervals.
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
    rate = 60 / Self.interquartileMean(sorted: scratch)
  }

  /// The mean of the values between the first and third quartiles (inclusive) of `sorted`.
  static func interquartileMean(sorted: [Double]) -> Double {
    let lower = Statistics.quantile(sorted: sorted, 0.25) ?? 0
    let upper = Statistics.quantile(sorted: sorted, 0.75) ?? 0
    var sum = 0.0
    var n = 0
    for v in sorted where v >= lower && v <= upper {
      sum += v
      n += 1
    }
    return n > 0 ? sum / Double(n) : Statistics.mean(sorted)
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
