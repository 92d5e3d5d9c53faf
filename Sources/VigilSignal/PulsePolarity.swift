/// Which way the pulses point in the recorded signal.
///
/// A monitor's plethysmogram is drawn with each pulse rising (more blood, up), but a photodiode
/// sensor such as the MAX30102 reports received light, which falls as blood volume rises, so its
/// raw pulses point down. The analysis needs pulses pointing up.
public enum PulsePolarity: Hashable, Sendable {
  /// Pulses rise with blood volume (a monitor's plethysmogram).
  case up
  /// Pulses fall with blood volume (raw light intensity from a photodiode).
  case down
  /// Decide per window from the waveform: the systolic upstroke is steeper and shorter than the
  /// diastolic decline, so the first difference of an upward-pointing PPG is positively skewed.
  case automatic
}
