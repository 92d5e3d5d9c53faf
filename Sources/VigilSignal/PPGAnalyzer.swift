import VigilCore

/// Turns one window of PPG (infrared, and red when there is one) into heart rate, SpO2,
/// perfusion index, a quality index and respiratory rate.
///
/// The analyser keeps its working buffers between calls: once they have grown to the window
/// length, analysing another window of the same length allocates nothing that grows with the
/// window, only a few small fixed-size arrays (filter sections, the nine respiratory estimates).
///
/// Steps: check for a finger (mean infrared level); band-pass 0.5-8 Hz (zero phase; the lower
/// edge raised to half the spectral pulse frequency) for timing and low-pass 8 Hz for levels;
/// orient the pulses upward; detect systolic peaks
/// (``BeatDetector``); delineate and template-check beats (``PulseBeat``); quality index =
/// fraction of the window covered by intervals between consecutive clean beats; heart rate =
/// 60 / median clean interval; perfusion index and ratio of ratios from clean beats' amplitudes;
/// SpO2 from ``SaturationCalibration``; respiratory rate from RIIV, RIAV and RIFV with Smart Fusion.
public struct PPGAnalyzer {
  /// The analysis settings.
  public var configuration: PPGAnalyzerConfiguration
  /// The lowest sample rate accepted, Hz.
  public static let minimumSampleRate = 20.0
  /// The shortest window accepted, seconds.
  public static let minimumWindow = 4.0

  private var ir: [Double] = []
  private var red: [Double] = []
  private var irBand: [Double] = []
  private var irDetect: [Double] = []
  private var irFeature: [Double] = []
  private var redBand: [Double] = []
  private var work: [Double] = []
  private var values: [Double] = []
  private var peaks: [Int] = []
  /// The beats of the last window analysed, in time order.
  public private(set) var beats: [PulseBeat] = []
  private var delineation = BeatDelineator.Scratch()
  private var pulse = PulseRate()
  private var respiration = RespiratoryRateEstimator.Scratch()

  /// Creates an analyser with `configuration`.
  public init(configuration: PPGAnalyzerConfiguration = PPGAnalyzerConfiguration()) {
    self.configuration = configuration
  }

