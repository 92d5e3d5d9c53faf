import VigilCore
import VigilLinux

#if canImport(Glibc)
  import Glibc
#endif

/// Wall-clock pacing and CPU accounting for the CLI's simulated runs, through VigilLinux's
/// system clock (where every system call lives).
enum Pacing {
  private static let clock = SystemClock()

  /// The monotonic time now.
  static func monotonicNow() -> Instant { clock.now }

  /// Sleeps until the monotonic time reaches `deadline`.
  static func sleep(until deadline: Instant) { clock.sleep(until: deadline) }

  /// User plus system CPU time this process has used.
  static func processCPUTime() -> Duration { SystemClock.processCPUTime }
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
