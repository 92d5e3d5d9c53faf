import ArgumentParser

/// `vigil sensors …`: live vitals from the sensors.
struct SensorsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sensors", abstract: "Stream live vitals from the sensors.", subcommands: [])
}
