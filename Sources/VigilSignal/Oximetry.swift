/// Perfusion index and ratio of ratios from delineated beats.
enum Oximetry {
  /// Infrared pulsatile amplitude over mean level, percent: the median over clean beats of the
  /// low-passed peak-to-foot amplitude, divided by the window's mean level. `nil` when the mean
  /// level is not positive or no clean beat has a foot.
  static func perfusionIndex(
    beats: [PulseBeat], feature: [Double], level: Double, scratch: inout [Double]
  ) -> Double? {
    guard level > 0 else { return nil }
    scratch.removeAll(keepingCapacity: true)
    for beat in beats where beat.isClean {
      if let onset = beat.onset { scratch.append(feature[beat.featurePeak] - feature[onset]) }
    }
    guard let amplitude = Statistics.median(sorting: &scratch) else { return nil }
    return amplitude / level * 100
  }

  /// The ratio of ratios `(AC_red/DC_red)/(AC_ir/DC_ir)`: the median over clean beats of each
  /// beat's ratio, where a channel's AC is its band-passed maximum near the beat's peak minus
  /// its minimum near the beat's foot (both channels filtered alike, so the filter's gain
  /// cancels) and its DC is the channel's mean level over the window. `nil` when a level is not
  /// positive or no clean beat has a foot.
  static func ratioOfRatios(
    beats: [PulseBeat], irBandPassed: [Double], redBandPassed: [Double], irLevel: Double,
    redLevel: Double, sampleRate: Double, scratch: inout [Double]
  ) -> Double? {
    guard irLevel > 0, redLevel > 0 else { return nil }
    let h = max(1, Int((0.05 * sampleRate).rounded()))
    let n = irBandPassed.count
    scratch.removeAll(keepingCapacity: true)
    for beat in beats where beat.isClean {
      guard let onset = beat.onset else { continue }
      let irAC =
        extreme(irBandPassed, around: beat.peak, h, n, max)
        - extreme(
          irBandPassed, around: onset, h, n, min)
      let redAC =
        extreme(redBandPassed, around: beat.peak, h, n, max)
        - extreme(
          redBandPassed, around: onset, h, n, min)
      guard irAC > 0, redAC > 0 else { continue }
      scratch.append((redAC / redLevel) / (irAC / irLevel))
    }
    return Statistics.median(sorting: &scratch)
  }

  private static func extreme(
    _ x: [Double], around i: Int, _ h: Int, _ n: Int, _ pick: (Double, Double) -> Double
  ) -> Double {
    var value = x[i]
    for k in max(0, i - h)...min(n - 1, i + h) { value = pick(value, x[k]) }
    return value
  }
}
