import Testing
import VigilCore
import VigilSignal

/// Bad input to the analyser and the stream is refused with a typed error naming what and where.
struct AnalyzerInputTests {
  @Test func aSampleRateBelowTheMinimumIsRefused() {
    var analyzer = PPGAnalyzer()
    #expect(throws: SignalError.invalidSampleRate(10, minimum: 20)) {
      try analyzer.analyze(ir: [Double](repeating: 1, count: 1000), sampleRate: 10)
    }
    #expect(throws: SignalError.invalidSampleRate(-125, minimum: 20)) {
      try analyzer.analyze(ir: [Double](repeating: 1, count: 1000), sampleRate: -125)
    }
  }

  @Test func aWindowShorterThanFourSecondsIsRefused() {
    var analyzer = PPGAnalyzer()
    #expect(throws: SignalError.windowTooShort(samples: 300, minimum: 400)) {
      try analyzer.analyze(ir: [Double](repeating: 1, count: 300), sampleRate: 100)
    }
  }

  @Test func channelsOfDifferentLengthsAreRefused() {
    var analyzer = PPGAnalyzer()
    #expect(throws: SignalError.channelLengthMismatch(ir: 500, red: 499)) {
      try analyzer.analyze(
        ir: [Double](repeating: 1, count: 500), red: [Double](repeating: 1, count: 499),
        sampleRate: 100)
    }
  }

  @Test func aNaNSampleIsRefusedWithItsChannelAndIndex() {
    var analyzer = PPGAnalyzer()
    var red = [Double](repeating: 1, count: 500)
    red[123] = .nan
    #expect(throws: SignalError.nonFiniteSample(channel: .red, index: 123)) {
      try analyzer.analyze(ir: [Double](repeating: 1, count: 500), red: red, sampleRate: 100)
    }
  }

  @Test func theStreamGivesTheSameEstimatesAsTheWindowAnalyser() throws {
    let ppg = SyntheticPPG(sampleRate: 50, duration: 50, heartRate: 84)
    let (ir, red) = ppg.channels()
    var expected: [(Double, WindowEstimate)] = []
    var analyzer = PPGAnalyzer()
    try PPGRecording(ir: ir, red: red).analyzeWindows(
      sampleRate: 50, window: 32, step: 8, analyzer: &analyzer
    ) { expected.append(($0, $1)) }

    var stream = try PPGStream(sampleRate: 50, window: 32, step: 8, hasRed: true)
    var got: [(Double, WindowEstimate)] = []
    for k in ir.indices {
      if let out = try stream.append(ir: ir[k], red: red[k]) { got.append(out) }
    }
    #expect(got.count == expected.count && got.count == 3)
    for (a, b) in zip(got, expected) {
      #expect(a.0 == b.0)
      #expect(a.1 == b.1)
    }
    #expect(abs(try #require(got.last?.1.heartRate).value - 84) <= 1)
  }

  @Test func theStreamRefusesASampleWithoutItsRedValue() throws {
    var stream = try PPGStream(sampleRate: 50, hasRed: true)
    _ = try stream.append(ir: 1, red: 2)
    #expect(throws: SignalError.channelMismatch(expectedRed: true, index: 1)) {
      try stream.append(ir: 1)
    }
    var irOnly = try PPGStream(sampleRate: 50, hasRed: false)
    #expect(throws: SignalError.channelMismatch(expectedRed: false, index: 0)) {
      try irOnly.append(ir: 1, red: 2)
    }
    #expect(throws: SignalError.nonFiniteSample(channel: .ir, index: 0)) {
      try irOnly.append(ir: .infinity)
    }
  }

  @Test func aResetStreamWaitsForAFullWindowAgain() throws {
    let ppg = SyntheticPPG(sampleRate: 50, duration: 40)
    let (ir, _) = ppg.channels()
    var stream = try PPGStream(sampleRate: 50, window: 32, step: 8, hasRed: false)
    var outputs = 0
    for v in ir.prefix(1700) { if try stream.append(ir: v) != nil { outputs += 1 } }
    #expect(outputs == 1)
    stream.reset()
    outputs = 0
    for v in ir.prefix(1599) { if try stream.append(ir: v) != nil { outputs += 1 } }
    #expect(outputs == 0)
    _ = try stream.append(ir: ir[1599]).map { _ in outputs += 1 }
    #expect(outputs == 1)
  }
}
