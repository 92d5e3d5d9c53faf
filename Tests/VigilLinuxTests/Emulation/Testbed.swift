import CUMockdev
import Foundation

/// Whether the umockdev-based tests can run in this process, and whether they must.
///
/// They need libumockdev's preload library (`umockdev-wrapper swift test …`, as
/// `Scripts/test-emulated` does). A plain `swift test` skips them; when
/// `VIGIL_REQUIRE_EMULATION=1` is set (the script and CI set it) a missing preload library is
/// a failure instead of a skip.
enum Emulation {
  /// The preload library is loaded and no other testbed (umockdev-run) owns this process.
  static var isAvailable: Bool { preloadLoaded && !inReplay }

  /// libumockdev-preload is mapped into this process (`LD_PRELOAD`).
  static let preloadLoaded: Bool = {
    guard let handle = dlopen("libumockdev-preload.so.0", RTLD_NOW | RTLD_NOLOAD) else {
      return false
    }
    dlclose(handle)
    return true
  }()

  /// The test run promised emulation, so its absence must fail rather than skip.
  static var isRequired: Bool {
    ProcessInfo.processInfo.environment["VIGIL_REQUIRE_EMULATION"] == "1" && !inReplay
  }

  /// Suites that emulate devices in-process run when the emulator is there or required.
  static var shouldRun: Bool { isAvailable || isRequired }

  /// Running inside `umockdev-run` replaying a recorded session (see `USBReplayTests`).
  static var inReplay: Bool {
    ProcessInfo.processInfo.environment["VIGIL_USB_REPLAY"] != nil
  }
}

/// The process's one umockdev testbed: a private `/sys` and `/dev` that the preload library
/// shows to this process. Device nodes get their ioctls answered by ``IoctlHandler``s.
final class Testbed: @unchecked Sendable {
  /// The shared testbed, created on first use; nil when the preload library is absent.
  static let shared: Testbed? = Emulation.isAvailable ? Testbed() : nil

  private let testbed: UnsafeMutablePointer<UMockdevTestbed>
  private let lock = NSLock()
  private var handlers: [String: IoctlHandler] = [:]
  private var nextNumber = 0
  private var busesWithHubs: Set<Int> = []

  private init() {
    testbed = umockdev_testbed_new()
  }

  /// A fresh number for device nodes, so tests running in parallel never share a node.
  func uniqueNumber() -> Int {
    lock.lock()
    defer { lock.unlock() }
    nextNumber += 1
    return nextNumber
  }

  /// Records that bus `bus` has its root hub; true the first time.
  func claimBus(_ bus: Int) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return busesWithHubs.insert(bus).inserted
  }

  /// Routes the ioctls (and reads and writes) on `devnode` to `handler`.
  func attach(_ handler: IoctlHandler, to devnode: String) throws {
    lock.lock()
    defer { lock.unlock() }
    var error: UnsafeMutablePointer<GError>?
    let attached = umockdev_testbed_attach_ioctl(testbed, devnode, handler.base, &error)
    if let error {
      defer { g_error_free(error) }
      throw EmulationError.umockdev(String(cString: error.pointee.message))
    }
    guard attached != 0 else { throw EmulationError.umockdev("attaching \(devnode) failed") }
    handlers[devnode] = handler
  }

  /// Adds devices described in umockdev's text format (`P:`, `N:`, `E:`, `A:`, `H:` lines).
  func addDevices(_ description: String) throws {
    lock.lock()
    defer { lock.unlock() }
    var error: UnsafeMutablePointer<GError>?
    let added = umockdev_testbed_add_from_string(testbed, description, &error)
    if let error {
      defer { g_error_free(error) }
      throw EmulationError.umockdev(String(cString: error.pointee.message))
    }
    guard added != 0 else { throw EmulationError.umockdev("adding devices failed") }
  }

  /// Sends a uevent (`add`, `remove`, `change`) for the device at `syspath`.
  func uevent(_ syspath: String, action: String) {
    umockdev_testbed_uevent(testbed, syspath, action)
  }

  /// Removes the device at `syspath` (and its node) from the testbed.
  func removeDevice(_ syspath: String) {
    lock.lock()
    defer { lock.unlock() }
    umockdev_testbed_remove_device(testbed, syspath)
  }
}

/// A failure of the emulation itself (not of the code under test).
enum EmulationError: Error, CustomStringConvertible {
  /// umockdev refused a request.
  case umockdev(String)
  /// The test run needs the umockdev preload library and it is missing.
  case preloadMissing

  var description: String {
    switch self {
    case .umockdev(let message): return "umockdev: \(message)"
    case .preloadMissing:
      return "VIGIL_REQUIRE_EMULATION=1 but libumockdev-preload is not loaded: "
        + "run the tests through Scripts/test-emulated (umockdev-wrapper)"
    }
  }
}

extension Testbed {
  /// The shared testbed, or a failure saying why it is missing (only reached when emulation
  /// is required).
  static func require() throws -> Testbed {
    guard let shared else { throw EmulationError.preloadMissing }
    return shared
  }
}
