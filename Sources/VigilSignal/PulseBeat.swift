/// One pulse found in a window: where it peaks, where it starts, and whether it looks like a
/// pulse.
public struct PulseBeat: Hashable, Sendable {
  /// Sample index of the systolic peak in the band-passed signal.
  public var peak: Int
  /// The peak's position in samples, refined between samples by fitting a parabola through the
  /// band-passed peak and its neighbours (used for beat-to-beat intervals).
  public var time: Double
  /// Sample index of the systolic peak in the low-passed signal (used for levels).
  public var featurePeak: Int
  /// Sample index of the pulse's foot (the lowest low-passed sample since the previous peak),
  /// or `nil` when the search would run past the start of the window.
  public var onset: Int?
  /// Pearson correlation of the beat with the window's beat template.
  public var correlation: Double
  /// Whether the beat passed the template and amplitude checks.
  public var isClean: Bool

  /// Creates a beat.
  public init(
    peak: Int, time: Double, featurePeak: Int, onset: Int?, correlation: Double, isClean: Bool
  ) {
    self.peak = peak
    self.time = time
    self.featurePeak = featurePeak
    self.onset = onset
    self.correlation = correlation
    self.isClean = isClean
  }
}

/// Turns detected peaks into delineated, quality-checked beats.
///
/// Each beat's foot is the minimum of the low-passed signal since the previous peak. Each beat
/// is then compared with the window's template, the point-wise median of all beats aligned at
/// their peaks over one median beat interval (the template matching of Li and Clifford,
/// Physiol Meas 33(9), 2012, and Orphanidou et al. 2015, with a median rather than a mean
/// template so that a few artefacts cannot distort it). A beat is clean when it correlates
/// with the template at least as well as the configured threshold and its amplitude is within
/// the configured factor of the median amplitude.
struct BeatDelineator {
  var configuration: PPGAnalyzerConfiguration

  /// Delineates `peaks` (detected in `bandPassed` or a more narrowly filtered copy) using
  /// `feature` (the low-passed signal) for levels, and
  /// returns the median beat-to-beat interval in samples (0 when fewer than two peaks).
  func delineate(
    peaks: [Int], bandPassed: [Double], feature: [Double], sampleRate: Double,
    into beats: inout [PulseBeat], scratch: inout Scratch
  ) -> Double {
    beats.removeAll(keepingCapacity: true)
    let n = feature.count
    guard !peaks.isEmpty else { return 0 }

    scratch.values.removeAll(keepingCapacity: true)
    for i in 1..<max(1, peaks.count) { scratch.values.append(Double(peaks[i] - peaks[i - 1])) }
    let medianInterval = Statistics.median(sorting: &scratch.values) ?? 0

    let refine = max(1, Int((0.05 * sampleRate).rounded()))
    let firstSearch = medianInterval > 0 ? Int(medianInterval) : Int(1.5 * sampleRate)
    for (index, detected) in peaks.enumerated() {
      // The detector may run on a differently filtered copy: take the band-passed maximum
      // within 50 ms of its peak.
      var p = detected
      for k in max(0, detected - refine)...min(n - 1, detected + refine)
      where bandPassed[k] > bandPassed[p] {
        p = k
      }
      var top = p
      for k in max(0, p - refine)...min(n - 1, p + refine) where feature[k] > feature[top] {
        top = k
      }
      let start = index > 0 ? peaks[index - 1] : p - firstSearch
      var onset: Int? = nil
      if start >= 0 && start < top {
        var low = start
        for k in start..<top where feature[k] < feature[low] { low = k }
        onset = low
      }
      var time = Double(p)
      if p > 0 && p < n - 1 {
        let (a, b, c) = (bandPassed[p - 1], bandPassed[p], bandPassed[p + 1])
        let curvature = a - 2 * b + c
        if curvature < 0 { time += min(0.5, max(-0.5, 0.5 * (a - c) / curvature)) }
      }
      beats.append(
        PulseBeat(
          peak: p, time: time, featurePeak: top, onset: onset, correlation: 0, isClean: false))
    }

    correlate(beats: &beats, bandPassed: bandPassed, interval: medianInterval, scratch: &scratch)

    // Amplitude check against the median amplitude of beats with a foot.
    scratch.values.removeAll(keepingCapacity: true)
    for beat in beats {
      if let onset = beat.onset {
        scratch.values.append(feature[beat.featurePeak] - feature[onset])
      }
    }
    let medianAmplitude = Statistics.median(sorting: &scratch.values) ?? 0
    let factor = configuration.beatAmplitudeFactor
    for i in beats.indices {
      var amplitudeOK = true
      if let onset = beats[i].onset {
        let a = feature[beats[i].featurePeak] - feature[onset]
        amplitudeOK =
          medianAmplitude > 0 && a > medianAmplitude / factor && a < medianAmplitude * factor
      }
      beats[i].isClean =
        amplitudeOK && beats[i].correlation >= configuration.beatCorrelationThreshold
    }
    return medianInterval
  }

  /// Sets each beat's correlation with the point-wise median template of all beats whose
  /// segment (one median interval centred on the peak) lies inside the window.
  private func correlate(
    beats: inout [PulseBeat], bandPassed: [Double], interval: Double, scratch: inout Scratch
  ) {
    let half = Int(interval / 2)
    let n = bandPassed.count
    guard half > 1 else { return }
    let length = 2 * half
    scratch.template.removeAll(keepingCapacity: true)
    var complete = 0
    for beat in beats where beat.peak - half >= 0 && beat.peak + half <= n { complete += 1 }
    guard complete >= 3 else { return }
    for offset in 0..<length {
      scratch.values.removeAll(keepingCapacity: true)
      for beat in beats where beat.peak - half >= 0 && beat.peak + half <= n {
        scratch.values.append(bandPassed[beat.peak - half + offset])
      }
      scratch.template.append(Statistics.median(sorting: &scratch.values) ?? 0)
    }
    for i in beats.indices {
      let p = beats[i].peak
      if p - half >= 0 && p + half <= n {
        beats[i].correlation = Statistics.correlation(
          bandPassed[(p - half)..<(p + half)], scratch.template[0..<length])
      } else {
        // A beat cut by the window's edge is compared over the part inside the window.
        let lo = max(0, p - half)
        let hi = min(n, p + half)
        guard hi - lo > half else { continue }
        let t0 = lo - (p - half)
        beats[i].correlation = Statistics.correlation(
          bandPassed[lo..<hi], scratch.template[t0..<(t0 + hi - lo)])
      }
    }
  }

  /// Working storage reused from window to window.
  struct Scratch {
    var values: [Double] = []
    var template: [Double] = []
  }
}
