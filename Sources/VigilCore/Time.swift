/// A point on a monotonic time line, in nanoseconds from an arbitrary origin.
///
/// Vigil never uses wall-clock time for intervals: a ward clock that jumps (NTP, daylight
/// saving) must not shorten an alarm delay or a sensor timeout.
public struct Instant: Hashable, Comparable, Sendable {
  /// Nanoseconds since the clock's origin.
  public var nanoseconds: UInt64

  /// Creates an instant `nanoseconds` after the clock's origin.
  public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

  /// The origin of the time line.
  public static let zero = Instant(nanoseconds: 0)

  /// Orders instants by time.
  public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

  /// The instant `duration` later; saturates at the end of the time line.
  public static func + (lhs: Instant, rhs: Duration) -> Instant {
    let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.nanoseconds)
    return Instant(nanoseconds: overflow ? .max : sum)
  }

  /// The time from `rhs` to `lhs`, or zero when `rhs` is later.
  public static func - (lhs: Instant, rhs: Instant) -> Duration {
    Duration(
      nanoseconds: lhs.nanoseconds >= rhs.nanoseconds ? lhs.nanoseconds - rhs.nanoseconds : 0)
  }
}

/// A non-negative length of time with nanosecond resolution.
public struct Duration: Hashable, Comparable, Sendable {
  /// Length in nanoseconds.
  public var nanoseconds: UInt64

  /// Creates a duration of `nanoseconds`.
  public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

  /// A duration of whole milliseconds.
  public static func milliseconds(_ value: UInt64) -> Duration {
    Duration(nanoseconds: value &* 1_000_000)
  }

  /// A duration of whole seconds.
  public static func seconds(_ value: UInt64) -> Duration {
    Duration(nanoseconds: value &* 1_000_000_000)
  }

  /// The zero duration.
  public static let zero = Duration(nanoseconds: 0)

  /// The duration in seconds, as a floating-point value.
  public var seconds: Double { Double(nanoseconds) / 1e9 }

  /// Orders durations by length.
  public static func < (lhs: Duration, rhs: Duration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

  /// The sum of two durations, saturating.
  public static func + (lhs: Duration, rhs: Duration) -> Duration {
    let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.nanoseconds)
    return Duration(nanoseconds: overflow ? .max : sum)
  }
}

/// A source of monotonic time.
///
/// Production code uses the system's monotonic clock (`VigilLinux.SystemClock`); tests and
/// simulations use ``ManualClock``, so time moves only when the test says so.
public protocol MonotonicClock: AnyObject {
  /// The current instant.
  var now: Instant { get }
}

/// A clock that moves only when told to: the deterministic clock for tests and simulations.
public final class ManualClock: MonotonicClock {
  /// The current instant.
  public private(set) var now: Instant

  /// Creates a clock standing at `start`.
  public init(start: Instant = .zero) { self.now = start }

  /// Moves the clock forward by `duration`.
  public func advance(by duration: Duration) { now = now + duration }

  /// Moves the clock to `instant`; an instant in the past leaves the clock where it is, because
  /// monotonic time never runs backwards.
  public func advance(to instant: Instant) {
    if instant > now { now = instant }
  }
}
