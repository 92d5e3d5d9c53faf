import ArgumentParser
import Foundation
import VigilSignal

/// `vigil signal …`: analyse recorded PPG.
struct SignalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "signal", abstract: "Analyse recorded photoplethysmograms.",
    subcommands: [SignalAnalyzeCommand.self])
}

/// `vigil signal analyze FILE --rate HZ [--window S] [--step S]`: heart rate, SpO2, perfusion
/// index, quality and respiratory rate per window of a recorded PPG, as CSV on standard output.
struct SignalAnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract:
      "Estimate heart rate, SpO2, perfusion index, quality and respiratory rate per window.",
    discussion: """
      FILE is a CSV whose header names its channels: 'ir', and 'red' when recorded (other \
      columns are ignored). The output is CSV with the header \
      time_s,hr_bpm,spo2_pct,perfusion_index,quality,rr_bpm and one row per window, where \
      time_s is the end of the window in seconds from the first sample. A field is empty where \
      the value cannot be estimated honestly: no SpO2 without a red channel, nothing the \
      quality index rejects. SpO2 uses the uncalibrated empirical curve SpO2 = 110 - 25 R.
      """)

  @Argument(help: "CSV file of samples with an 'ir' column (and 'red' for SpO2).")
  var file: String

  @Option(parsing: .unconditional, help: "Sample rate in Hz.")
  var rate: Double

  @Option(parsing: .unconditional, help: "Window length in seconds.")
  var window: Double = 32

  @Option(
    parsing: .unconditional, help: "Time between the ends of consecutive windows, in seconds.")
  var step: Double = 8

  @Option(
    help:
      "Which way pulses point: up (a monitor's plethysmogram), down (raw light intensity) or auto.")
  var polarity: PolarityOption = .auto

  @Option(help: "Mean infrared level below which the finger is out of the probe (sensor units).")
  var fingerOffLevel: Double?

  @Option(
    name: .customLong("rr-fusion"),
    help:
      "How respiratory-rate estimates are fused: consensus (default), smart (Karlen's Smart Fusion) or spectral-average."
  )
  var respiratoryFusion: FusionOption = .consensus

  @Flag(help: "Append diagnostic columns: \(AnalysisCSV.detailHeader).")
  var details = false

  func validate() throws {
    guard rate.isFinite, rate > 0 else {
      throw ValidationError("--rate must be a positive number of samples per second, got \(rate)")
    }
    guard rate >= PPGAnalyzer.minimumSampleRate else {
      throw ValidationError(
        "--rate \(rate) Hz is too low: the pulse analysis needs at least \(PPGAnalyzer.minimumSampleRate) Hz"
      )
    }
    guard window.isFinite, window >= PPGAnalyzer.minimumWindow else {
      throw ValidationError(
        "--window must be at least \(PPGAnalyzer.minimumWindow) seconds, got \(window)")
    }
    guard step.isFinite, step > 0 else {
      throw ValidationError("--step must be a positive number of seconds, got \(step)")
    }
  }

  func run() throws {
    guard FileManager.default.fileExists(atPath: file) else {
      throw SignalCommandError("cannot read \(file): no such file")
    }
    guard let data = FileManager.default.contents(atPath: file) else {
      throw SignalCommandError("cannot read \(file): permission denied or not a regular file")
    }
    let recording: PPGRecording
    do {
      recording = try PPGCSVReader.read([UInt8](data))
    } catch {
      throw SignalCommandError("\(file): \(error)")
    }
    if recording.ir.count < Int((window * rate).rounded()) {
      FileHandle.standardError.write(
        Data(
          "vigil: \(file) holds \(recording.ir.count) samples, fewer than one \(window) s window at \(rate) Hz; no rows written\n"
            .utf8))
    }

    var configuration = PPGAnalyzerConfiguration()
    configuration.polarity = polarity.polarity
    configuration.fingerOffLevel = fingerOffLevel
    configuration.respiratoryFusion = respiratoryFusion.fusion
    var analyzer = PPGAnalyzer(configuration: configuration)
    var output = AnalysisCSV.header + (details ? "," + AnalysisCSV.detailHeader : "") + "\n"
    do {
      try recording.analyzeWindows(
        sampleRate: rate, window: window, step: step, analyzer: &analyzer
      ) { time, estimate in
        output += AnalysisCSV.row(time: time, estimate, details: details) + "\n"
      }
    } catch {
      throw SignalCommandError("\(file): \(error)")
    }
    FileHandle.standardOutput.write(Data(output.utf8))
  }
}

/// The `--polarity` choices.
enum PolarityOption: String, ExpressibleByArgument, CaseIterable {
  case up, down, auto

  var polarity: PulsePolarity {
    switch self {
    case .up: return .up
    case .down: return .down
    case .auto: return .automatic
    }
  }
}

/// The `--rr-fusion` choices.
enum FusionOption: String, ExpressibleByArgument, CaseIterable {
  case consensus, smart
  case spectralAverage = "spectral-average"

  var fusion: RespiratoryFusion {
    switch self {
    case .consensus: return .consensus
    case .smart: return .smartFusion
    case .spectralAverage: return .spectralPeakAveraging
    }
  }
}

/// A failure of a `vigil signal` command, printed as its message.
struct SignalCommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
