/// Respiratory rate from the PPG's three respiratory-induced variations, fused.
///
/// Breathing modulates the PPG in three ways (Charlton et al., IEEE Rev Biomed Eng 11, 2018):
/// the baseline (respiratory-induced intensity variation, RIIV: intrathoracic pressure changes
/// venous return), the pulse amplitude (RIAV: stroke volume falls during inspiration) and the
/// beat-to-beat interval (RIFV: respiratory sinus arrhythmia). Each is measured once per clean
/// beat (RIIV as the mean of the beat's peak and foot, RIAV as peak minus foot, RIFV as the
/// interval between consecutive clean beats), resampled at 4 Hz by linear interpolation,
/// band-passed to the respiratory range and tapered. Each is then read two ways: the largest
/// peak of its periodogram on a 0.1 breaths/min grid, and counted breaths (``BreathCounter``).
/// The estimates are fused as configured (``RespiratoryFusion``).
struct RespiratoryRateEstimator {
  var configuration: PPGAnalyzerConfiguration
  /// Sample rate of the resampled respiratory signals, Hz (Charlton et al. 2016 use 4 Hz).
  static let resampleRate = 4.0
  /// Spacing of the spectral grid, breaths per minute.
  static let gridStep = 0.1

  /// The fused rate and its components for a window of `duration` seconds. `heartRate`
  /// (beats/min) caps the search: a signal sampled once per beat cannot show breathing faster
  /// than half the heart rate.
  func estimate(
    beats: [PulseBeat], feature: [Double], sampleRate: Double, duration: Double,
    heartRate: Double, scratch: inout Scratch
  ) -> RespiratoryComponents {
    let range = configuration.respiratoryRange
    let upper = max(range.lowerBound + 1, min(range.upperBound, heartRate / 2))
    let band = range.lowerBound...upper
    let bins = Int(((upper - range.lowerBound) / Self.gridStep).rounded(.down)) + 1
    scratch.spectra.removeAll(keepingCapacity: true)
    for _ in 0..<(3 * bins) { scratch.spectra.append(0) }
    scratch.present = [false, false, false]
    var c = RespiratoryComponents()

    // Intensity and amplitude, at each clean beat with a foot.
    scratch.times.removeAll(keepingCapacity: true)
    scratch.intensity.removeAll(keepingCapacity: true)
    scratch.amplitude.removeAll(keepingCapacity: true)
    for beat in beats where beat.isClean {
      guard let onset = beat.onset else { continue }
      let top = feature[beat.featurePeak]
      let foot = feature[onset]
      scratch.times.append(beat.time / sampleRate)
      scratch.intensity.append((top + foot) / 2)
      scratch.amplitude.append(top - foot)
    }
    if prepare(scratch.times, scratch.intensity, duration: duration, band: band, &scratch) {
      c.intensity = read(slot: 0, bins: bins, band: band, &scratch)
    }
    if prepare(scratch.times, scratch.amplitude, duration: duration, band: band, &scratch) {
      c.amplitude = read(slot: 1, bins: bins, band: band, &scratch)
    }

    // Frequency: intervals between consecutive clean beats, at the interval's midpoint.
    scratch.times.removeAll(keepingCapacity: true)
    scratch.intensity.removeAll(keepingCapacity: true)
    let shortest = 60 / configuration.heartRateRange.upperBound
    let longest = 60 / configuration.heartRateRange.lowerBound
    if beats.count > 1 {
      for i in 1..<beats.count where beats[i].isClean && beats[i - 1].isClean {
        let interval = (beats[i].time - beats[i - 1].time) / sampleRate
        guard interval >= shortest && interval <= longest else { continue }
        scratch.times.append((beats[i].time + beats[i - 1].time) / 2 / sampleRate)
        scratch.intensity.append(interval)
      }
    }
    if prepare(scratch.times, scratch.intensity, duration: duration, band: band, &scratch) {
      c.frequency = read(slot: 2, bins: bins, band: band, &scratch)
    }

    switch configuration.respiratoryFusion {
    case .consensus:
      consensus(&c, bins: bins, band: band, scratch)
    case .smartFusion:
      c.fused = smartFusion(c)
    case .spectralPeakAveraging:
      c.fused = spectralAverage(bins: bins, band: band, &scratch)
    }
    if let fused = c.fused {
      var support = 0
      for reading in c.readings {
        for value in reading.all {
          if let value, abs(value - fused) <= configuration.respiratoryAgreement { support += 1 }
        }
      }
      c.support = support
    }
    return c
  }

