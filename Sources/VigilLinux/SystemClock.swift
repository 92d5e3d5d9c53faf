import VigilCore

/// The system's monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`): time that never jumps
/// with NTP or daylight saving, for alarm delays and sensor timeouts.
public final class SystemClock: MonotonicClock {
  /// Creates a clock reading `CLOCK_MONOTONIC`.
  public init() {}

  /// Nanoseconds since an arbitrary origin (boot) (`clock_gettime(CLOCK_MONOTONIC)`).
  public var now: Instant { Instant(nanoseconds: Syscall.monotonicNanoseconds()) }
}
