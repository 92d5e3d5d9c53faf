import Testing
import VigilCore
import VigilSensors
import VigilSimulation

/// A bus missing when the monitor starts: its sensors are supervised, raised absent, and
/// recover when the bus appears.
@Suite struct ReopeningI2CBusTests {
  @Test func aBusMissingAtStartRaisesItsSensorAbsentAndRecoversWhenTheBusAppears() {
    let board = SimulatedBoard()
    var available = false
    var attempts = 0
    let bus = ReopeningI2CBus { () throws(I2CError) -> SimulatedI2CBus in
      attempts += 1
      guard available else { throw .busUnavailable(path: "/dev/i2c-1", errno: 2) }
      return board.i2c
    }
    let sensor = MAX30102Sensor(
      driver: MAX30102(bus: bus, address: SimulatedBoard.max30102Address, clock: board.clock))
    let stage = SensorStage(supervisors: [SensorSupervisor(sensor: sensor, clock: board.clock)])
    var readings = SensorReadings()
    var events: [TechnicalConditionEvent] = []
    func run(seconds: Int) {
      for _ in 0..<(seconds * 10) {
        stage.service(readings: &readings, events: &events)
        board.clock.advance(by: .milliseconds(100))
      }
    }

    run(seconds: 5)
    #expect(!bus.isOpen)
    #expect(readings.ppg.isEmpty)
    guard case .raised(let condition) = events.first else {
      Issue.record("no condition raised: \(events)")
      return
    }
    #expect(condition.kind == .deviceAbsent)
    #expect(condition.detail.contains("ENOENT"), "\(condition.detail)")
    // Tried at start and on the backoff schedule (1 s, 3 s), never more often.
    #expect(attempts >= 3 && attempts <= 6, "\(attempts) attempts to open the bus")

    available = true
    run(seconds: 20)
    #expect(bus.isOpen)
    #expect(
      events.contains {
        if case .cleared(_, .deviceAbsent, _) = $0 { return true }
        return false
      }, "\(events)")
    #expect(readings.ppg.count > 100, "\(readings.ppg.count) samples after the bus appeared")
  }

  @Test func errorsDescribeTheirErrnoAndWhatToCheck() {
    let missing = I2CError.busUnavailable(path: "/dev/i2c-1", errno: 2)
    #expect(
      missing.description
        == "cannot open I2C bus /dev/i2c-1 (ENOENT, no such file or directory): is I2C enabled on the board and the i2c-dev module loaded?"
    )
    #expect(
      I2CError.busUnavailable(path: "/dev/i2c-1", errno: 13).description.contains("i2c group"))
    #expect(SerialError.io(errno: 5).description == "serial I/O error (EIO, input/output error)")
    #expect(
      USBError.notFound(USBDeviceID(vendor: 0x10c4, product: 0xea60)).description.contains(
        "10c4:ea60"))
    #expect(errnoDescription(4242) == "errno 4242")
  }
}
