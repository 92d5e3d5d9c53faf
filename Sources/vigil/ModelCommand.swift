import ArgumentParser

/// `vigil model …`: inspect, run and benchmark int8 .tflite models.
struct ModelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "model", abstract: "Inspect, run and benchmark int8 .tflite models.",
    subcommands: [])
}
