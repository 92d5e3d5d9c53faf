import Foundation
import VigilInference

/// Runs a fixture model from `Tests/VigilInferenceTests/Fixtures/<op>/` in Vigil and compares
/// every invocation with TensorFlow Lite Micro's recorded output, byte for byte.
///
/// A fixture is `<name>.tflite`, `<name>.input.bin` (input tensor 0's raw bytes, one
/// invocation after another) and `<name>.output.bin` (TFLM's output tensor 0 for each), made by
/// `Tools/fixtures/*.py`.
enum GoldenRunner {
  /// The outcome of running every invocation of one fixture.
  struct Result {
    /// Invocations run.
    var invocations = 0
    /// Output bytes compared.
    var comparedBytes = 0
    /// Output bytes that differ from TFLM's.
    var mismatchedBytes = 0
    /// The first difference, for the failure message.
    var firstMismatch = ""
    /// The builtin operators the model contains.
    var operators: [BuiltinOperator] = []
  }

  /// The fixture directory of operator directory `op`.
  static func directory(_ op: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures").appendingPathComponent(op)
  }

  /// Loads and runs fixture `name` of operator directory `op`.
  static func run(_ op: String, _ name: String) throws -> Result {
    let base = directory(op).appendingPathComponent(name)
    let modelBytes = try Data(contentsOf: base.appendingPathExtension("tflite"))
    let input = [UInt8](try Data(contentsOf: base.appendingPathExtension("input.bin")))
    let expected = [UInt8](try Data(contentsOf: base.appendingPathExtension("output.bin")))
    return try modelBytes.withUnsafeBytes { bytes in
      let model = try Model(bytes: bytes)
      let interpreter = try Interpreter(model: model)
      var result = Result()
      result.operators = model.operators.map(\.op)
      let inputSize = interpreter.inputs[0].data.count
      let outputSize = interpreter.outputs[0].data.count
      guard inputSize > 0, input.count % inputSize == 0,
        expected.count == input.count / inputSize * outputSize
      else {
        throw FixtureError(
          "\(name): \(input.count) input bytes and \(expected.count) output bytes do not fit tensors of \(inputSize) and \(outputSize) bytes"
        )
      }
      for k in 0..<(input.count / inputSize) {
        input.withUnsafeBytes { source in
          interpreter.inputs[0].data.copyMemory(
            from: UnsafeRawBufferPointer(rebasing: source[(k * inputSize)..<((k + 1) * inputSize)]))
        }
        interpreter.invoke()
        let produced = interpreter.outputs[0].data
        for i in 0..<outputSize where produced[i] != expected[k * outputSize + i] {
          if result.mismatchedBytes == 0 {
            result.firstMismatch =
              "\(name): invocation \(k), output byte \(i): Vigil \(Int8(bitPattern: produced[i])), TFLM \(Int8(bitPattern: expected[k * outputSize + i]))"
          }
          result.mismatchedBytes += 1
        }
        result.comparedBytes += outputSize
        result.invocations += 1
      }
      return result
    }
  }

  /// The error Vigil gives when loading or preparing fixture model `name` (an `invalid_*`
  /// model), or `nil` when it loads and prepares.
  static func preparationError(_ op: String, _ name: String) throws -> ModelError? {
    let data = try Data(
      contentsOf: directory(op).appendingPathComponent(name).appendingPathExtension("tflite"))
    return data.withUnsafeBytes { bytes -> ModelError? in
      do throws(ModelError) {
        _ = try Interpreter(model: try Model(bytes: bytes))
        return nil
      } catch {
        return error
      }
    }
  }

  /// The verified model of fixture `name`, for tests that inspect its plan; `body` runs while
  /// the file's bytes are alive.
  static func withModel<R>(_ op: String, _ name: String, _ body: (Model) throws -> R) throws -> R {
    let data = try Data(
      contentsOf: directory(op).appendingPathComponent(name).appendingPathExtension("tflite"))
    return try data.withUnsafeBytes { bytes in try body(try Model(bytes: bytes)) }
  }

  /// A fixture file that does not have the layout its name promises.
  struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }
}
