import VigilCore

/// When to try again after a sensor fails: exponential backoff with a ceiling.
public struct BackoffPolicy: Hashable, Sendable {
  /// The wait after the first failure.
  public var initial: Duration
  /// The factor each further consecutive failure multiplies the wait by.
  public var multiplier: UInt64
  /// The longest wait.
  public var maximum: Duration
  /// How long a restarted sensor must run before the failure count resets.
  public var stableAfter: Duration

  /// Creates a policy: by default 1 s, 2 s, 4 s, 8 s, 16 s, then 30 s, reset after 10 s of
  /// uninterrupted running.
  public init(
    initial: Duration = .seconds(1), multiplier: UInt64 = 2, maximum: Duration = .seconds(30),
    stableAfter: Duration = .seconds(10)
  ) {
    self.initial = initial
    self.multiplier = multiplier
    self.maximum = maximum
    self.stableAfter = stableAfter
  }

  /// The wait after `failures` consecutive failures (1 or more).
  public func delay(afterFailures failures: Int) -> Duration {
    var wait = initial.nanoseconds
    var step = 1
    while step < failures && wait < maximum.nanoseconds {
      let (product, overflow) = wait.multipliedReportingOverflow(by: multiplier)
      wait = overflow ? maximum.nanoseconds : product
      step += 1
    }
    return Duration(nanoseconds: min(wait, maximum.nanoseconds))
  }
}

/// Runs one sensor: starts it, polls it on schedule, turns every failure into a typed technical
/// condition, and restarts it with exponential backoff, without ever blocking or crashing.
///
/// - A failed start raises a connection condition (``TechnicalConditionKind/deviceAbsent`` before
///   the sensor has ever run, ``TechnicalConditionKind/deviceDisconnected`` after) and schedules
///   the next attempt by the ``BackoffPolicy``.
/// - A failed poll of kind NAK, timeout or bus error is tolerated up to
///   ``maximumConsecutivePollFailures`` times (the condition is raised at once and cleared by the
///   next good poll); any other failed poll stops the sensor and restarts it with backoff.
/// - Measurement conditions (finger out) follow the sensor's reports; event conditions (samples
///   lost, corrupt packets) clear after ``eventHold`` without a repeat.
public final class SensorSupervisor {
  /// Where the supervisor is in its cycle.
  public enum State: Hashable, Sendable {
    /// Not started yet.
    case idle
    /// Running since the instant.
    case running(since: Instant)
    /// Waiting until the instant before start attempt number `attempt` after failures.
    case waiting(until: Instant, failures: Int)
  }

  /// The supervised sensor.
  public let sensor: any SupervisedSensor
  /// The clock that schedules polls and retries.
  public let clock: any MonotonicClock
  /// The retry policy.
  public let backoff: BackoffPolicy
  /// Consecutive NAK/timeout/bus-error polls tolerated before a restart.
  public var maximumConsecutivePollFailures = 3
  /// How long an event condition stays active without a repeat.
  public var eventHold = Duration.seconds(10)

  /// The current state.
  public private(set) var state = State.idle
  /// The active technical conditions of this sensor.
  public private(set) var active: [TechnicalCondition] = []
  /// Instants of every start attempt, for diagnostics and tests.
  public private(set) var startAttempts: [Instant] = []
  /// Successful polls.
  public private(set) var polls: UInt64 = 0

  private var failures = 0
  private var hasRun = false
  private var nextPoll = Instant.zero
  private var consecutivePollFailures = 0

  /// Supervises `sensor` on `clock`.
  public init(
    sensor: any SupervisedSensor, clock: any MonotonicClock,
    backoff: BackoffPolicy = BackoffPolicy()
  ) {
    self.sensor = sensor
    self.clock = clock
    self.backoff = backoff
  }

  /// The next instant at which ``service(readings:events:)`` has something to do.
  public var nextDeadline: Instant {
    switch state {
    case .idle: return clock.now
    case .running: return nextPoll
    case .waiting(let until, _): return until
    }
  }

  /// Does whatever is due now: a start attempt, a poll, or expiring event conditions. Readings
  /// go to `readings`, condition changes to `events`.
  public func service(readings: inout SensorReadings, events: inout [TechnicalConditionEvent]) {
    let now = clock.now
    expireEvents(now: now, events: &events)
    switch state {
    case .idle:
      attemptStart(now: now, events: &events)
    case .waiting(let until, _):
      if now >= until { attemptStart(now: now, events: &events) }
    case .running(let since):
      if failures > 0 && now - since >= backoff.stableAfter { failures = 0 }
      if now >= nextPoll { poll(now: now, readings: &readings, events: &events) }
    }
  }

