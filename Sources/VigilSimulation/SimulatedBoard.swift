import VigilCore
import VigilSensors

/// A whole simulated bedside board: one I2C bus with a MAX30102 (0x57), a TMP117 (0x48) and a
/// MAX30205 (0x49), and a Contec oximeter on a CP210x USB cable, all following one patient
/// scenario on one manual clock. ``makeStage()`` wires Vigil's real drivers to it.
public final class SimulatedBoard {
  /// The board's clock: advance it to move time.
  public let clock: ManualClock
  /// The patient.
  public let scenario: PatientScenario
  /// The I2C bus.
  public let i2c: SimulatedI2CBus
  /// The pulse-oximetry front end.
  public let max30102: SimulatedMAX30102
  /// The TMP117.
  public let tmp117: SimulatedTMP117
  /// The MAX30205.
  public let max30205: SimulatedMAX30205
  /// The USB oximeter.
  public let oximeter: SimulatedContecOximeter
  /// Its USB-UART bridge.
  public let cp210x: SimulatedCP210x

  /// Addresses used on the bus.
  public static let max30102Address = I2CAddress(0x57)
  /// The TMP117's address.
  public static let tmp117Address = I2CAddress(0x48)
  /// The MAX30205's address (A0 high).
  public static let max30205Address = I2CAddress(0x49)

  /// Builds the board with the oximeter speaking `oximeterProtocol`.
  public init(
    scenario: PatientScenario = .stable, oximeterProtocol: ContecProtocol = .packet9Byte,
    functionality: I2CFunctionality = .fullAdapter, clock: ManualClock = ManualClock()
  ) {
    self.clock = clock
    self.scenario = scenario
    let start = clock.now
    i2c = SimulatedI2CBus(functionality: functionality)
    max30102 = SimulatedMAX30102(
      clock: clock, waveform: PPGWaveformGenerator(scenario: scenario, start: start))
    tmp117 = SimulatedTMP117(clock: clock, scenario: scenario, start: start)
    max30205 = SimulatedMAX30205(clock: clock, scenario: scenario, start: start)
    oximeter = SimulatedContecOximeter(
      protocolVersion: oximeterProtocol, clock: clock, scenario: scenario, start: start)
    cp210x = SimulatedCP210x(oximeter: oximeter)
    i2c.attach(max30102, at: Self.max30102Address)
    i2c.attach(tmp117, at: Self.tmp117Address)
    i2c.attach(max30205, at: Self.max30205Address)
  }

  /// The real drivers, under supervision, wired to this board: MAX30102, TMP117, MAX30205 and
  /// the Contec oximeter through ``CP210xSerialPort`` over the simulated USB bridge.
  public func makeStage(backoff: BackoffPolicy = BackoffPolicy()) -> SensorStage {
    let bus = i2c
    let bridge = cp210x
    let oximeterSensor = ContecOximeterSensor<CP210xSerialPort<SimulatedCP210x>>(
      id: SensorID("contec@usb:\(bridge.deviceID)"), protocolVersion: oximeter.protocolVersion,
      clock: clock,
      open: { () throws(SensorFault) -> CP210xSerialPort<SimulatedCP210x> in
        do {
          return CP210xSerialPort(transport: try bridge.open())
        } catch {
          throw SensorFault(.deviceAbsent, "CP210x \(bridge.deviceID): \(error)")
        }
      },
      close: { $0.close() })
    let sensors: [any SupervisedSensor] = [
      MAX30102Sensor(driver: MAX30102(bus: bus, address: Self.max30102Address, clock: clock)),
      TMP117Sensor(driver: TMP117(bus: bus, address: Self.tmp117Address, clock: clock)),
      MAX30205Sensor(driver: MAX30205(bus: bus, address: Self.max30205Address, clock: clock)),
      oximeterSensor,
    ]
    return SensorStage(
      supervisors: sensors.map { SensorSupervisor(sensor: $0, clock: clock, backoff: backoff) })
  }
}
