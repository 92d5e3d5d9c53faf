/// Settings of the PPG window analysis. The defaults are published values where one exists
/// (cited at each setting) and physiological limits otherwise; docs/signal-validation.md
/// records how they perform on real recordings.
public struct PPGAnalyzerConfiguration: Sendable {
  /// The cardiac band-pass, Hz (Elgendi 2013: 0.5-8 Hz). The upper edge is lowered to 0.4 of
  /// the sample rate for slow sensors.
  public var cardiacBand: ClosedRange<Double> = 0.5...8
  /// Which way the pulses point in the input.
  public var polarity: PulsePolarity = .automatic
  /// The systolic-peak detector.
  public var beatDetector = BeatDetector()

  /// A mean infrared level below which no finger is in the probe (sensor units; `nil` leaves
  /// the DC check off, as for a plethysmogram rescaled by a monitor). For a MAX30102 with 18-bit
  /// samples a finger typically gives well over 50,000 counts and an empty probe a few thousand.
  public var fingerOffLevel: Double? = nil
  /// Perfusion index (percent) below which the window is taken to have no pulsatile signal.
  /// The lowest PI that commercial oximeters still read is about 0.02 %.
  public var minimumPerfusionIndex = 0.02
  /// Perfusion index (percent) above which the input is taken to have no true DC level (a
  /// plethysmogram rescaled by a monitor, or an AC-coupled signal): perfusion index and SpO2 are
  /// then left empty. Finger perfusion indices run from about 0.02 % to 20 %.
  public var maximumPerfusionIndex = 30.0

  /// Correlation with the window's beat template below which a beat is an artefact. Orphanidou
  /// et al. (IEEE JBHI 19(3), 2015) accept a PPG segment when its mean beat-to-template
  /// correlation is at least 0.86.
  public var beatCorrelationThreshold = 0.86
  /// A beat whose amplitude differs from the window's median amplitude by more than this factor
  /// (either way) is an artefact.
  public var beatAmplitudeFactor = 3.0
  /// The plausible heart rates, beats per minute; an interval outside them is not a beat-to-beat
  /// interval (25-240 bpm spans profound bradycardia to neonatal tachycardia).
  public var heartRateRange: ClosedRange<Double> = 25...240

  /// How far (as a fraction of the beat-to-beat rate) the spectral pulse rate may differ from
  /// the beat-to-beat rate before the window is rejected. A doubled or halved beat count
  /// differs by 50-100 %; an irregular rhythm's broad spectrum can put its peak 10-15 % from the
  /// mean rate, which must not be rejected.
  public var heartRateAgreement = 0.2
  /// The quality index (fraction of the window covered by clean beats) below which no heart
  /// rate, SpO2 or perfusion index is reported.
  public var minimumQuality = 0.5
  /// The quality index below which no respiratory rate is reported.
  public var minimumRespiratoryQuality = 0.7
  /// The fraction of the window taken by artefact beats above which motion is reported.
  public var motionFraction = 0.2

  /// The respiratory rates searched, breaths per minute.
  public var respiratoryRange: ClosedRange<Double> = 4...60
  /// How the respiratory-induced variations are fused into one respiratory rate.
  public var respiratoryFusion: RespiratoryFusion = .consensus
  /// How far apart two respiratory rates may be and still agree, breaths per minute. Karlen et
  /// al. (IEEE TBME 60(7), 2013) reject a window when the standard deviation of their three
  /// estimates exceeds 4 breaths/min; the same 4 is the agreement limit of ``RespiratoryFusion/consensus``
  /// and the standard-deviation limit of ``RespiratoryFusion/smartFusion``.
  public var respiratoryAgreement = 4.0
  /// How many of the nine estimates (three variations, each by spectral peak and two ways of
  /// counting breaths) must agree for ``RespiratoryFusion/consensus`` to report a rate.
  public var respiratoryMinimumSupport = 3

  /// The calibration from ratio of ratios to SpO2.
  public var calibration = SaturationCalibration.empiricalLinear
  /// The red and infrared pulsatile waveforms must correlate at least this well for a ratio
  /// of ratios to mean anything.
  public var minimumChannelCorrelation = 0.8

  /// Creates the default configuration.
  public init() {}
}

/// How the respiratory rates of the three respiratory-induced variations become one.
public enum RespiratoryFusion: Hashable, Sendable {
  /// Each variation is read three ways, by its spectral peak and by counting breaths in two ways
  /// (Schäfer and Kratky 2008, "count-orig" and "count-adv"); the spectral rate that the most of
  /// these nine estimates
  /// agree with (within ``PPGAnalyzerConfiguration/respiratoryAgreement``; ties go to the more
  /// concentrated spectra) is reported when at least
  /// ``PPGAnalyzerConfiguration/respiratoryMinimumSupport`` estimates agree. Agreement between
  /// independent estimators is the quality check, in the spirit of Smart Fusion and of the
  /// respiratory quality indices of Birrenkott et al. (IEEE TBME 65(9), 2018).
  case consensus
  /// Smart Fusion (Karlen et al. 2013): the mean of the rates when their standard deviation is
  /// within ``PPGAnalyzerConfiguration/respiratoryAgreement``, else no rate.
  case smartFusion
  /// Spectral peak-conditioned averaging (Lázaro 2015; Charlton et al. 2016): average the
  /// normalised spectra of the variations whose power is concentrated at their peak, and take
  /// the largest peak of the average; no rate when no spectrum is concentrated enough.
  case spectralPeakAveraging
}
