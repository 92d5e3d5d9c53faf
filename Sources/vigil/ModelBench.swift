import ArgumentParser
import Foundation
import MallocInterposerSwift
import VigilInference

extension ModelCommand {
  struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Measure invoke latency, arena, load-time heap and allocations per invoke.",
      discussion: """
        loadHeapBytes counts every heap byte (as requested from malloc) that verifying, planning \
        and preparing the model allocates outside the arena and keeps; the model file's own bytes \
        are not counted, as TFLM does not count its flatbuffer. Latency is measured per invoke \
        with the monotonic clock on random inputs.
        """)

    @Argument(help: "The .tflite model file.") var model: String
    @Option(help: "Number of timed invocations.") var iterations = 10_000
    @Option(help: "Untimed invocations first.") var warmup = 200
    @Flag(help: "Print JSON.") var json = false

    struct Result: Encodable {
      let model: String
      let iterations: Int
      let medianNanoseconds: Int
      let p99Nanoseconds: Int
      let arenaBytes: Int
      let loadHeapBytes: Int
      let loadHeapAllocations: Int
      let allocationsPerInvoke: Double
    }

    func run() throws {
      try reportingErrors {
        guard iterations > 0, warmup >= 0 else { throw CLIError("--iterations must be positive") }
        let file = try ModelFile(path: model)

        // Load: verify, plan and prepare, keeping only the interpreter (the model's decoded
        // tables are released). The interpreter allocates its own arena, which is subtracted.
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.hook()
        let interpreter = try Interpreter(model: try file.loadForMeasurement())
        MallocInterposerSwift.unhook()

        let load = MallocInterposerSwift.getStatistics()
        let arenaAllocation = max(interpreter.arenaBytes, 1)

        var generator = SplitMix64(seed: 0x5EED)
        let input = interpreter.inputs[0]
        func randomizeInput() {
          if input.type == .float32 {
            let floats = input.data.bindMemory(to: Float.self)
            for i in floats.indices {
              floats[i] = Float(Int64(generator.next() % 2001) - 1000) / 500
            }
          } else {
            for i in input.data.indices {
              input.data[i] = UInt8(truncatingIfNeeded: generator.next())
            }
          }
        }
        for _ in 0..<warmup {
          randomizeInput()
          interpreter.invoke()
        }

        // Allocations per invoke, counted over every timed invocation.
        var samples = [Int](repeating: 0, count: iterations)
        var start = timespec()
        var end = timespec()
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.hook()
        for i in 0..<iterations {
          clock_gettime(CLOCK_MONOTONIC, &start)
          interpreter.invoke()
          clock_gettime(CLOCK_MONOTONIC, &end)
          samples[i] = (end.tv_sec - start.tv_sec) * 1_000_000_000 + (end.tv_nsec - start.tv_nsec)
        }
        MallocInterposerSwift.unhook()
        let invokeStats = MallocInterposerSwift.getStatistics()
        samples.sort()
        let result = Result(
          model: model, iterations: iterations, medianNanoseconds: samples[samples.count / 2],
          p99Nanoseconds: samples[min(samples.count - 1, samples.count * 99 / 100)],
          arenaBytes: interpreter.arenaBytes,
          loadHeapBytes: load.mallocBytesCount - load.freeBytesCount - arenaAllocation,
          loadHeapAllocations: load.mallocCount - load.freeCount - 1,
          allocationsPerInvoke: Double(invokeStats.mallocCount) / Double(iterations))
        if json {
          let encoder = JSONEncoder()
          encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
          print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
          print(
            """
            \(model): \(iterations) invocations
              latency: median \(result.medianNanoseconds) ns, p99 \(result.p99Nanoseconds) ns
              memory: arena \(result.arenaBytes) bytes + load-time heap \(result.loadHeapBytes) bytes \
            (\(result.loadHeapAllocations) allocations)
              allocations per invoke: \(result.allocationsPerInvoke)
            """)
        }
        withExtendedLifetime(interpreter) {}
      }
    }
  }
}

/// A small deterministic random generator (SplitMix64), so benchmark inputs repeat run to run.
struct SplitMix64 {
  private var state: UInt64
  /// Creates a generator from `seed`.
  init(seed: UInt64) { state = seed }
  /// The next 64 random bits.
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
