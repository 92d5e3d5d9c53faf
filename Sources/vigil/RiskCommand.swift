import ArgumentParser
import Foundation
import MallocInterposerSwift
import VigilClinical
import VigilCore
import VigilInference
import VigilManifest

/// `vigil risk …`: the deterioration-risk pipeline on recorded hourly vitals.
struct RiskCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "risk", abstract: "Run the deterioration-risk pipeline on recorded vitals.",
    subcommands: [RiskReplayCommand.self])
}

/// `vigil risk replay FILE...`: each hour of recorded stays through the manifest's input contract,
/// the model and the alarm policy, as CSV on standard output.
struct RiskReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Assess every hour of recorded ICU stays as the monitor would.",
    discussion: """
      Each FILE holds one row per ICU hour, oldest first, with a header naming its columns \
      (separated by '|' as PhysioNet's .psv files, or by ','): HR, O2Sat, Temp, SBP, MAP, DBP, \
      Resp, FiO2, Age, Gender and ICULOS; a value not measured in the hour is NaN or empty. \
      Other columns are ignored. A 'patient' column, when present, separates stays (each new \
      value starts one); without it a file is one stay, named after the file (p000001.psv: \
      p000001), so a folder of PhysioNet files replays as `vigil risk replay DIR/*.psv`.

      The model file named by the manifest is read from the manifest's folder and refused \
      unless its size and SHA-256 are the manifest's.

      Output: CSV with the header \(RiskReplayCommand.header), one row per hour. basis is \
      'model' within the validated range of hours since admission and 'news2' beyond it, where \
      the alarm follows NEWS2 of the latest values. alarm is 1 in an hour where the alarm \
      condition holds; fires is 1 where an alarm fires (with --hold-off, at most every \
      hold-off hours while the condition lasts).
      """)

  static let header =
    "patient,hour,hours_since_admission,q,risk,news2,news2_latest,basis,alarm,fires"

  @Argument(help: "CSV or PSV files of hourly vitals.")
  var files: [String]

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one file of hourly vitals") }
  }

  @Option(help: "The model's manifest.")
  var manifest = "Models/vigil-risk.manifest.json"

  @Flag(help: "Use the manifest's alarm rule with a hold-off instead of the plain threshold.")
  var holdOff = false

  @Option(help: "Also write each hour's int8 model output, one byte per hour, to this file.")
  var outputQ: String?

  @Flag(
    help: """
      Count the heap allocations of the hourly assessments (features, model, alarm rule) and       report them on standard error; the first hour, which builds shared tables, is not counted.
      """)
  var countAllocations = false

  func run() throws {
    try reportingErrors {
      let manifest: RiskModelManifest
      do throws(ManifestError) {
        manifest = try RiskModelManifest(contentsOf: self.manifest)
      } catch {
        if case .unreadable = error { throw CLIError("manifest: \(error)") }
        throw CLIError("manifest '\(self.manifest)': \(error)")
      }
      let modelPath = URL(fileURLWithPath: self.manifest).deletingLastPathComponent()
        .appendingPathComponent(manifest.modelFile).path
      let model = try ModelFile(path: modelPath)
      guard model.sha256 == manifest.modelSHA256 else {
        throw CLIError(
          "'\(modelPath)' is not the manifest's model: SHA-256 \(model.sha256), the manifest "
            + "names \(manifest.modelSHA256)")
      }
      let interpreter: Interpreter
      do { interpreter = try Interpreter(model: try model.model()) } catch let error as CLIError {
        throw error
      } catch { throw CLIError("'\(modelPath)': \(error)") }
      let policy = RiskAlarmPolicy(
        validatedHoursMax: manifest.validatedHoursMax,
        fallbackNEWS2AtLeast: manifest.fallbackNEWS2AtLeast,
        thresholdQ: holdOff
          ? manifest.validatedAlarmRuleThresholdQ : manifest.validatedAlarmThresholdQ,
        holdOffHours: holdOff ? manifest.holdOffHours : nil)

      if countAllocations { MallocInterposerSwift.initialize() }
      var out = FileHandleOutput()
      out.write(Self.header + "\n")
      var outputs: [UInt8] = []
      var monitor: RiskMonitor? = nil
      var patients = 0
      var alarmHours = 0
      var fallbackHours = 0
      for file in files {
        let table = try HourlyTable(path: file)
        let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var currentPatient: String? = nil
        for (line, patientColumn, hour) in try table.rows() {
          let patient = patientColumn ?? stem
          if patient != currentPatient {
            do {
              monitor = try RiskMonitor(
                contract: manifest.input, outputQuantization: manifest.outputQuantization,
                policy: policy, interpreter: interpreter)
            } catch { throw CLIError("'\(modelPath)' does not fit its manifest: \(error)") }
            currentPatient = patient
            patients += 1
            if patients % 1000 == 0 {
              FileHandle.standardError.write(Data("replayed \(patients) stays\n".utf8))
            }
          }
          let a: RiskAssessment
          let counting = countAllocations && !outputs.isEmpty
          do {
            if counting { MallocInterposerSwift.hook() }
            defer { if counting { MallocInterposerSwift.unhook() } }
            a = try monitor!.append(hour)
          } catch {
            throw CLIError("'\(file)' line \(line): \(error)")
          }
          if a.alarmCondition { alarmHours += 1 }
          if a.basis == .news2Fallback { fallbackHours += 1 }
          outputs.append(UInt8(bitPattern: a.outputQ))
          out.write(
            "\(patient),\(a.hour),\(Self.number(a.hoursSinceAdmission)),\(a.outputQ),"
              + "\(String(format: "%.4f", a.risk)),\(a.news2),\(a.news2FromLatestValues),"
              + "\(a.basis == .model ? "model" : "news2"),\(a.alarmCondition ? 1 : 0),"
              + "\(a.alarmFires ? 1 : 0)\n")
        }
      }
      out.flush()
      if let outputQ {
        do { try Data(outputs).write(to: URL(fileURLWithPath: outputQ)) } catch {
          throw CLIError("cannot write '\(outputQ)': \(ModelFile.reason(error))")
        }
      }
      FileHandle.standardError.write(
        Data(
          ("replayed \(patients) stays, \(outputs.count) hours: alarm condition in \(alarmHours) "
            + "hours; \(fallbackHours) hours beyond the validated range "
            + "(\(Self.number(manifest.validatedHoursMax)) h) used NEWS2 ≥ "
            + "\(manifest.fallbackNEWS2AtLeast)\n").utf8))
      if countAllocations {
        let stats = MallocInterposerSwift.getStatistics()
        FileHandle.standardError.write(
          Data(
            ("heap allocations in the hourly assessments: \(stats.mallocCount) in "
              + "\(max(outputs.count - 1, 0)) hours\n").utf8))
      }
    }
  }

  static func number(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
  }
}

