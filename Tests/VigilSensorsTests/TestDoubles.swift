import Testing
import VigilCore
import VigilSensors
import VigilSimulation

/// Wraps a bus and records each call, so tests can check which transfers a driver chose.
final class RecordingBus<Inner: I2CBus>: I2CBus {
  enum Call: Equatable {
    case readByte(UInt8, UInt8)
    case writeByte(UInt8, UInt8, UInt8)
    case readBlock(UInt8, UInt8, Int)
    case writeRead(UInt8, [UInt8], Int)
  }
  let inner: Inner
  var calls: [Call] = []
  init(_ inner: Inner) { self.inner = inner }
  var functionality: I2CFunctionality { inner.functionality }
  func readByte(at address: I2CAddress, register: UInt8) throws(I2CError) -> UInt8 {
    calls.append(.readByte(address.rawValue, register))
    return try inner.readByte(at: address, register: register)
  }
  func writeByte(at address: I2CAddress, register: UInt8, value: UInt8) throws(I2CError) {
    calls.append(.writeByte(address.rawValue, register, value))
    try inner.writeByte(at: address, register: register, value: value)
  }
  func readBlock(at address: I2CAddress, register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
    calls.append(.readBlock(address.rawValue, register, count))
    return try inner.readBlock(at: address, register: register, count: count)
  }
  func writeRead(at address: I2CAddress, write bytes: [UInt8], readCount: Int) throws(I2CError)
    -> [UInt8]
  {
    calls.append(.writeRead(address.rawValue, bytes, readCount))
    return try inner.writeRead(at: address, write: bytes, readCount: readCount)
  }
}

/// A device whose registers are fixed bytes and whose FIFO register returns scripted bytes, to
/// pin wire formats independently of the chip models.
final class ScriptedDevice: SimulatedI2CDevice {
  var registers = [UInt8](repeating: 0, count: 256)
  var fifoRegister: UInt8? = nil
  var fifoBytes: [UInt8] = []
  var pointer: UInt8 = 0
  func write(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    pointer = first
    for value in bytes.dropFirst() {
      // The mode register's RESET bit clears itself at once.
      registers[Int(pointer)] = pointer == 0x09 ? value & ~0x40 : value
      pointer &+= 1
    }
  }
  func read(count: Int) -> [UInt8] {
    var out: [UInt8] = []
    for _ in 0..<count {
      if pointer == fifoRegister {
        out.append(fifoBytes.isEmpty ? 0 : fifoBytes.removeFirst())
      } else {
        out.append(registers[Int(pointer)])
        pointer &+= 1
      }
    }
    return out
  }
  func powerOn() {}
}

/// A simulated MAX30102 on a bus, with a clock at zero.
struct MAX30102Bench {
  let clock = ManualClock()
  let bus: SimulatedI2CBus
  let chip: SimulatedMAX30102
  let driver: MAX30102<SimulatedI2CBus>

  init(functionality: I2CFunctionality = .fullAdapter, scenario: PatientScenario = .stable) {
    bus = SimulatedI2CBus(functionality: functionality)
    chip = SimulatedMAX30102(
      clock: clock, waveform: PPGWaveformGenerator(scenario: scenario, start: .zero))
    bus.attach(chip, at: I2CAddress(0x57))
    driver = MAX30102(bus: bus, clock: clock)
  }
}

extension Duration {
  static func microseconds(_ value: UInt64) -> Duration { Duration(nanoseconds: value * 1000) }
}

/// Expects `body` to throw a ``SensorFault`` of `kind`; returns the fault.
@discardableResult
func expectFault<T>(
  _ kind: TechnicalConditionKind, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () throws(SensorFault) -> T
) -> SensorFault? {
  do {
    _ = try body()
    Issue.record("expected a \(kind) fault, but the call succeeded", sourceLocation: sourceLocation)
    return nil
  } catch {
    #expect(error.kind == kind, "fault: \(error)", sourceLocation: sourceLocation)
    return error
  }
}
