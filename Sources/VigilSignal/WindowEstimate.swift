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

/// One respiratory-induced variation read three ways, breaths per minute.
public struct RespiratoryReading: Hashable, Sendable {
  /// The largest peak of the variation's periodogram.
  public var spectralPeak: Double?
  /// Counted breaths, "count-orig" (Schäfer and Kratky 2008).
  public var countOriginal: Double?
  /// Counted breaths, "count-adv" (Schäfer and Kratky 2008).
  public var countAdvanced: Double?

  /// Creates a reading; all empty by default.
  public init(
    spectralPeak: Double? = nil, countOriginal: Double? = nil, countAdvanced: Double? = nil
  ) {
    self.spectralPeak = spectralPeak
    self.countOriginal = countOriginal
    self.countAdvanced = countAdvanced
  }

  /// The three rates, in the order spectral peak, count-orig, count-adv.
  public var all: [Double?] { [spectralPeak, countOriginal, countAdvanced] }
}

/// The respiratory rates behind a window's fused rate.
public struct RespiratoryComponents: Hashable, Sendable {
  /// Baseline (respiratory-induced intensity variation, RIIV).
  public var intensity = RespiratoryReading()
  /// Pulse amplitude (respiratory-induced amplitude variation, RIAV).
  public var amplitude = RespiratoryReading()
  /// Beat-to-beat interval (respiratory-induced frequency variation, RIFV).
  public var frequency = RespiratoryReading()
  /// The fused rate before the quality index gates it.
  public var fused: Double?
  /// How many of the nine estimates lie within the agreement limit of the fused rate.
  public var support = 0

  /// Creates components; all empty by default.
  public init() {}

  /// The three readings, in the order intensity, amplitude, frequency.
  public var readings: [RespiratoryReading] { [intensity, amplitude, frequency] }
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
