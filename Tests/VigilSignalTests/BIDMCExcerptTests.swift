import Foundation
import Testing
import VigilCore
import VigilSignal

/// Real ICU recordings: 40 s excerpts of BIDMC records (see Fixtures/README.md) analysed in
/// 32 s windows every 8 s, against the monitor's pulse rate and the hand-annotated breaths.
struct BIDMCExcerptTests {
  struct Reference {
    let record: String
    let windowEnd: Double
    let pulse: Double
    let respiratoryRate: Double
  }

  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static func references() throws -> [Reference] {
    let text = try String(
      contentsOf: fixtures.appendingPathComponent("references.csv"), encoding: .utf8)
    return text.split(separator: "\n").dropFirst().map { line in
      let f = line.split(separator: ",").map(String.init)
      return Reference(
        record: f[0], windowEnd: Double(f[1])!, pulse: Double(f[2])!,
        respiratoryRate: Double(f[3])!)
    }
  }

  static func estimates(_ record: String) throws -> [(Double, WindowEstimate)] {
    let data = try Data(contentsOf: fixtures.appendingPathComponent("\(record)_excerpt.csv"))
    let recording = try PPGCSVReader.read([UInt8](data))
    #expect(recording.ir.count == 5000 && recording.red == nil)
    var analyzer = PPGAnalyzer()
    var out: [(Double, WindowEstimate)] = []
    try recording.analyzeWindows(sampleRate: 125, window: 32, step: 8, analyzer: &analyzer) {
      out.append(($0, $1))
    }
    return out
  }

  @Test(arguments: ["bidmc_01", "bidmc_08", "bidmc_16"])
  func pulseAndRespiratoryRateMatchTheMonitorAndTheAnnotators(record: String) throws {
    let references = try Self.references().filter { $0.record == record }
    let estimates = try Self.estimates(record)
    #expect(estimates.map(\.0) == references.map(\.windowEnd))
    for (reference, (_, e)) in zip(references, estimates) {
      #expect(e.status == .valid)
      #expect(e.pulsesPointUp, "a monitor's plethysmogram points up")
      let hr = try #require(e.heartRate).value
      #expect(abs(hr - reference.pulse) <= 1.5, "\(record): \(hr) vs PULSE \(reference.pulse)")
      let rr = try #require(e.respiratoryRate).value
      #expect(
        abs(rr - reference.respiratoryRate) <= 2.5,
        "\(record): \(rr) vs annotated \(reference.respiratoryRate)")
      #expect(e.spo2 == nil, "one wavelength: no SpO2")
      #expect(e.quality > 0.7)
    }
  }
}
