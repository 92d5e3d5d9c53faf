import ArgumentParser
import VigilCore
import VigilSensors
import VigilSimulation

/// `vigil board …`: what answers on the configured buses.
struct BoardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "board", abstract: "Probe the board's buses and devices.",
    subcommands: [BoardProbeCommand.self])
}

/// `vigil board probe [--simulate]`: lists the chips answering on each I2C bus, identified by
/// their registers, and the USB devices Vigil knows.
struct BoardProbeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "probe",
    abstract: "List what answers on the I2C buses (with chip identity) and on USB.")

  @Flag(help: "Probe the simulated board instead of real hardware.")
  var simulate = false

  @Option(name: .customLong("i2c-bus"), help: "I2C adapter to probe (repeatable).")
  var i2cBuses: [String] = ["/dev/i2c-1"]

  func run() throws {
    if simulate {
      let board = SimulatedBoard()
      printI2C(name: "simulated bus (plain I2C + SMBus)", bus: board.i2c)
      print("USB:")
      let bridge = try? board.cp210x.open()
      describeUSB(
        board.cp210x.deviceID, detail: bridge.map { identifyContec($0, clock: board.clock) })
      return
    }
    guard let backends = HardwareBackendFactory.make() else {
      printError(HardwareBackendFactory.unavailableMessage)
      throw ExitCode(2)
    }
    for path in i2cBuses {
      do {
        let bus = try backends.openI2CBus(path: path)
        printI2C(name: path, bus: bus)
      } catch {
        print("I2C \(path): \(error)")
      }
    }
    print("USB:")
    do {
      let devices = try backends.listUSBDevices()
      if devices.isEmpty { print("  no USB devices") }
      for id in devices { describeUSB(id, detail: nil) }
    } catch {
      print("  cannot list USB devices (\(error))")
    }
  }

  private func printI2C<Bus: I2CBus>(name: String, bus: Bus) {
    print("I2C \(name):")
    let found = BoardProbe.scan(bus)
    if found.isEmpty {
      print(
        "  nothing answers at \(BoardProbe.addresses.map(\.description).joined(separator: ", "))")
    }
    for (address, identity) in found { print("  \(address)  \(identity.summary)") }
  }

  private func describeUSB(_ id: USBDeviceID, detail: String?) {
    let name =
      id == CP210x.deviceID ? "Silicon Labs CP210x USB-UART (Contec CMS50D+/E cable)" : "unknown"
    print("  \(id)  \(name)" + (detail.map { ", " + $0 } ?? ""))
  }

  /// Listens for two simulated seconds in each protocol and reports the one that decodes.
  private func identifyContec(_ bridge: SimulatedCP210x, clock: ManualClock) -> String {
    for protocolVersion in [ContecProtocol.packet9Byte, .legacy5Byte] {
      let port = CP210xSerialPort(transport: bridge)
      let driver = ContecOximeter(port: port, protocolVersion: protocolVersion, clock: clock)
      do {
        try driver.start()
        var readings = 0
        for _ in 0..<20 {
          clock.advance(by: .milliseconds(100))
          readings += try driver.poll().readings.count
        }
        port.close()
        if readings > 0 {
          let framing =
            protocolVersion == .packet9Byte
            ? "9-byte protocol, 115200 8N1" : "5-byte protocol, 19200 8O1"
          return "Contec oximeter answering (\(framing), \(readings / 2) packets/s)"
        }
      } catch {
        port.close()
      }
    }
    return "no Contec live data in either protocol"
  }
}
