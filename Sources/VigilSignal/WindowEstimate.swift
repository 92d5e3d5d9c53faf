import VigilCore

/// What one window of PPG says about the patient. A value is `nil` where it cannot be estimated
/// honestly: no SpO2 from one channel, nothing from a window the quality index rejects.
public struct WindowEstimate: Hashable, Sendable {
  /// Pulse rate from the median beat-to-beat interval of clean beats.
  public var heartRate: BeatsPerMinute?
  /// Pulse rate of the largest spectral peak of the band-passed window: an estimate independent
  /// of beat detection, reported for cross-checking.
  public var spectralHeartRate: Double?
  /// Oxygen saturation from the ratio of ratios and the configured calibration.
  public var spo2: Percent?
  /// The ratio of ratios `(AC_red/DC_red)/(AC_ir/DC_ir)` the SpO2 came from, when measured.
  public var ratioOfRatios: Double?
  /// Infrared pulsatile amplitude over mean level, percent.
  public var perfusionIndex: Percent?
  /// Signal-quality index from 0 (unusable) to 1: the fraction of the window covered by
  /// intervals between clean beats (beats that match the window's template).
  public var quality: Double
  /// Respiratory rate fused from the three respiratory-induced variations.
  public var respiratoryRate: BreathsPerMinute?
  /// The per-variation respiratory rates before fusion (breaths per minute).
  public var respiratoryComponents: RespiratoryComponents
  /// Why values are missing, or ``SignalStatus/valid``.
  public var status: SignalStatus
  /// Whether artefact beats (template mismatch, amplitude jumps) took a large part of the window.
  public var motion: Bool
  /// Beats detected in the window.
  public var beatCount: Int
  /// Beats that passed the template and amplitude checks.
  public var cleanBeatCount: Int
  /// Whether the input's pulses pointed up (after automatic detection, when configured).
  public var pulsesPointUp: Bool

  /// Creates an estimate; every value is empty and the status is `status`.
  public init(status: SignalStatus, quality: Double = 0, pulsesPointUp: Bool = true) {
    self.status = status
    self.quality = quality
    self.respiratoryComponents = RespiratoryComponents()
    self.motion = false
    self.beatCount = 0
    self.cleanBeatCount = 0
    self.pulsesPointUp = pulsesPointUp
  }
}

/// The respiratory rates behind a window's fused rate, breaths per minute: each
/// respiratory-induced variation read two ways, by its spectral peak and by counting breaths.
public struct RespiratoryComponents: Hashable, Sendable {
  /// Baseline (respiratory-induced intensity variation, RIIV), spectral peak.
  public var intensity: Double?
  /// Pulse amplitude (respiratory-induced amplitude variation, RIAV), spectral peak.
  public var amplitude: Double?
  /// Beat-to-beat interval (respiratory-induced frequency variation, RIFV), spectral peak.
  public var frequency: Double?
  /// RIIV, counted breaths.
  public var intensityCount: Double?
  /// RIAV, counted breaths.
  public var amplitudeCount: Double?
  /// RIFV, counted breaths.
  public var frequencyCount: Double?
  /// The fused rate before the quality index gates it.
  public var fused: Double?
  /// How many of the six estimates lie within the agreement limit of the fused rate.
  public var support = 0

  /// Creates components; all empty by default.
  public init() {}
}

/// The state of a window, in the order a monitor would report it.
public enum SignalStatus: Hashable, Sendable {
  /// The values present were estimated from an acceptable signal.
  case valid
  /// The infrared level is below the finger-off level: no finger in the probe.
  case fingerOff
  /// No pulsatile signal: too few beats or a perfusion index below the minimum.
  case noPulse
  /// Artefact beats took a large part of the window and the quality index rejected it.
  case motion
  /// The quality index rejected the window for another reason (noise, irregular detection).
  case lowQuality
}
