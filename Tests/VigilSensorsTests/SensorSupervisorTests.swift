import Testing
import VigilCore
import VigilSensors
import VigilSimulation

/// Runs supervisors on a simulated board in 100 ms steps, collecting readings and events.
final class StageRun {
  let board: SimulatedBoard
  let stage: SensorStage
  var readings = SensorReadings()
  var events: [(Instant, TechnicalConditionEvent)] = []

  init(board: SimulatedBoard, only names: [String]? = nil) {
    self.board = board
    let full = board.makeStage()
    if let names {
      stage = SensorStage(
        supervisors: full.supervisors.filter { s in
          names.contains { s.sensor.id.name.hasPrefix($0) }
        })
    } else {
      stage = full
    }
  }

  /// Services the stage at the current instant.
  func service() {
    var fresh: [TechnicalConditionEvent] = []
    stage.service(readings: &readings, events: &fresh)
    events += fresh.map { (board.clock.now, $0) }
  }

  /// Steps 100 ms at a time until `seconds` (tenths exact), servicing at each step.
  func run(until seconds: Double) {
    let end = Instant(nanoseconds: UInt64((seconds * 10).rounded()) * 100_000_000)
    if board.clock.now == .zero && stage.supervisors.allSatisfy({ $0.startAttempts.isEmpty }) {
      service()
    }
    while board.clock.now < end {
      board.clock.advance(by: .milliseconds(100))
      service()
    }
  }

  /// (seconds, raised?, kind) for every event.
  var timeline: [(Double, Bool, TechnicalConditionKind)] {
    events.map { time, event in
      switch event {
      case .raised(let condition): return (seconds(time), true, condition.kind)
      case .cleared(_, let kind, let at): return (seconds(at), false, kind)
      }
    }
  }
}

func seconds(_ instant: Instant) -> Double { (Double(instant.nanoseconds) / 1e8).rounded() / 10 }

