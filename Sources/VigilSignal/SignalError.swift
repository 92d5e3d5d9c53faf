/// The PPG channels Vigil reads.
public enum PPGChannel: String, Hashable, Sendable {
  /// The infrared channel (or the only channel of a single-wavelength plethysmogram).
  case ir
  /// The red channel, needed for SpO2.
  case red
}

/// Why a window of samples cannot be analysed at all. (A window that can be analysed but gives
/// no trustworthy value is not an error: its ``WindowEstimate`` leaves the value empty and says
/// why in ``WindowEstimate/status``.)
public enum SignalError: Error, Hashable, Sendable {
  /// The sample rate is not a finite number of at least `minimum` Hz.
  case invalidSampleRate(Double, minimum: Double)
  /// The red channel has a different number of samples from the infrared channel.
  case channelLengthMismatch(ir: Int, red: Int)
  /// The window holds fewer samples than the analysis needs.
  case windowTooShort(samples: Int, minimum: Int)
  /// A sample is NaN or infinite.
  case nonFiniteSample(channel: PPGChannel, index: Int)
  /// A stream sample came with a red value when the stream has no red channel, or without
  /// one when it has (`expectedRed` says which); `index` counts samples from the stream's start.
  case channelMismatch(expectedRed: Bool, index: Int)
}

extension SignalError: CustomStringConvertible {
  /// A sentence naming what is wrong and where.
  public var description: String {
    switch self {
    case .invalidSampleRate(let rate, let minimum):
      return "sample rate \(rate) Hz is invalid: it must be a finite rate of at least \(minimum) Hz"
    case .channelLengthMismatch(let ir, let red):
      return "the red channel has \(red) samples but the infrared channel has \(ir)"
    case .windowTooShort(let samples, let minimum):
      return "the window has \(samples) samples; at least \(minimum) are needed"
    case .nonFiniteSample(let channel, let index):
      return "\(channel.rawValue) sample \(index) is not a finite number"
    case .channelMismatch(let expectedRed, let index):
      return expectedRed
        ? "sample \(index) has no red value but the stream has a red channel"
        : "sample \(index) has a red value but the stream has no red channel"
    }
  }
}
