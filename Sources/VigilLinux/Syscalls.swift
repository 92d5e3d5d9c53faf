import CI2C
import Glibc

/// Every system call the Linux backends make, in one place.
///
/// Each wrapper turns the C convention (-1 and `errno`, or a negative errno) into a typed
/// ``Errno`` and retries `EINTR` itself, so no caller ever sees an interrupted call. libusb's
/// calls live in `LibUSBCalls.swift` for the same reason.
enum Syscall {
  /// Runs `body` until it stops failing with `EINTR`; -1 becomes the `errno` it set.
  @discardableResult
  static func valueOrErrno<Value: FixedWidthInteger>(
    retryOnInterrupt: Bool = true, _ body: () -> Value
  ) throws(Errno) -> Value {
    while true {
      let result = body()
      if result != -1 { return result }
      let code = errno
      if retryOnInterrupt && code == EINTR { continue }
      throw Errno(rawValue: code)
    }
  }

  /// The C library's message for `code` (`strerror_r`).
  static func errorMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 128)
    // The XSI strerror_r: 0 and the message in `buffer`, or an error number.
    let status = buffer.withUnsafeMutableBufferPointer { pointer in
      strerror_r(code, pointer.baseAddress!, pointer.count)
    }
    guard status == 0 else { return "errno \(code)" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  // MARK: Files

  /// `open(2)` with `O_CLOEXEC` added.
  static func open(_ path: String, flags: Int32) throws(Errno) -> Int32 {
    try valueOrErrno { Glibc.open(path, flags | O_CLOEXEC) }
  }

  /// `close(2)`; on Linux the descriptor is released even when close reports an error, so it
  /// is never retried and its error is not surfaced.
  static func close(_ descriptor: Int32) {
    _ = Glibc.close(descriptor)
  }

  /// `read(2)` into `buffer`; returns the number of bytes read (0 at end of file).
  static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(Errno)
    -> Int
  {
    try valueOrErrno { Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
  }

  /// `write(2)` from `buffer`; returns the number of bytes written.
  static func write(_ descriptor: Int32, from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
    try valueOrErrno { Glibc.write(descriptor, buffer.baseAddress, buffer.count) }
  }

  /// `read(2)` into the start of `buffer`; returns the number of bytes read.
  static func read(_ descriptor: Int32, into buffer: inout [UInt8]) throws(Errno) -> Int {
    let result: Result<Int, Errno> = buffer.withUnsafeMutableBytes { bytes in
      do throws(Errno) {
        return .success(try read(descriptor, into: bytes))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// `write(2)` of `bytes[offset...]`; returns the number of bytes written.
  static func write(_ descriptor: Int32, _ bytes: [UInt8], from offset: Int) throws(Errno) -> Int {
    let result: Result<Int, Errno> = bytes.withUnsafeBytes { all in
      do throws(Errno) {
        return .success(
          try write(descriptor, from: UnsafeRawBufferPointer(rebasing: all[offset...])))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// `poll(2)` on one descriptor; returns the events that occurred (empty on timeout).
  /// An interrupted wait resumes with the time that is left.
  static func poll(_ descriptor: Int32, events: Int16, timeout: PollTimeout) throws(Errno)
    -> Int16
  {
    let deadline = timeout.deadline(from: monotonicNanoseconds())
    while true {
      var entry = pollfd(fd: descriptor, events: events, revents: 0)
      let waitMilliseconds = deadline.map { PollTimeout.milliseconds(until: $0) } ?? -1
      let result = Glibc.poll(&entry, 1, waitMilliseconds)
      if result >= 0 { return result == 0 ? 0 : entry.revents }
      let code = errno
      if code != EINTR { throw Errno(rawValue: code) }
    }
  }

  // MARK: ioctl

  /// `ioctl(2)` whose argument points to a structure.
  @discardableResult
  static func ioctl(_ descriptor: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer)
    throws(Errno) -> Int32
  {
    try valueOrErrno { Glibc.ioctl(descriptor, request, argument) }
  }

  /// `ioctl(2)` whose argument is a plain number passed by value (for example `I2C_SLAVE`).
  @discardableResult
  static func ioctl(_ descriptor: Int32, _ request: UInt, value: UInt) throws(Errno) -> Int32 {
    // Passed as a full machine word, as the kernel reads `unsigned long arg`.
    if let word = UnsafeMutableRawPointer(bitPattern: value) {
      return try valueOrErrno { Glibc.ioctl(descriptor, request, word) }
    }
    return try valueOrErrno { Glibc.ioctl(descriptor, request, CInt(0)) }
  }

  /// One SMBus transfer through libi2c's `i2c_smbus_access` (the `I2C_SMBUS` ioctl), which
  /// returns a negative errno on failure.
  static func smbusAccess(
    _ descriptor: Int32, read: Bool, command: UInt8, size: Int32,
    data: UnsafeMutablePointer<i2c_smbus_data>?
  ) throws(Errno) {
    while true {
      let direction = CChar(read ? I2C_SMBUS_READ : I2C_SMBUS_WRITE)
      let result = i2c_smbus_access(descriptor, direction, command, size, data)
      if result >= 0 { return }
      if result == -EINTR { continue }
      throw Errno(rawValue: -result)
    }
  }

  // MARK: Terminals

  /// `tcgetattr(3)`.
  static func terminalAttributes(_ descriptor: Int32) throws(Errno) -> termios {
    var attributes = termios()
    try valueOrErrno { tcgetattr(descriptor, &attributes) }
    return attributes
  }

  /// `tcsetattr(3)` with `TCSANOW`.
  static func setTerminalAttributes(_ descriptor: Int32, _ attributes: termios) throws(Errno) {
    var attributes = attributes
    try valueOrErrno { tcsetattr(descriptor, TCSANOW, &attributes) }
  }

  /// `cfsetispeed(3)` and `cfsetospeed(3)`: both directions at `speed`.
  static func setSpeed(_ attributes: inout termios, _ speed: speed_t) throws(Errno) {
    try valueOrErrno { cfsetispeed(&attributes, speed) }
    try valueOrErrno { cfsetospeed(&attributes, speed) }
  }

  /// `cfgetospeed(3)`.
  static func outputSpeed(_ attributes: termios) -> speed_t {
    var attributes = attributes
    return cfgetospeed(&attributes)
  }

  /// `tcflush(3)`: discards data received but not read and data written but not sent.
  static func flushTerminal(_ descriptor: Int32) throws(Errno) {
    try valueOrErrno { tcflush(descriptor, TCIOFLUSH) }
  }

  // MARK: Time

  /// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds.
  static func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    // CLOCK_MONOTONIC cannot fail with a valid pointer.
    _ = clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
  }

  /// Sleeps until `CLOCK_MONOTONIC` reaches `deadline` nanoseconds
  /// (`clock_nanosleep(TIMER_ABSTIME)`, resumed after signals).
  static func sleepUntilMonotonic(_ deadline: UInt64) {
    var target = timespec(
      tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
    while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
  }

  /// User plus system CPU time of this process in nanoseconds (`getrusage(RUSAGE_SELF)`).
  static func processCPUNanoseconds() -> UInt64 {
    var usage = rusage()
    _ = getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let user = UInt64(usage.ru_utime.tv_sec) &* 1_000_000 &+ UInt64(usage.ru_utime.tv_usec)
    let system = UInt64(usage.ru_stime.tv_sec) &* 1_000_000 &+ UInt64(usage.ru_stime.tv_usec)
    return (user &+ system) &* 1000
  }
}

/// How long `poll(2)` may wait.
enum PollTimeout {
  /// Wait until an event arrives.
  case forever
  /// Wait at most this many nanoseconds (zero: just look).
  case nanoseconds(UInt64)

  /// The monotonic instant at which waiting ends, or nil for ``forever``.
  func deadline(from now: UInt64) -> UInt64? {
    switch self {
    case .forever: return nil
    case .nanoseconds(let length):
      let (sum, overflow) = now.addingReportingOverflow(length)
      return overflow ? .max : sum
    }
  }

  /// Milliseconds from now to `deadline`, rounded up so a short wait is not a busy loop.
  static func milliseconds(until deadline: UInt64) -> Int32 {
    let now = Syscall.monotonicNanoseconds()
    if deadline <= now { return 0 }
    let milliseconds = (deadline - now + 999_999) / 1_000_000
    return Int32(clamping: milliseconds)
  }
}