  /// Stops the sensor (at shutdown).
  public func stop() {
    sensor.stop()
    state = .idle
  }

  private func attemptStart(now: Instant, events: inout [TechnicalConditionEvent]) {
    startAttempts.append(now)
    do {
      try sensor.start()
    } catch {
      goDown(error, now: now, events: &events)
      return
    }
    hasRun = true
    state = .running(since: now)
    nextPoll = now + sensor.pollInterval
    consecutivePollFailures = 0
    clear(where: { $0.category == .connection }, now: now, events: &events)
  }

  private func poll(
    now: Instant, readings: inout SensorReadings, events: inout [TechnicalConditionEvent]
  ) {
    let report: SensorPollReport
    do {
      report = try sensor.poll(into: &readings)
    } catch {
      consecutivePollFailures += 1
      let tolerable = error.kind == .busNak || error.kind == .busTimeout || error.kind == .busError
      if tolerable && consecutivePollFailures < maximumConsecutivePollFailures {
        raise(error.kind, error.detail, now: now, events: &events)
        schedulePoll(now: now)
      } else {
        goDown(error, now: now, events: &events)
      }
      return
    }
    polls += 1
    consecutivePollFailures = 0
    clear(where: { $0.category == .connection }, now: now, events: &events)
    if let measurement = report.measurement {
      clear(
        where: { kind in kind.category == .measurement && !measurement.contains { $0.kind == kind }
        },
        now: now, events: &events)
      for condition in measurement {
        raise(condition.kind, condition.detail, now: now, events: &events)
      }
    }
    for event in report.events { raise(event.kind, event.detail, now: now, events: &events) }
    schedulePoll(now: now)
  }

  private func schedulePoll(now: Instant) {
    nextPoll = nextPoll + sensor.pollInterval
    if nextPoll <= now { nextPoll = now + sensor.pollInterval }
  }

  private func goDown(_ fault: SensorFault, now: Instant, events: inout [TechnicalConditionEvent]) {
    sensor.stop()
    var kind = fault.kind
    if kind == .deviceAbsent && hasRun { kind = .deviceDisconnected }
    failures += 1
    clear(
      where: { $0.category == .measurement || ($0.category == .connection && $0 != kind) },
      now: now, events: &events)
    raise(kind, fault.detail, now: now, events: &events)
    state = .waiting(until: now + backoff.delay(afterFailures: failures), failures: failures)
  }

  private func raise(
    _ kind: TechnicalConditionKind, _ detail: String, now: Instant,
    events: inout [TechnicalConditionEvent]
  ) {
    if let index = active.firstIndex(where: { $0.kind == kind }) {
      // Already active: an event condition restarts its hold time; others keep their onset.
      if kind.category == .event { active[index].onset = now }
      active[index].detail = detail
      return
    }
    let condition = TechnicalCondition(source: sensor.id, kind: kind, onset: now, detail: detail)
    active.append(condition)
    events.append(.raised(condition))
  }

  private func clear(
    where predicate: (TechnicalConditionKind) -> Bool, now: Instant,
    events: inout [TechnicalConditionEvent]
  ) {
    var index = 0
    while index < active.count {
      if predicate(active[index].kind) {
        events.append(.cleared(source: sensor.id, kind: active[index].kind, time: now))
        active.remove(at: index)
      } else {
        index += 1
      }
    }
  }

  private func expireEvents(now: Instant, events: inout [TechnicalConditionEvent]) {
    var index = 0
    while index < active.count {
      let condition = active[index]
      if condition.kind.category == .event && now - condition.onset >= eventHold {
        events.append(.cleared(source: sensor.id, kind: condition.kind, time: now))
        active.remove(at: index)
      } else {
        index += 1
      }
    }
  }
}

/// A set of supervised sensors serviced together: the sensor stage of the monitor.
public final class SensorStage {
  /// The supervisors, in service order.
  public let supervisors: [SensorSupervisor]

  /// Creates a stage.
  public init(supervisors: [SensorSupervisor]) { self.supervisors = supervisors }

  /// Services every supervisor once.
  public func service(readings: inout SensorReadings, events: inout [TechnicalConditionEvent]) {
    for supervisor in supervisors { supervisor.service(readings: &readings, events: &events) }
  }

  /// The earliest instant any supervisor has something to do.
  public var nextDeadline: Instant {
    var earliest = Instant(nanoseconds: .max)
    for supervisor in supervisors { earliest = min(earliest, supervisor.nextDeadline) }
    return earliest
  }

  /// Every active technical condition.
  public var activeConditions: [TechnicalCondition] { supervisors.flatMap { $0.active } }
}
