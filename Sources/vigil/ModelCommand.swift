import ArgumentParser
import Foundation
import VigilInference

/// `vigil model …`: inspect, run and benchmark int8 .tflite models.
struct ModelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "model", abstract: "Inspect, run and benchmark int8 .tflite models.",
    subcommands: [Inspect.self, Run.self, Bench.self])
}

/// Runs `body`, printing a `CLIError` or `ModelError` as `vigil: message` and exiting 1.
func reportingErrors(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as CLIError {
    FileHandle.standardError.write(Data("vigil: \(error.description)\n".utf8))
    throw ExitCode.failure
  } catch let error as ModelError {
    FileHandle.standardError.write(Data("vigil: \(error.description)\n".utf8))
    throw ExitCode.failure
  }
}

extension ModelCommand {
  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List a model's operators, tensors, quantization and arena size.")

    @Argument(help: "The .tflite model file.") var model: String
    @Flag(help: "Print JSON (with \"arenaBytes\" and \"ops\").") var json = false

    func run() throws {
      try reportingErrors {
        let file = try ModelFile(path: model)
        let verified = try file.model()
        // A model that verifies but cannot be prepared (an unsupported operator configuration)
        // is still described; the exit status says it cannot run.
        var plan: ArenaPlan?
        var failure: ModelError?
        do throws(ModelError) { plan = try ArenaPlan(model: verified) } catch { failure = error }
        let report = ModelReport(model: verified, plan: plan, error: failure?.description)
        print(json ? try report.json() : report.text(path: model))
        if let failure { throw CLIError("'\(model)' cannot run: \(failure)") }
      }
    }
  }

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run a model on raw input tensors and write the raw output tensors.",
      discussion: """
        IN holds the raw bytes of input tensor 0 (int8, or little-endian float32 for a float-I/O \
        model) for one or more invocations back to back. OUT receives the raw bytes of output \
        tensor 0 for each invocation, in the same order.
        """)

    @Argument(help: "The .tflite model file.") var model: String
    @Option(name: .long, help: "File of raw input tensors (IN).") var input: String
    @Option(name: .long, help: "File to write raw output tensors to (OUT).") var output: String

    func run() throws {
      try reportingErrors {
        let file = try ModelFile(path: model)
        let interpreter = try Interpreter(model: try file.model())
        guard interpreter.inputs.count == 1, interpreter.outputs.count >= 1 else {
          throw CLIError(
            "'\(model)' has \(interpreter.inputs.count) inputs; `model run` feeds models with one input"
          )
        }
        let inputTensor = interpreter.inputs[0]
        let outputTensor = interpreter.outputs[0]
        let inputData: Data
        do { inputData = try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
          throw CLIError("cannot read input '\(input)': \(ModelFile.reason(error))")
        }
        let size = inputTensor.data.count
        guard !inputData.isEmpty, inputData.count % size == 0 else {
          throw CLIError(
            "input '\(input)' has \(inputData.count) bytes, not a multiple of input tensor 0's \(size) bytes "
              + "(\(inputTensor.type) \(inputTensor.shape))")
        }
        let invocations = inputData.count / size
        var result = Data(capacity: invocations * outputTensor.data.count)
        inputData.withUnsafeBytes { raw in
          for i in 0..<invocations {
            interpreter.inputs[0].data.copyMemory(
              from: UnsafeRawBufferPointer(rebasing: raw[(i * size)..<((i + 1) * size)]))
            interpreter.invoke()
            result.append(contentsOf: UnsafeRawBufferPointer(outputTensor.data))
          }
        }
        do { try result.write(to: URL(fileURLWithPath: output)) } catch {
          throw CLIError("cannot write output '\(output)': \(ModelFile.reason(error))")
        }
      }
    }
  }
}
