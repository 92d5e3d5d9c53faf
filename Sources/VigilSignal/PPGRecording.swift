/// A recorded PPG: infrared samples and, when recorded, red samples taken at the same instants.
public struct PPGRecording: Hashable, Sendable {
  /// Infrared samples (or the only channel of a single-wavelength plethysmogram).
  public var ir: [Double]
  /// Red samples, when the recording has a red channel.
  public var red: [Double]?

  /// Creates a recording; `red`, when given, must be as long as `ir`.
  public init(ir: [Double], red: [Double]? = nil) {
    self.ir = ir
    self.red = red
  }

  /// Analyses consecutive windows of `window` seconds whose ends are `step` seconds apart,
  /// starting at the first sample, and calls `body` with each window's end time (seconds from
  /// the first sample) and estimate. A final stretch shorter than a window is not analysed.
  public func analyzeWindows(
    sampleRate: Double, window: Double, step: Double, analyzer: inout PPGAnalyzer,
    _ body: (Double, WindowEstimate) -> Void
  ) throws(SignalError) {
    let length = Int((window * sampleRate).rounded())
    let stride = max(1, Int((step * sampleRate).rounded()))
    var irWindow: [Double] = []
    irWindow.reserveCapacity(max(0, length))
    var redWindow: [Double] = []
    redWindow.reserveCapacity(red == nil ? 0 : max(0, length))
    var start = 0
    while length > 0 && start + length <= ir.count {
      irWindow.removeAll(keepingCapacity: true)
      irWindow.append(contentsOf: ir[start..<(start + length)])
      let estimate: WindowEstimate
      if let red {
        redWindow.removeAll(keepingCapacity: true)
        redWindow.append(contentsOf: red[start..<(start + length)])
        estimate = try analyzer.analyze(ir: irWindow, red: redWindow, sampleRate: sampleRate)
      } else {
        estimate = try analyzer.analyze(ir: irWindow, sampleRate: sampleRate)
      }
      body(Double(start + length) / sampleRate, estimate)
      start += stride
    }
  }
}