  /// Consensus fusion: the spectral rate with the most of the nine estimates within the
  /// agreement limit (ties to the larger summed spectral concentration), if at least the
  /// minimum support.
  private func consensus(
    _ c: inout RespiratoryComponents, bins: Int, band: ClosedRange<Double>, _ s: Scratch
  ) {
    let readings = c.readings
    let tolerance = configuration.respiratoryAgreement
    var best: (support: Int, concentration: Double, rate: Double)? = nil
    for candidate in readings {
      guard let rate = candidate.spectralPeak else { continue }
      var support = 0
      var concentration = 0.0
      for (slot, reading) in readings.enumerated() {
        for (method, value) in reading.all.enumerated() {
          guard let value, abs(value - rate) <= tolerance else { continue }
          support += 1
          if method == 0 {
            concentration += self.concentration(
              slot: slot, around: value, bins: bins, band: band, s)
          }
        }
      }
      if best == nil || support > best!.support
        || (support == best!.support && concentration > best!.concentration)
      {
        best = (support, concentration, rate)
      }
    }
    if let best, best.support >= configuration.respiratoryMinimumSupport { c.fused = best.rate }
  }

  /// The share of a variation's normalised spectrum within the agreement limit of `rate`.
  private func concentration(
    slot: Int, around rate: Double, bins: Int, band: ClosedRange<Double>, _ s: Scratch
  ) -> Double {
    var share = 0.0
    for k in 0..<bins {
      let f = band.lowerBound + Double(k) * Self.gridStep
      if abs(f - rate) <= configuration.respiratoryAgreement { share += s.spectra[slot * bins + k] }
    }
    return share
  }

  /// Smart Fusion (Karlen et al. 2013): the mean of the available spectral rates (at least two)
  /// when their population standard deviation is within the agreement limit.
  private func smartFusion(_ c: RespiratoryComponents) -> Double? {
    var values: [Double] = []
    values.reserveCapacity(3)
    for reading in c.readings {
      if let v = reading.spectralPeak { values.append(v) }
    }
    guard values.count >= 2,
      Statistics.standardDeviation(values) <= configuration.respiratoryAgreement
    else { return nil }
    return Statistics.mean(values)
  }

  /// Spectral peak-conditioned averaging (Lázaro 2015, as modified by Charlton et al. 2016 to
  /// need no earlier rate): each variation's normalised spectrum whose power near its peak
  /// (within ±0.4·δ, over the power within ±δ, δ = 0.1 Hz) exceeds η = 0.65 and is within
  /// λ = 0.05 of the best such proportion is averaged (δ doubled once when none qualifies); the
  /// rate is the largest local maximum of the mean spectrum.
  private func spectralAverage(bins: Int, band: ClosedRange<Double>, _ s: inout Scratch)
    -> Double?
  {
    var chosen = [false, false, false]
    for delta in [0.1, 0.2] {
      var proportions = [-1.0, -1.0, -1.0]
      for slot in 0..<3 where s.present[slot] {
        proportions[slot] = peakProportion(slot: slot, bins: bins, delta: delta * 60, s)
      }
      let best = proportions.max() ?? -1
      for slot in 0..<3 {
        chosen[slot] =
          s.present[slot] && proportions[slot] > 0.65 && proportions[slot] > best - 0.05
      }
      if chosen.contains(true) { break }
    }
    guard chosen.contains(true) else { return nil }
    s.values.removeAll(keepingCapacity: true)
    for k in 0..<bins {
      var sum = 0.0
      for slot in 0..<3 where chosen[slot] { sum += s.spectra[slot * bins + k] }
      s.values.append(sum)
    }
    return largestLocalMaximum(s.values[...], band: band)
  }

  /// The proportion of a normalised spectrum's power within ±0.4·`delta` of its maximum, over
  /// the power within ±`delta` (breaths/min).
  private func peakProportion(slot: Int, bins: Int, delta: Double, _ s: Scratch) -> Double {
    let base = slot * bins
    var top = 0
    for k in 0..<bins where s.spectra[base + k] > s.spectra[base + top] { top = k }
    let inner = Int((0.4 * delta / Self.gridStep).rounded())
    let outer = Int((delta / Self.gridStep).rounded())
    var near = 0.0
    var total = 0.0
    for k in max(0, top - outer)...min(bins - 1, top + outer) {
      total += s.spectra[base + k]
      if abs(k - top) <= inner { near += s.spectra[base + k] }
    }
    return total > 0 ? near / total : 0
  }

