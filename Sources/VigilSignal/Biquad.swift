/// A second-order IIR filter section (biquad) in transposed direct form II.
///
/// Coefficients follow the Audio EQ Cookbook (R. Bristow-Johnson) bilinear designs, normalised
/// so that `a0 = 1`. With `q = 1/√2` the low- and high-pass sections are second-order
/// Butterworth filters whose −3 dB point is exactly at the requested cutoff (the bilinear
/// transform is pre-warped there).
public struct Biquad: Sendable {
  /// Feed-forward coefficients.
  public let b0: Double, b1: Double, b2: Double
  /// Feedback coefficients (`a0` is 1).
  public let a1: Double, a2: Double
  private var z1 = 0.0
  private var z2 = 0.0

  /// The quality factor of a second-order Butterworth section.
  public static let butterworthQ = 0.707_106_781_186_547_6

  /// Creates a section from normalised coefficients.
  public init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
    self.b0 = b0
    self.b1 = b1
    self.b2 = b2
    self.a1 = a1
    self.a2 = a2
  }

  /// A low-pass section with its cutoff at `cutoff` Hz for samples taken at `sampleRate` Hz.
  ///
  /// The cutoff must lie strictly between 0 and half the sample rate.
  public static func lowPass(cutoff: Double, sampleRate: Double, q: Double = butterworthQ)
    -> Biquad
  {
    let (cosW, alpha) = angular(cutoff: cutoff, sampleRate: sampleRate, q: q)
    let a0 = 1 + alpha
    let b = (1 - cosW) / 2 / a0
    return Biquad(b0: b, b1: 2 * b, b2: b, a1: -2 * cosW / a0, a2: (1 - alpha) / a0)
  }

  /// A high-pass section with its cutoff at `cutoff` Hz for samples taken at `sampleRate` Hz.
  ///
  /// The cutoff must lie strictly between 0 and half the sample rate.
  public static func highPass(cutoff: Double, sampleRate: Double, q: Double = butterworthQ)
    -> Biquad
  {
    let (cosW, alpha) = angular(cutoff: cutoff, sampleRate: sampleRate, q: q)
    let a0 = 1 + alpha
    let b = (1 + cosW) / 2 / a0
    return Biquad(b0: b, b1: -2 * b, b2: b, a1: -2 * cosW / a0, a2: (1 - alpha) / a0)
  }

  private static func angular(cutoff: Double, sampleRate: Double, q: Double) -> (Double, Double) {
    let w0 = 2 * Double.pi * cutoff / sampleRate
    return (SignalMath.cos(w0), SignalMath.sin(w0) / (2 * q))
  }

  /// The gain at zero frequency, `(b0 + b1 + b2) / (1 + a1 + a2)`.
  public var dcGain: Double {
    let denominator = 1 + a1 + a2
    return denominator == 0 ? 0 : (b0 + b1 + b2) / denominator
  }

  /// Filters one sample.
  @inline(__always)
  public mutating func process(_ x: Double) -> Double {
    let y = b0 * x + z1
    z1 = b1 * x - a1 * y + z2
    z2 = b2 * x - a2 * y
    return y
  }

  /// Sets the state to what it would be after a constant input `value` forever, so that a
  /// filter started on a signal's first sample shows no step transient.
  public mutating func settle(at value: Double) {
    let y = dcGain * value
    z2 = b2 * value - a2 * y
    z1 = y - b0 * value
  }
}