  /// Analyses one window: `ir` samples (the only channel of a single-wavelength PPG) and, for
  /// SpO2, `red` samples taken at the same instants, both at `sampleRate` Hz.
  public mutating func analyze(
    ir irSamples: [Double], red redSamples: [Double]? = nil,
    sampleRate: Double
  ) throws(SignalError) -> WindowEstimate {
    guard sampleRate.isFinite, sampleRate >= Self.minimumSampleRate else {
      throw .invalidSampleRate(sampleRate, minimum: Self.minimumSampleRate)
    }
    let minimumSamples = Int((Self.minimumWindow * sampleRate).rounded(.up))
    guard irSamples.count >= minimumSamples else {
      throw .windowTooShort(samples: irSamples.count, minimum: minimumSamples)
    }
    if let redSamples, redSamples.count != irSamples.count {
      throw .channelLengthMismatch(ir: irSamples.count, red: redSamples.count)
    }
    if let i = irSamples.firstIndex(where: { !$0.isFinite }) {
      throw .nonFiniteSample(channel: .ir, index: i)
    }
    if let redSamples, let i = redSamples.firstIndex(where: { !$0.isFinite }) {
      throw .nonFiniteSample(channel: .red, index: i)
    }

    let n = irSamples.count
    let duration = Double(n) / sampleRate
    let irLevel = Statistics.mean(irSamples)
    if let level = configuration.fingerOffLevel, irLevel < level {
      beats.removeAll(keepingCapacity: true)
      return WindowEstimate(status: .fingerOff)
    }

    // Band-pass for timing and pulse shape. Its spectral pulse rate cross-checks the beats
    // later; here it also sets the detection band, whose lower edge rises to half the pulse
    // frequency (at most 1.5 Hz) so that the baseline swing of fast breathing cannot sink
    // pulses below the detector's zero line.
    let high = min(configuration.cardiacBand.upperBound, 0.4 * sampleRate)
    let low = configuration.cardiacBand.lowerBound
    let cardiac = ZeroPhaseFilter.bandPass(low: low, high: high, sampleRate: sampleRate)
    cardiac.apply(irSamples, into: &irBand, scratch: &work)
    let spectralRate = PulseRate.spectralRate(
      bandPassed: irBand, sampleRate: sampleRate, range: configuration.heartRateRange,
      decimated: &values, scratch: &work)
    let up = pulsesPointUp(irBand)
    let sign = up ? 1.0 : -1.0
    if !up { for i in 0..<n { irBand[i] = -irBand[i] } }
    if let spectralRate, spectralRate / 120 > low {
      let raised = min(spectralRate / 120, max(low, 1.5), 0.5 * high)
      ZeroPhaseFilter.bandPass(low: raised, high: high, sampleRate: sampleRate).apply(
        irSamples, into: &irDetect, scratch: &work)
      if !up { for i in 0..<n { irDetect[i] = -irDetect[i] } }
    } else {
      irDetect.removeAll(keepingCapacity: true)
      irDetect.append(contentsOf: irBand)
    }
    ir.removeAll(keepingCapacity: true)
    for v in irSamples { ir.append(sign * v) }
    ZeroPhaseFilter.lowPass(cutoff: high, sampleRate: sampleRate).apply(
      ir, into: &irFeature, scratch: &work)

    // Beats and their quality.
    configuration.beatDetector.detect(
      irDetect, sampleRate: sampleRate, into: &peaks, scratch: &work)
    let delineator = BeatDelineator(configuration: configuration)
    _ = delineator.delineate(
      peaks: peaks, bandPassed: irBand, feature: irFeature, sampleRate: sampleRate,
      into: &beats, scratch: &delineation)

    var estimate = WindowEstimate(status: .valid, pulsesPointUp: up)
    estimate.beatCount = beats.count
    estimate.cleanBeatCount = beats.lazy.filter { $0.isClean }.count
    pulse.measure(
      beats: beats, count: n, sampleRate: sampleRate, range: configuration.heartRateRange,
      scratch: &work)
    estimate.quality = pulse.quality
    estimate.motion =
      pulse.artefactFraction > configuration.motionFraction && beats.count >= 3

    // Pulsatility.
    let pi = Oximetry.perfusionIndex(
      beats: beats, feature: irFeature, level: irLevel, scratch: &work)
    if estimate.cleanBeatCount < 3 && !estimate.motion {
      estimate.status = .noPulse
      estimate.quality = 0
      return estimate
    }
    if let pi, pi < configuration.minimumPerfusionIndex {
      estimate.status = .noPulse
      estimate.quality = 0
      return estimate
    }
    estimate.spectralHeartRate = spectralRate
    guard estimate.quality >= configuration.minimumQuality, let heartRate = pulse.rate else {
      estimate.status = estimate.motion ? .motion : .lowQuality
      return estimate
    }
    if let spectral = estimate.spectralHeartRate,
      abs(spectral - heartRate) > configuration.heartRateAgreement * heartRate
    {
      // The beats and the spectrum disagree grossly (a doubled or halved count, or artefact
      // that the template check missed): neither can be trusted.
      estimate.status = .lowQuality
      return estimate
    }

    estimate.heartRate = BeatsPerMinute(heartRate)
    // A pulsatile swing that is a large part of the mean level means the input has no true DC
    // level (a rescaled or AC-coupled plethysmogram): no perfusion index or SpO2 from it.
    let levelIsReal = pi.map { $0 <= configuration.maximumPerfusionIndex } ?? false
    if levelIsReal, let pi { estimate.perfusionIndex = Percent(pi) }

    if levelIsReal, let redSamples {
      red.removeAll(keepingCapacity: true)
      for v in redSamples { red.append(sign * v) }
      cardiac.apply(red, into: &redBand, scratch: &work)
      let redLevel = Statistics.mean(redSamples)
      let agreement = Statistics.correlation(irBand[...], redBand[...])
      if agreement >= configuration.minimumChannelCorrelation,
        let r = Oximetry.ratioOfRatios(
          beats: beats, irBandPassed: irBand, redBandPassed: redBand, irLevel: irLevel,
          redLevel: redLevel, sampleRate: sampleRate, scratch: &work)
      {
        estimate.ratioOfRatios = r
        estimate.spo2 = configuration.calibration.saturation(ratio: r)
      }
    }

    estimate.respiratoryComponents = RespiratoryRateEstimator(configuration: configuration)
      .estimate(
        beats: beats, feature: irFeature, sampleRate: sampleRate, duration: duration,
        heartRate: heartRate, scratch: &respiration)
    if estimate.quality >= configuration.minimumRespiratoryQuality,
      let rr = estimate.respiratoryComponents.fused
    {
      estimate.respiratoryRate = BreathsPerMinute(rr)
    }
    return estimate
  }

  /// Whether the band-passed window's pulses point up, per the configured polarity.
  private func pulsesPointUp(_ band: [Double]) -> Bool {
    switch configuration.polarity {
    case .up: return true
    case .down: return false
    case .automatic:
      // The upstroke is steep and short, the decline slow: the first difference of an
      // upward-pointing pulse wave is positively skewed.
      var m2 = 0.0
      var m3 = 0.0
      var mean = 0.0
      let count = Double(band.count - 1)
      for i in 1..<band.count { mean += band[i] - band[i - 1] }
      mean /= count
      for i in 1..<band.count {
        let d = band[i] - band[i - 1] - mean
        m2 += d * d
        m3 += d * d * d
      }
      return m2 == 0 || m3 >= 0
    }
  }
}