  /// Resamples one irregularly sampled variation onto the 4 Hz grid, removes its mean,
  /// band-passes and tapers it into `s.filtered`; `false` when it spans less than half the
  /// window.
  private func prepare(
    _ times: [Double], _ values: [Double], duration: Double, band: ClosedRange<Double>,
    _ s: inout Scratch
  ) -> Bool {
    guard times.count >= 4, let first = times.first, let last = times.last,
      last - first >= duration / 2
    else { return false }
    let fs = Self.resampleRate
    s.resampled.removeAll(keepingCapacity: true)
    var j = 0
    var t = first
    while t <= last {
      while j + 2 < times.count && times[j + 1] < t { j += 1 }
      let t0 = times[j]
      let t1 = times[j + 1]
      let x = t1 > t0 ? (t - t0) / (t1 - t0) : 0
      s.resampled.append(values[j] + (values[j + 1] - values[j]) * min(max(x, 0), 1))
      t += 1 / fs
    }
    guard s.resampled.count >= 8 else { return false }
    let mean = Statistics.mean(s.resampled)
    for i in s.resampled.indices { s.resampled[i] -= mean }
    let filter = ZeroPhaseFilter(
      sections: [
        .highPass(cutoff: band.lowerBound / 60, sampleRate: fs),
        .lowPass(
          cutoff: min(configuration.respiratoryRange.upperBound / 60, 0.45 * fs), sampleRate: fs),
      ], padding: Int(3 * fs * 60 / band.lowerBound))
    filter.apply(s.resampled, into: &s.filtered, scratch: &s.work)
    // Tukey taper over the first and last 2 s (as the RRest toolbox does) against leakage.
    let taper = min(Int(2 * fs), s.filtered.count / 2)
    if taper > 0 {
      for i in 0..<taper {
        let w = 0.5 * (1 - SignalMath.cos(Double.pi * Double(i) / Double(taper)))
        s.filtered[i] *= w
        s.filtered[s.filtered.count - 1 - i] *= w
      }
    }
    return true
  }

  /// Fills spectrum `slot` from `s.filtered` (normalised to unit sum) and returns the
  /// variation's spectral-peak and breath-counting rates.
  private func read(slot: Int, bins: Int, band: ClosedRange<Double>, _ s: inout Scratch)
    -> RespiratoryReading
  {
    s.present[slot] = true
    let fs = Self.resampleRate
    var total = 0.0
    for k in 0..<bins {
      let f = (band.lowerBound + Double(k) * Self.gridStep) / 60
      let p = Spectrum.power(s.filtered, frequency: f, sampleRate: fs)
      s.spectra[slot * bins + k] = p
      total += p
    }
    if total > 0 {
      for k in 0..<bins { s.spectra[slot * bins + k] /= total }
    }
    let spectral = largestLocalMaximum(s.spectra[(slot * bins)..<((slot + 1) * bins)], band: band)
    return RespiratoryReading(
      spectralPeak: spectral,
      countOriginal: BreathCounter.original(
        s.filtered, sampleRate: fs, band: band, scratch: &s.work),
      countAdvanced: BreathCounter.advanced(
        s.filtered, sampleRate: fs, band: band, extrema: &s.extrema, scratch: &s.values))
  }

  /// The rate (breaths/min) of the largest interior local maximum of a spectrum on the grid.
  private func largestLocalMaximum(_ spectrum: ArraySlice<Double>, band: ClosedRange<Double>)
    -> Double?
  {
    let lo = spectrum.startIndex
    let hi = spectrum.endIndex
    guard hi - lo >= 3 else { return nil }
    var best = -1
    for k in (lo + 1)..<(hi - 1)
    where spectrum[k] > spectrum[k - 1] && spectrum[k] >= spectrum[k + 1] {
      if best < 0 || spectrum[k] > spectrum[best] { best = k }
    }
    guard best >= 0 else { return nil }
    return band.lowerBound + Double(best - lo) * Self.gridStep
  }

  /// Working storage reused from window to window.
  struct Scratch {
    var times: [Double] = []
    var intensity: [Double] = []
    var amplitude: [Double] = []
    var resampled: [Double] = []
    var filtered: [Double] = []
    var work: [Double] = []
    var values: [Double] = []
    var spectra: [Double] = []
    var present = [false, false, false]
    var extrema: [Int] = []
  }
}

