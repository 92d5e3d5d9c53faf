import Foundation

@testable import VigilInference

/// The conformance model set: int8 .tflite models made by TensorFlow's converter with
/// TensorFlow Lite Micro's outputs recorded for each input (Tools/conformance/generate.py).
enum Conformance {
  /// One model of the set, as `manifest.json` describes it.
  struct Entry: Decodable, CustomStringConvertible, Sendable {
    let name: String
    let ops: [String]
    let inputType: String
    let inputShape: [Int]
    let outputType: String
    let outputShape: [Int]
    let invocations: Int
    let macs: Int
    let tflmArenaBytes: Int
    var description: String { name }
  }

  private struct Manifest: Decodable { let models: [Entry] }

  /// `Tests/VigilInferenceTests/Conformance`.
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Conformance")

  /// Every model in the manifest (empty when the set is absent, which the tests report).
  static let entries: [Entry] = {
    guard let data = try? Data(contentsOf: directory.appendingPathComponent("manifest.json")),
      let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
    else { return [] }
    return manifest.models
  }()

  /// Models whose operator list contains `op`.
  static func entries(using op: String) -> [Entry] { entries.filter { $0.ops.contains(op) } }

  /// Reads `name` + `suffix` from the set.
  static func file(_ name: String, _ suffix: String) throws -> Data {
    try Data(contentsOf: directory.appendingPathComponent(name + suffix))
  }
}

/// A model file held in 16-byte-aligned memory for the lifetime of the test.
final class AlignedBytes {
  let mutableBytes: UnsafeMutableRawBufferPointer
  var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(mutableBytes) }

  init(_ data: Data) {
    let buffer = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(data.count, 1), alignment: 16)
    _ = data.copyBytes(to: buffer)
    mutableBytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<data.count])
  }

  convenience init(_ bytes: [UInt8]) { self.init(Data(bytes)) }

  deinit { mutableBytes.deallocate() }
}

/// The outcome of running a conformance model against its TFLM goldens.
struct GoldenComparison {
  /// Invocations run.
  var invocations = 0
  /// Output bytes compared.
  var bytes = 0
  /// Output bytes that differ from TFLM's.
  var mismatchedBytes = 0
  /// The first differing invocation and byte, for the failure message.
  var firstMismatch: (invocation: Int, byte: Int, expected: UInt8, actual: UInt8)?
  /// The interpreter's planned arena.
  var arenaBytes = 0
}

/// The ways a model can be prepared; each must give TFLM's results.
enum KernelVariants: String, CaseIterable, Sendable {
  /// Read-only model bytes: portable kernels (dot-product CONV_2D).
  case readOnly
  /// Exclusive model bytes with the x86-64 CONV_2D variants (weights rearranged in place): the
  /// planar one on few channels, the outer product elsewhere.
  case rearranged
  /// Exclusive model bytes with the planar CONV_2D off: the outer product on every
  /// convolution it takes.
  case outerProduct
  /// Read-only model bytes with the per-pixel DEPTHWISE_CONV_2D, AVERAGE_POOL_2D and MAX_POOL_2D
  /// kernels instead of the pixel-block ones (``KernelPreferences/pixelBlocks`` off).
  case perPixel

  /// An interpreter for model `file` prepared this way.
  func interpreter(_ file: AlignedBytes) throws -> Interpreter {
    switch self {
    case .readOnly:
      return try Interpreter(model: try Model(bytes: file.bytes))
    case .rearranged:
      return try Interpreter(
        model: try Model(exclusiveBytes: file.mutableBytes),
        preferences: KernelPreferences(outerProductConvolution: true))
    case .outerProduct:
      var preferences = KernelPreferences(outerProductConvolution: true)
      preferences.planarConvolution = false
      return try Interpreter(
        model: try Model(exclusiveBytes: file.mutableBytes), preferences: preferences)
    case .perPixel:
      var preferences = KernelPreferences.platformDefault
      preferences.pixelBlocks = false
      return try Interpreter(model: try Model(bytes: file.bytes), preferences: preferences)
    }
  }
}

/// Runs conformance model `name` on every recorded input and compares each output byte with
/// TFLM's.
func compareWithGoldens(_ name: String, variants: KernelVariants = .readOnly) throws
  -> GoldenComparison
{
  let file = AlignedBytes(try Conformance.file(name, ".tflite"))
  let inputs = try Conformance.file(name, ".input.bin")
  let expected = try Conformance.file(name, ".output.bin")
  let interpreter = try variants.interpreter(file)
  let input = interpreter.inputs[0].data
  let output = interpreter.outputs[0].data
  var result = GoldenComparison(arenaBytes: interpreter.arenaBytes)
  let count = inputs.count / input.count
  precondition(
    inputs.count % input.count == 0 && expected.count == count * output.count,
    "golden sizes for \(name)")
  inputs.withUnsafeBytes { inputBytes in
    expected.withUnsafeBytes { expectedBytes in
      for invocation in 0..<count {
        input.copyMemory(
          from: UnsafeRawBufferPointer(
            rebasing: inputBytes[(invocation * input.count)..<((invocation + 1) * input.count)]))
        interpreter.invoke()
        for byte in 0..<output.count {
          let want = expectedBytes[invocation * output.count + byte]
          if output[byte] != want {
            result.mismatchedBytes += 1
            if result.firstMismatch == nil {
              result.firstMismatch = (invocation, byte, want, output[byte])
            }
          }
        }
        result.invocations += 1
        result.bytes += output.count
      }
    }
  }
  return result
}
