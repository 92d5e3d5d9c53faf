import Foundation
import VigilClinical
import VigilCore
import VigilInference
import VigilManifest

/// The shipped model's files and its committed fixture: the raw hourly rows of 4 test-part
/// patients of PhysioNet 2019 set A (CC BY 4.0), with the training pipeline's features, TFLM's
/// int8 input and output, at 20 of their hours (`Models/make_fixture.py`).
enum Fixture {
  static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models")

  static var manifestPath: String {
    models.appendingPathComponent("vigil-risk.manifest.json").path
  }

  /// The manifest's model file in a 16-byte-aligned buffer kept as long as its interpreter.
  final class LoadedModel {
    private let bytes: UnsafeMutableRawBufferPointer
    /// An interpreter that reads the model's weights in place.
    let interpreter: Interpreter

    init(_ manifest: RiskModelManifest) throws {
      let data = try Data(contentsOf: models.appendingPathComponent(manifest.modelFile))
      bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 16)
      data.copyBytes(to: bytes)
      do {
        interpreter = try Interpreter(model: try Model(bytes: UnsafeRawBufferPointer(bytes)))
      } catch {
        bytes.deallocate()
        throw error
      }
    }

    deinit { bytes.deallocate() }
  }

  struct Window {
    let hour: Int
    let features: [Double]
    let input: [Int8]
    let output: Int8
    let risk: Double
  }

  struct Patient {
    let name: String
    let rows: [ChartedHour]
    let windows: [Window]
  }

  struct Malformed: Error, CustomStringConvertible {
    let description: String
  }

  static func patients() throws -> [Patient] {
    let data = try Data(
      contentsOf: models.appendingPathComponent("fixtures/vigil-risk-fixture.json"))
    guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
      let patients = root["patients"] as? [[String: Any]]
    else { throw Malformed(description: "fixture has no patients") }
    return try patients.map { p in
      let name = p["patient"] as? String ?? "?"
      guard let rows = p["rows"] as? [[String: Any]], let windows = p["windows"] as? [[String: Any]]
      else { throw Malformed(description: "\(name): rows or windows missing") }
      return Patient(
        name: name, rows: try rows.map { try hour($0, patient: name) },
        windows: try windows.map { w in
          guard let hour = w["hour"] as? Int, let features = w["features"] as? [Double],
            let input = w["input_int8"] as? [Int], let output = w["output_int8"] as? Int,
            let risk = w["risk"] as? Double
          else { throw Malformed(description: "\(name): malformed window") }
          return Window(
            hour: hour, features: features, input: input.map { Int8($0) }, output: Int8(output),
            risk: risk)
        })
    }
  }

  private static func hour(_ row: [String: Any], patient: String) throws -> ChartedHour {
    func number(_ key: String) -> Double? { (row[key] as? NSNumber)?.doubleValue }
    guard let age = number("Age"), let sex = number("Gender"), let los = number("ICULOS") else {
      throw Malformed(description: "\(patient): a row lacks Age, Gender or ICULOS")
    }
    var hour = ChartedHour(age: age, sex: sex, hoursSinceAdmission: los)
    for vital in ChartedHour.vitals {
      hour[vital] = number(RiskChannel.manifestName(of: vital))
    }
    hour.fio2 = number("FiO2")
    return hour
  }
}
