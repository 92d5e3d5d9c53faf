import Foundation
import Testing

@testable import VigilInference

/// The shipped early-deterioration model (`Models/vigil-risk.tflite`) run through Vigil on the
/// committed fixture: 20 hourly feature windows of 4 test-part patients of PhysioNet 2019 set A
/// (CC BY 4.0), with the int8 input TFLM was given and the int8 output it produced.
@Suite struct ShippedModelTests {
  static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models")

  struct Window {
    let input: [Int8]
    let output: [Int8]
  }

  static func windows() throws -> [Window] {
    let data = try Data(
      contentsOf: models.appendingPathComponent("fixtures/vigil-risk-fixture.json"))
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let patients = try #require(root["patients"] as? [[String: Any]])
    var windows: [Window] = []
    for patient in patients {
      for window in try #require(patient["windows"] as? [[String: Any]]) {
        let input = try #require(window["input_int8"] as? [Int]).map { Int8($0) }
        // A one-element output is stored as a number.
        let output =
          try (window["output_int8"] as? [Int])?.map { Int8($0) }
          ?? [Int8(try #require(window["output_int8"] as? Int))]
        windows.append(Window(input: input, output: output))
      }
    }
    return windows
  }

  @Test(arguments: KernelVariants.allCases)
  func everyFixtureWindowGivesTFLMsInt8Output(_ variants: KernelVariants) throws {
    let file = AlignedBytes(
      try Data(contentsOf: Self.models.appendingPathComponent("vigil-risk.tflite")))
    let interpreter = try variants.interpreter(file)
    let windows = try Self.windows()
    #expect(windows.count == 20)
    for (index, window) in windows.enumerated() {
      #expect(window.input.count == interpreter.inputs[0].data.count)
      window.input.withUnsafeBytes { interpreter.inputs[0].data.copyMemory(from: $0) }
      interpreter.invoke()
      let output = interpreter.outputs[0].data.map { Int8(bitPattern: $0) }
      #expect(output == window.output, "window \(index)")
    }
  }

  @Test func theModelFitsTheBoardBudgetOf64KiBAndAn16KiBArena() throws {
    let data = try Data(contentsOf: Self.models.appendingPathComponent("vigil-risk.tflite"))
    #expect(data.count <= 64 * 1024)
    let file = AlignedBytes(data)
    #expect(try Interpreter.requiredArenaBytes(for: try Model(bytes: file.bytes)) <= 16 * 1024)
  }
}
