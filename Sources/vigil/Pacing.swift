import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Wall-clock pacing and CPU accounting for the CLI's simulated runs.
///
/// TODO(lead): once `VigilLinux.SystemClock` is merged, pace with it instead; these three calls
/// are the CLI's only direct system calls.
enum Pacing {
  /// The monotonic time now (`clock_gettime(CLOCK_MONOTONIC)`).
  static func monotonicNow() -> Instant {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Instant(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
  }

  /// Sleeps until the monotonic time reaches `deadline` (`nanosleep`, resumed after signals).
  static func sleep(until deadline: Instant) {
    while true {
      let now = monotonicNow()
      guard now < deadline else { return }
      let wait = deadline - now
      var request = timespec(
        tv_sec: Int(wait.nanoseconds / 1_000_000_000),
        tv_nsec: Int(wait.nanoseconds % 1_000_000_000))
      var remaining = timespec()
      if nanosleep(&request, &remaining) == 0 { return }
    }
  }

  /// User plus system CPU time this process has used (`getrusage(RUSAGE_SELF)`).
  static func processCPUTime() -> Duration {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let user = UInt64(usage.ru_utime.tv_sec) * 1_000_000 + UInt64(usage.ru_utime.tv_usec)
    let system = UInt64(usage.ru_stime.tv_sec) * 1_000_000 + UInt64(usage.ru_stime.tv_usec)
    return Duration(nanoseconds: (user + system) * 1000)
  }
}

/// Fixed-point formatting without Foundation.
func fixed(_ value: Double, _ decimals: Int) -> String {
  var scale = 1.0
  for _ in 0..<decimals { scale *= 10 }
  let scaled = Int((abs(value) * scale).rounded())
  let whole = scaled / Int(scale)
  var text = (value < 0 && scaled != 0 ? "-" : "") + String(whole)
  if decimals > 0 {
    var fraction = String(scaled % Int(scale))
    while fraction.count < decimals { fraction = "0" + fraction }
    text += "." + fraction
  }
  return text
}

/// Writes a line to standard error (`write(2, …)`).
func printError(_ message: String) {
  let line = Array((message + "\n").utf8)
  line.withUnsafeBytes { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