/// Standard output written in large blocks.
struct FileHandleOutput {
  private var buffer = ""

  mutating func write(_ text: String) {
    buffer += text
    if buffer.utf8.count >= 1 << 16 { flush() }
  }

  mutating func flush() {
    FileHandle.standardOutput.write(Data(buffer.utf8))
    buffer = ""
  }
}

/// A table of hourly vitals in PhysioNet's column names.
struct HourlyTable {
  let path: String
  /// The non-empty lines with their 1-based line numbers in the file.
  private let lines: [(number: Int, text: Substring)]
  private let separator: Character

  init(path: String) throws(CLIError) {
    self.path = path
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw CLIError("cannot read '\(path)': \(ModelFile.reason(error))")
    }
    lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
      .enumerated().filter { !$0.element.allSatisfy(\.isWhitespace) }
      .map { (number: $0.offset + 1, text: $0.element) }
    guard let header = lines.first?.text else { throw CLIError("'\(path)' is empty") }
    separator = header.contains("|") ? "|" : ","
  }

  /// Every data row: its line number (1-based), its patient (when the table has the column),
  /// and the hour.
  func rows() throws(CLIError) -> [(Int, String?, ChartedHour)] {
    let names = lines[0].text.split(separator: separator, omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    func column(_ name: String) throws(CLIError) -> Int {
      guard let i = names.firstIndex(of: name) else {
        throw CLIError(
          "'\(path)' has no column '\(name)' (its header: \(names.joined(separator: ",")))")
      }
      return i
    }
    let vitalColumns = try ChartedHour.vitals.map { vital throws(CLIError) in
      (vital, try column(RiskChannel.manifestName(of: vital)))
    }
    let fio2 = try column("FiO2")
    let age = try column("Age")
    let sex = try column("Gender")
    let los = try column("ICULOS")
    let patient = names.firstIndex(of: "patient")
    var rows: [(Int, String?, ChartedHour)] = []
    rows.reserveCapacity(lines.count - 1)
    for (lineNumber, line) in lines.dropFirst() {
      let fields = line.split(separator: separator, omittingEmptySubsequences: false)
      guard fields.count == names.count else {
        throw CLIError(
          "'\(path)' line \(lineNumber): \(fields.count) fields, the header has \(names.count)")
      }
      func value(_ i: Int) throws(CLIError) -> Double? {
        let text = fields[i].trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text == "NaN" { return nil }
        guard let x = Double(text), x.isFinite else {
          throw CLIError(
            "'\(path)' line \(lineNumber) column \(names[i]): '\(text)' is not a number")
        }
        return x
      }
      func required(_ i: Int) throws(CLIError) -> Double {
        guard let x = try value(i) else {
          throw CLIError("'\(path)' line \(lineNumber) column \(names[i]): a value is required")
        }
        return x
      }
      var hour = ChartedHour(
        age: try required(age), sex: try required(sex), hoursSinceAdmission: try required(los))
      for (vital, i) in vitalColumns { hour[vital] = try value(i) }
      hour.fio2 = try value(fio2)
      rows.append((lineNumber, patient.map { String(fields[$0]) }, hour))
    }
    return rows
  }
}