@Suite struct SensorSupervisorTests {
  @Test func theBackoffDoublesFromOneSecondToAThirtySecondCeiling() {
    let policy = BackoffPolicy()
    #expect(
      (1...8).map { policy.delay(afterFailures: $0).nanoseconds / 1_000_000_000 } == [
        1, 2, 4, 8, 16, 30, 30, 30,
      ])
  }

  @Test func aSensorAbsentAtStartRaisesDeviceAbsentAndIsRetriedWithBackoff() {
    let board = SimulatedBoard()
    board.i2c.unplug(SimulatedBoard.max30102Address)
    let run = StageRun(board: board, only: ["max30102"])
    run.run(until: 70)
    let supervisor = run.stage.supervisors[0]
    #expect(supervisor.startAttempts.map(seconds) == [0, 1, 3, 7, 15, 31, 61])
    #expect(run.timeline.map { $0.2 } == [.deviceAbsent])
    #expect(run.readings.ppg.isEmpty)
  }

  @Test func unpluggingMidRunRaisesDisconnectedAndReplugRecoversOnTheBackoffSchedule() {
    let board = SimulatedBoard()
    let run = StageRun(board: board, only: ["max30102"])
    run.run(until: 5)
    board.i2c.unplug(SimulatedBoard.max30102Address)
    run.run(until: 13)
    board.i2c.replug(SimulatedBoard.max30102Address)
    let samplesBefore = run.readings.ppg.reduce(0) { $0 + $1.samples.count }
    run.run(until: 25)
    let supervisor = run.stage.supervisors[0]
    #expect(supervisor.startAttempts.map(seconds) == [0, 6.1, 8.1, 12.1, 20.1])
    #expect(
      run.timeline.map { "\($0.0) \($0.1) \($0.2)" } == [
        "5.1 true deviceDisconnected", "20.1 false deviceDisconnected",
      ])
    #expect(samplesBefore == 500)
    let samplesAfter = run.readings.ppg.reduce(0) { $0 + $1.samples.count } - samplesBefore
    #expect(samplesAfter == 490)  // 20.1 s to 25.0 s at 100 Hz
    // The restart begins a new sample numbering; no sample is carried over or invented.
    #expect(run.readings.ppg.last?.samples.last?.sequence == 489)
  }

  @Test func aSingleNAKIsRaisedAndClearedWithoutARestart() {
    let board = SimulatedBoard()
    let run = StageRun(board: board, only: ["max30102"])
    run.run(until: 1)
    board.i2c.inject(.nakNext(1), at: SimulatedBoard.max30102Address)
    run.run(until: 2)
    #expect(run.stage.supervisors[0].startAttempts.count == 1)
    #expect(
      run.timeline.map { "\($0.0) \($0.1) \($0.2)" } == ["1.1 true busNak", "1.2 false busNak"])
    // The NAKed poll lost nothing: the next poll read what accumulated.
    #expect(run.readings.ppg.reduce(0) { $0 + $1.samples.count } == 200)
  }

  @Test func persistentNAKsRestartTheSensorAfterThreeFailedPolls() {
    let board = SimulatedBoard()
    let run = StageRun(board: board, only: ["max30102"])
    run.run(until: 1)
    board.i2c.inject(.nakAlways, at: SimulatedBoard.max30102Address)
    run.run(until: 5)
    board.i2c.clearFault(at: SimulatedBoard.max30102Address)
    run.run(until: 10)
    #expect(run.stage.supervisors[0].startAttempts.map(seconds) == [0, 2.3, 4.3, 8.3])
    #expect(
      run.timeline.map { "\($0.0) \($0.1) \($0.2)" } == ["1.1 true busNak", "8.3 false busNak"])
  }

  @Test func aStalledReaderCausesAFIFOOverflowEventThatClearsAfterTheHoldTime() {
    let board = SimulatedBoard()
    let run = StageRun(board: board, only: ["max30102"])
    run.run(until: 1)
    board.clock.advance(by: .milliseconds(500))  // the process was descheduled for 0.5 s
    run.service()
    run.run(until: 15)
    #expect(
      run.timeline.map { "\($0.0) \($0.1) \($0.2)" } == [
        "1.5 true fifoOverflow", "11.5 false fifoOverflow",
      ])
    if case .raised(let condition) = run.events.first?.1 {
      #expect(condition.detail.contains("18 samples lost"))
    }
    let batches = run.readings.ppg
    #expect(batches.reduce(0) { $0 + $1.lostAfter } == 18)
    #expect(batches.reduce(0) { $0 + $1.samples.count } + 18 == 1500)
  }

  @Test func theFingerLeavingTheProbeRaisesFingerOutThenSearchingThenClears() {
    let board = SimulatedBoard(scenario: .fingerOff(at: .seconds(5), back: .seconds(10)))
    let run = StageRun(board: board, only: ["contec"])
    run.run(until: 20)
    #expect(
      run.timeline.map { "\($0.0) \($0.1) \($0.2)" } == [
        "5.0 true fingerOut", "10.0 false fingerOut", "10.0 true searchingForPulse",
        "14.0 false searchingForPulse",
      ])
    let readings = run.readings.oximetry
    #expect(readings.count == 1200)
    // Nothing is invented while the finger is out: no pulse rate or SpO2 from 5 s to 14 s.
    let blind = readings.filter { $0.status.contains(.fingerOut) || $0.status.contains(.searching) }
    #expect(blind.allSatisfy { $0.pulseRate == nil && $0.spo2 == nil })
    #expect(blind.count == 540)
  }

  @Test func theMAX30102RaisesFingerOutWhenOnlyAmbientLightReachesIt() {
    let board = SimulatedBoard(scenario: .fingerOff(at: .seconds(5), back: .seconds(10)))
    let run = StageRun(board: board, only: ["max30102"])
    run.run(until: 12)
    // The batch read at 5.1 s holds the first samples taken without the finger.
    #expect(
      run.timeline.map { "\($0.0) \($0.1) \($0.2)" } == [
        "5.1 true fingerOut", "10.1 false fingerOut",
      ])
    #expect(run.readings.ppg.reduce(0) { $0 + $1.samples.count } == 1200)
  }

  @Test func anUnpluggedUSBOximeterReconnectsAndRepeatsTheCP210xSetup() {
    let board = SimulatedBoard()
    let run = StageRun(board: board, only: ["contec"])
    run.run(until: 3)
    board.cp210x.unplug()
    run.run(until: 4)
    board.cp210x.replug()
    run.run(until: 6)
    #expect(run.stage.supervisors[0].startAttempts.map(seconds) == [0, 4.1])
    #expect(
      run.timeline.map { "\($0.0) \($0.1) \($0.2)" } == [
        "3.1 true deviceDisconnected", "4.1 false deviceDisconnected",
      ])
    #expect(board.cp210x.controlLog.first?.setup.request == CP210x.ifcEnable)
    #expect(board.cp210x.uartEnabled && board.cp210x.baudRate == 115200)
    // Packets sent while unplugged never reach the host; nothing fills the gap.
    #expect(run.readings.oximetry.count == 3 * 60 + (6 * 60 - 246))
  }

  @Test func corruptPacketsFromTheOximeterRaiseACorruptPacketEvent() {
    let board = SimulatedBoard(oximeterProtocol: .legacy5Byte)
    let run = StageRun(board: board, only: ["contec"])
    run.run(until: 1)
    board.oximeter.corruptNextPackets = 1
    board.oximeter.impossibleValueNextPackets = 0
    run.run(until: 2)
    board.oximeter.impossibleValueNextPackets = 1
    run.run(until: 3)
    #expect(run.timeline.map { "\($0.0) \($0.1) \($0.2)" } == ["1.1 true corruptPacket"])
    #expect(run.readings.oximetry.count == 180 - 2)
  }

  @Test func theWholeStageRunsTenMinutesWithoutLosingASampleOrRaisingACondition() {
    let board = SimulatedBoard()
    let run = StageRun(board: board)
    run.run(until: 600)
    #expect(run.events.isEmpty)
    #expect(run.readings.ppg.reduce(0) { $0 + $1.samples.count } == 60_000)
    #expect(run.readings.ppg.allSatisfy { $0.lostAfter == 0 })
    #expect(board.max30102.generatedSamples == 60_000)
    #expect(run.readings.oximetry.count == 36_000)
    // TMP117: one conversion per second; MAX30205: one poll per second.
    #expect(run.readings.temperatures.count == 600 + 600)
    #expect(run.readings.temperatures.allSatisfy { abs($0.temperature.value - 36.8) < 0.01 })
  }
}
