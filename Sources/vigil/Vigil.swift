import ArgumentParser

/// The operator command line: inspect and run models, probe boards, stream sensors.
@main
struct Vigil: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vigil",
    abstract: "Vigil bedside monitor: operator and biomedical-engineering tools.",
    subcommands: [
      ModelCommand.self, RiskCommand.self, SignalCommand.self, BoardCommand.self,
      SensorsCommand.self,
    ]
  )
}
