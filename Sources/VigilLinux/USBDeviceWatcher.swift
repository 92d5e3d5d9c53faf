import CLibUSB
import Synchronization
import VigilCore
import VigilSensors

/// A device plugged in or pulled out.
public enum USBDeviceEvent: Hashable, Sendable {
  /// The device is attached (also reported once for each device already attached when the
  /// watcher starts).
  case arrived(USBDeviceInfo)
  /// The device was unplugged.
  case left(USBDeviceInfo)
}

/// Notices USB devices being plugged in and pulled out, so a driver can reopen its oximeter
/// after a nurse re-seats the cable.
///
/// Where libusb has hotplug support (`LIBUSB_CAP_HAS_HOTPLUG`: Linux with udev or netlink) it
/// registers a hotplug callback; elsewhere, or when asked to, it rescans the device list and
/// reports the difference.
public final class USBDeviceWatcher {
  /// How the watcher learns about devices.
  public enum Strategy: Sendable {
    /// libusb hotplug callbacks (`libusb_hotplug_register_callback`).
    case hotplug
    /// Comparing successive device lists (`libusb_get_device_list`).
    case rescanning(interval: Duration)
  }

  /// The strategy in use.
  public let strategy: Strategy

  private let context: LibUSBContext
  private let id: USBDeviceID?
  private let queue = HotplugQueue()
  private var registration: libusb_hotplug_callback_handle?
  private var known: Set<USBDeviceInfo> = []

  /// Watches for devices with `id` (all devices when nil), with `strategy` or, by default,
  /// hotplug callbacks when libusb has them and rescanning every 250 ms otherwise.
  public init(context: LibUSBContext, matching id: USBDeviceID? = nil, strategy: Strategy? = nil)
    throws(USBError)
  {
    self.context = context
    self.id = id
    self.strategy =
      strategy ?? (context.supportsHotplug ? .hotplug : .rescanning(interval: .milliseconds(250)))
    guard case .hotplug = self.strategy else { return }
    guard context.supportsHotplug else {
      throw .other(code: LIBUSB_ERROR_NOT_SUPPORTED.rawValue, name: "LIBUSB_ERROR_NOT_SUPPORTED")
    }
    do {
      registration = try LibUSB.registerHotplug(
        context.pointer, id: id, callback: hotplugCallback,
        userData: Unmanaged.passUnretained(queue).toOpaque())
    } catch {
      throw error.usbError
    }
  }

  deinit {
    if let registration { LibUSB.deregisterHotplug(context.pointer, registration) }
  }

  /// Waits up to `timeout` for plug or unplug events and returns them in order (empty when
  /// nothing happened).
  public func poll(timeout: Duration) throws(USBError) -> [USBDeviceEvent] {
    let clock = SystemClock()
    let deadline = clock.now + timeout
    while true {
      let events = try collect()
      let now = clock.now
      if !events.isEmpty || now >= deadline { return events }
      var wait = deadline - now
      if case .rescanning(let interval) = strategy, interval < wait { wait = interval }
      try context.handleEvents(timeout: wait)
    }
  }

  private func collect() throws(USBError) -> [USBDeviceEvent] {
    switch strategy {
    case .hotplug:
      return queue.drain()
    case .rescanning:
      let current = Set(try context.devices().filter { id == nil || $0.id == id })
      let left = known.subtracting(current).sorted(by: Self.order).map(USBDeviceEvent.left)
      let arrived = current.subtracting(known).sorted(by: Self.order).map(
        USBDeviceEvent.arrived)
      known = current
      return left + arrived
    }
  }

  private static func order(_ lhs: USBDeviceInfo, _ rhs: USBDeviceInfo) -> Bool {
    (lhs.address.bus, lhs.address.device) < (rhs.address.bus, rhs.address.device)
  }
}

/// Events from the hotplug callback, which runs on whichever thread handles libusb events.
private final class HotplugQueue: Sendable {
  private let events = Mutex<[USBDeviceEvent]>([])

  func append(_ event: USBDeviceEvent) { events.withLock { $0.append(event) } }

  func drain() -> [USBDeviceEvent] {
    events.withLock { pending in
      defer { pending.removeAll() }
      return pending
    }
  }
}

/// libusb's hotplug callback: records the event; returning 0 keeps the registration.
private let hotplugCallback: LibUSB.HotplugCallback = { _, device, event, userData in
  guard let device, let userData,
    let record = try? LibUSB.deviceRecord(device)
  else { return 0 }
  let info = USBDeviceInfo(id: record.id, address: record.address)
  let queue = Unmanaged<HotplugQueue>.fromOpaque(userData).takeUnretainedValue()
  queue.append(LibUSB.isArrival(event) ? .arrived(info) : .left(info))
  return 0
}
