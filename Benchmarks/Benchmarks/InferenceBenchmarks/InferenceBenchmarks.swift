import Benchmark
import Foundation
import VigilInference

/// One benchmark per conformance model: latency of `Interpreter.invoke()` on a fixed random input,
/// with heap allocations counted by the malloc interposer (the target is zero).
///
/// Models are read from Tests/VigilInferenceTests/Conformance (or $VIGIL_CONFORMANCE_DIR).
let benchmarks: @Sendable () -> Void = {
  let directory =
    ProcessInfo.processInfo.environment["VIGIL_CONFORMANCE_DIR"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Tests/VigilInferenceTests/Conformance").path
  let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
    .filter { $0.hasSuffix(".tflite") }.map { String($0.dropLast(7)) }.sorted()
  if names.isEmpty {
    print("InferenceBenchmarks: no .tflite models in \(directory)")
  }
  let filter = ProcessInfo.processInfo.environment["VIGIL_BENCH_MODELS"]?.split(separator: ",").map(
    String.init)

  // Each sample times 1,000 invocations and is reported per invocation (scaling factor), so
  // timer resolution does not swamp sub-microsecond models.
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .mallocCountTotal],
    timeUnits: .nanoseconds,
    warmupIterations: 10,
    scalingFactor: .kilo,
    maxDuration: .seconds(1),
    maxIterations: 100_000
  )

  for name in names where filter == nil || filter!.contains(name) {
    guard let data = FileManager.default.contents(atPath: "\(directory)/\(name).tflite") else {
      continue
    }
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 16)
    _ = data.copyBytes(to: bytes)
    // The bytes belong to this model alone, as in vigil and vigild, so weights may be
    // rearranged in place for the fastest kernels.
    guard let model = try? Model(exclusiveBytes: bytes),
      let interpreter = try? Interpreter(model: model)
    else {
      print("InferenceBenchmarks: skipping \(name): it does not load")
      continue
    }
    let input = interpreter.inputs[0]
    var state: UInt64 = 0x5EED
    if input.type == .float32 {
      let floats = input.data.bindMemory(to: Float.self)
      for i in floats.indices {
        state = state &* 6_364_136_223_846_793_005 &+ 1
        floats[i] = Float(Int64(state >> 53) - 512) / 256
      }
    } else {
      for i in input.data.indices {
        state = state &* 6_364_136_223_846_793_005 &+ 1
        input.data[i] = UInt8(truncatingIfNeeded: state >> 56)
      }
    }
    Benchmark("invoke/\(name)") { benchmark in
      for _ in benchmark.scaledIterations {
        interpreter.invoke()
      }
    }
  }
}
