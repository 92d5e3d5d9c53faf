/// A cascade of biquads run forwards and then backwards over a whole window, so the output has
/// no phase delay (the squared magnitude response of the cascade) — beat times and respiratory
/// features stay where they are in the raw signal.
///
/// Edges are handled as `scipy.signal.filtfilt` does: the window is extended at each end by an
/// odd reflection about its end sample, and each pass starts from the steady state for its first
/// input, so a window's first and last seconds are usable.
public struct ZeroPhaseFilter: Sendable {
  /// The sections, applied in order.
  public let sections: [Biquad]
  /// How many samples of odd reflection are added at each end (at most the window length − 1).
  public let padding: Int

  /// Creates a filter from sections and a reflection length in samples.
  public init(sections: [Biquad], padding: Int) {
    self.sections = sections
    self.padding = max(0, padding)
  }

  /// A Butterworth band-pass (second-order high-pass then second-order low-pass; fourth order
  /// in effect after the two passes) between `low` and `high` Hz, padded by three periods of
  /// the low cutoff.
  public static func bandPass(low: Double, high: Double, sampleRate: Double) -> ZeroPhaseFilter {
    ZeroPhaseFilter(
      sections: [
        .highPass(cutoff: low, sampleRate: sampleRate),
        .lowPass(cutoff: high, sampleRate: sampleRate),
      ],
      padding: Int(3 * sampleRate / low))
  }

  /// A second-order Butterworth low-pass at `cutoff` Hz, padded by three periods of the cutoff
  /// (at least one second).
  public static func lowPass(cutoff: Double, sampleRate: Double) -> ZeroPhaseFilter {
    ZeroPhaseFilter(
      sections: [.lowPass(cutoff: cutoff, sampleRate: sampleRate)],
      padding: Int(sampleRate * max(1, 3 / cutoff)))
  }

  /// Filters `input` into `output` (resized to match), using `scratch` as working storage.
  /// Neither buffer allocates once its capacity has grown to the padded length.
  public func apply(_ input: [Double], into output: inout [Double], scratch: inout [Double]) {
    let n = input.count
    output.removeAll(keepingCapacity: true)
    guard n > 0 else { return }
    let pad = min(padding, n - 1)
    scratch.removeAll(keepingCapacity: true)
    let first = input[0]
    let last = input[n - 1]
    for i in stride(from: pad, through: 1, by: -1) { scratch.append(2 * first - input[i]) }
    scratch.append(contentsOf: input)
    for i in 0..<pad { scratch.append(2 * last - input[n - 2 - i]) }

    for var section in sections {
      section.settle(at: scratch[0])
      for i in 0..<scratch.count { scratch[i] = section.process(scratch[i]) }
    }
    for var section in sections {
      section.settle(at: scratch[scratch.count - 1])
      for i in stride(from: scratch.count - 1, through: 0, by: -1) {
        scratch[i] = section.process(scratch[i])
      }
    }
    output.append(contentsOf: scratch[pad..<(pad + n)])
  }
}
