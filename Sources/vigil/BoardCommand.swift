import ArgumentParser

/// `vigil board …`: what answers on the configured buses.
struct BoardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "board", abstract: "Probe the board's buses and devices.", subcommands: [])
}
