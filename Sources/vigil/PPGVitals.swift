import VigilSensors
import VigilSignal

/// Heart rate, SpO2, perfusion index and respiratory rate from the MAX30102's red and infrared
/// PPG, through VigilSignal's streaming analyser (32 s windows, a new estimate every 2 s).
///
/// Samples the chip lost break the waveform, so the window restarts after a loss: estimates
/// never span a gap, and nothing is interpolated.
struct PPGVitals {
  /// Window length in seconds (the length the signal processing was validated with).
  static let window = 32.0
  /// Seconds between estimates.
  static let step = 2.0

  private var stream: PPGStream?
  /// The latest estimate, when a full window has been analysed since the last restart.
  private(set) var latest: WindowEstimate?
  /// Seconds of signal in the current window, until it first fills.
  private(set) var secondsBuffered = 0.0
  /// How many times a loss of samples restarted the window.
  private(set) var restarts = 0

  /// Feeds one FIFO read.
  mutating func add(_ batch: PPGBatch) {
    if stream == nil || stream?.sampleRate != batch.sampleRate {
      stream = try? PPGStream(
        sampleRate: batch.sampleRate, window: Self.window, step: Self.step, hasRed: true)
      latest = nil
    }
    guard var current = stream else { return }
    for sample in batch.samples {
      if let result = try? current.append(ir: Double(sample.infrared), red: Double(sample.red)) {
        latest = result.estimate
      }
    }
    secondsBuffered = Double(current.samplesReceived) / batch.sampleRate
    if batch.lostAfter > 0 {
      current.reset()
      latest = nil
      secondsBuffered = 0
      restarts += 1
    }
    stream = current
  }

  /// The estimate as a fragment of a status line.
  var summary: String {
    guard let estimate = latest else {
      return "PPG analysing (" + fixed(min(secondsBuffered, Self.window), 0) + "/"
        + fixed(Self.window, 0) + " s)"
    }
    func value(_ number: Double?, _ decimals: Int) -> String {
      number.map { fixed($0, decimals) } ?? "--"
    }
    var text =
      "PPG HR " + value(estimate.heartRate?.value, 0) + " SpO2 " + value(estimate.spo2?.value, 0)
      + " RR " + value(estimate.respiratoryRate?.value, 0) + " PI "
      + value(estimate.perfusionIndex?.value, 1)
      + " q " + fixed(estimate.quality, 2)
    switch estimate.status {
    case .valid: break
    case .fingerOff: text += " (finger off)"
    case .noPulse: text += " (no pulse)"
    case .motion: text += " (motion)"
    case .lowQuality: text += " (low quality)"
    }
    return text
  }
}
