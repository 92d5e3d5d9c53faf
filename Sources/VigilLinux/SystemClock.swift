import VigilCore

/// The system's monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`): time that never jumps
/// with NTP or daylight saving, for alarm delays and sensor timeouts.
public final class SystemClock: MonotonicClock, Sendable {
  /// Creates a clock reading `CLOCK_MONOTONIC`.
  public init() {}

  /// Nanoseconds since an arbitrary origin (boot) (`clock_gettime(CLOCK_MONOTONIC)`).
  public var now: Instant { Instant(nanoseconds: Syscall.monotonicNanoseconds()) }

  /// Blocks the calling thread until the clock reaches `deadline`
  /// (`clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)`, resumed after signals).
  public func sleep(until deadline: Instant) {
    Syscall.sleepUntilMonotonic(deadline.nanoseconds)
  }

  /// User plus system CPU time this process has used (`getrusage(RUSAGE_SELF)`).
  public static var processCPUTime: Duration {
    Duration(nanoseconds: Syscall.processCPUNanoseconds())
  }
}
