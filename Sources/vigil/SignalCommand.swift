import ArgumentParser

/// `vigil signal …`: analyse recorded PPG.
struct SignalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "signal", abstract: "Analyse recorded photoplethysmograms.", subcommands: [])
}
