import VigilCore

/// The streaming form of ``PPGAnalyzer``: samples go in one at a time, and every `step` seconds,
/// once a full window has arrived, the latest window is analysed.
///
/// The sample rings and window copies are allocated when the stream is created and the
/// analyser's working buffers after the first window, then reused: appending a sample never
/// allocates, and an analysis allocates only a few small fixed-size arrays.
public struct PPGStream {
  /// Samples per second.
  public let sampleRate: Double
  /// Samples in one analysis window.
  public let windowLength: Int
  /// Samples between the ends of consecutive windows.
  public let stepLength: Int
  /// Whether the stream carries a red channel besides the infrared one.
  public let hasRed: Bool
  /// The analyser (its configuration may be changed between windows).
  public var analyzer: PPGAnalyzer
  /// Samples appended since the stream was created or reset.
  public private(set) var samplesReceived = 0

  private var ir: RingBuffer<Double>
  private var red: RingBuffer<Double>
  private var irWindow: [Double]
  private var redWindow: [Double]

  /// Creates a stream analysing `window`-second windows every `step` seconds.
  public init(
    sampleRate: Double, window: Double = 32, step: Double = 8, hasRed: Bool,
    configuration: PPGAnalyzerConfiguration = PPGAnalyzerConfiguration()
  ) throws(SignalError) {
    guard sampleRate.isFinite, sampleRate >= PPGAnalyzer.minimumSampleRate else {
      throw .invalidSampleRate(sampleRate, minimum: PPGAnalyzer.minimumSampleRate)
    }
    let length = Int((window * sampleRate).rounded())
    let minimum = Int((PPGAnalyzer.minimumWindow * sampleRate).rounded(.up))
    guard window.isFinite, length >= minimum else {
      throw .windowTooShort(samples: window.isFinite ? max(0, length) : 0, minimum: minimum)
    }
    self.sampleRate = sampleRate
    self.windowLength = length
    self.stepLength = step.isFinite ? max(1, Int((step * sampleRate).rounded())) : length
    self.hasRed = hasRed
    self.analyzer = PPGAnalyzer(configuration: configuration)
    ir = RingBuffer(capacity: length)
    red = RingBuffer(capacity: hasRed ? length : 1)
    irWindow = []
    irWindow.reserveCapacity(length)
    redWindow = []
    redWindow.reserveCapacity(hasRed ? length : 0)
  }

  /// Appends one sample (`red` exactly when the stream has a red channel). Returns the window's
  /// end time (seconds from the first sample) and estimate when this sample completes a step
  /// with a full window behind it, and `nil` otherwise.
  public mutating func append(ir irSample: Double, red redSample: Double? = nil)
    throws(SignalError) -> (endTime: Double, estimate: WindowEstimate)?
  {
    guard (redSample != nil) == hasRed else {
      throw .channelMismatch(expectedRed: hasRed, index: samplesReceived)
    }
    guard irSample.isFinite else { throw .nonFiniteSample(channel: .ir, index: samplesReceived) }
    if let redSample {
      guard redSample.isFinite else {
        throw .nonFiniteSample(channel: .red, index: samplesReceived)
      }
      red.append(redSample)
    }
    ir.append(irSample)
    samplesReceived += 1
    guard samplesReceived >= windowLength,
      (samplesReceived - windowLength) % stepLength == 0
    else { return nil }

    irWindow.removeAll(keepingCapacity: true)
    for i in 0..<ir.count { irWindow.append(ir[i]) }
    let estimate: WindowEstimate
    if hasRed {
      redWindow.removeAll(keepingCapacity: true)
      for i in 0..<red.count { redWindow.append(red[i]) }
      estimate = try analyzer.analyze(ir: irWindow, red: redWindow, sampleRate: sampleRate)
    } else {
      estimate = try analyzer.analyze(ir: irWindow, sampleRate: sampleRate)
    }
    return (Double(samplesReceived) / sampleRate, estimate)
  }

  /// Forgets every sample (after a probe is re-attached, say); the next estimate comes one full
  /// window later.
  public mutating func reset() {
    ir.removeAll()
    red.removeAll()
    samplesReceived = 0
  }
}