/// Breath counting on a band-passed respiratory signal (Schäfer and Kratky, "Estimation of
/// breathing rate from respiratory sinus arrhythmia: comparison of various methods", Ann Biomed
/// Eng 36(3), 2008).
enum BreathCounter {
  /// "count-orig": local maxima above 0.2 × the 75th percentile of all local maxima are
  /// candidate breaths; a breath cycle runs between consecutive candidates with exactly one
  /// local minimum below zero between them; the rate is 60 over the mean cycle duration. `nil`
  /// when no valid cycle is found or the rate is outside `band`.
  static func original(
    _ x: [Double], sampleRate: Double, band: ClosedRange<Double>, scratch: inout [Double]
  ) -> Double? {
    guard x.count > 3 else { return nil }
    scratch.removeAll(keepingCapacity: true)
    for i in 1..<(x.count - 1) where x[i] > x[i - 1] && x[i] >= x[i + 1] { scratch.append(x[i]) }
    guard let q3 = Statistics.quantile(sorting: &scratch, 0.75), q3 > 0 else { return nil }
    let threshold = 0.2 * q3
    var lastMax = -1
    var minimaBelowZero = 0
    var cycles = 0
    var total = 0.0
    for i in 1..<(x.count - 1) {
      if x[i] < x[i - 1] && x[i] <= x[i + 1] {
        if x[i] < 0 { minimaBelowZero += 1 }
      } else if x[i] > x[i - 1] && x[i] >= x[i + 1] && x[i] > threshold {
        if lastMax >= 0 && minimaBelowZero == 1 {
          cycles += 1
          total += Double(i - lastMax) / sampleRate
        }
        lastMax = i
        minimaBelowZero = 0
      }
    }
    guard cycles >= 1 else { return nil }
    let rate = 60 / (total / Double(cycles))
    return band.contains(rate) ? rate : nil
  }

  /// "count-adv": the local extrema, alternating maxima and minima, are thinned by repeatedly
  /// removing the neighbouring pair with the smallest vertical distance while that distance is
  /// below 0.1 × the 75th percentile of all such distances; each remaining maximum-to-maximum
  /// span is one breath, and the rate is 60 over their mean duration. `nil` when fewer than two
  /// maxima remain or the rate is outside `band`.
  static func advanced(
    _ x: [Double], sampleRate: Double, band: ClosedRange<Double>, extrema: inout [Int],
    scratch distances: inout [Double]
  ) -> Double? {
    guard x.count > 3 else { return nil }
    extrema.removeAll(keepingCapacity: true)
    for i in 1..<(x.count - 1) {
      let isMax = x[i] > x[i - 1] && x[i] >= x[i + 1]
      let isMin = x[i] < x[i - 1] && x[i] <= x[i + 1]
      guard isMax || isMin else { continue }
      push(i, isMax: isMax, x, &extrema)
    }
    guard extrema.count >= 3 else { return nil }
    distances.removeAll(keepingCapacity: true)
    for k in 1..<extrema.count { distances.append(abs(x[extrema[k]] - x[extrema[k - 1]])) }
    guard let q3 = Statistics.quantile(sorting: &distances, 0.75) else { return nil }
    let threshold = 0.1 * q3
    while extrema.count > 2 {
      var smallest = 1
      for k in 1..<extrema.count
      where abs(x[extrema[k]] - x[extrema[k - 1]])
        < abs(x[extrema[smallest]] - x[extrema[smallest - 1]])
      {
        smallest = k
      }
      guard abs(x[extrema[smallest]] - x[extrema[smallest - 1]]) < threshold else { break }
      extrema.removeSubrange((smallest - 1)...smallest)
      // Removing a pair can leave two maxima (or minima) side by side: keep the more extreme.
      var k = 1
      while k < extrema.count {
        let a = extrema[k - 1]
        let b = extrema[k]
        let aMax = isMaximum(a, x)
        if aMax == isMaximum(b, x) {
          let keepB = aMax ? x[b] > x[a] : x[b] < x[a]
          extrema.remove(at: keepB ? k - 1 : k)
        } else {
          k += 1
        }
      }
    }
    var first = -1
    var last = -1
    var cycles = 0
    for i in extrema where isMaximum(i, x) {
      if first < 0 { first = i } else { cycles += 1 }
      last = i
    }
    guard cycles >= 1 else { return nil }
    let rate = 60 * Double(cycles) / (Double(last - first) / sampleRate)
    return band.contains(rate) ? rate : nil
  }

  /// Whether interior local extremum `i` is a maximum.
  private static func isMaximum(_ i: Int, _ x: [Double]) -> Bool { x[i] > x[i - 1] }

  /// Appends extremum `i`, merging it with the previous one when both are maxima (or minima).
  private static func push(_ i: Int, isMax: Bool, _ x: [Double], _ extrema: inout [Int]) {
    if let last = extrema.last, isMaximum(last, x) == isMax {
      if isMax ? x[i] > x[last] : x[i] < x[last] { extrema[extrema.count - 1] = i }
    } else {
      extrema.append(i)
    }
  }
}
