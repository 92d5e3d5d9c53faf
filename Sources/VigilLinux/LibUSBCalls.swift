import CLibUSB
import VigilCore
import VigilSensors

/// A libusb return code below zero (`LIBUSB_ERROR_*`).
struct LibUSBStatus: Error, Hashable {
  /// The raw code.
  var code: Int32

  /// libusb's name for the code (`libusb_error_name`), as `LIBUSB_ERROR_TIMEOUT`.
  var name: String { String(cString: libusb_error_name(code)) }

  /// The ``USBError`` this code means, as ``USBError`` documents it.
  var usbError: USBError {
    switch code {
    case LIBUSB_ERROR_NO_DEVICE.rawValue: return .disconnected
    case LIBUSB_ERROR_TIMEOUT.rawValue: return .timeout
    case LIBUSB_ERROR_PIPE.rawValue: return .stall
    case LIBUSB_ERROR_OVERFLOW.rawValue: return .overflow
    case LIBUSB_ERROR_ACCESS.rawValue: return .accessDenied
    case LIBUSB_ERROR_BUSY.rawValue: return .busy
    default: return .other(code: code, name: name)
    }
  }
}

/// Every libusb-1.0 call the backends make, in one place: negative return codes become a
/// typed ``LibUSBStatus``.
enum LibUSB {
  /// Passes through a non-negative result, throws a negative one.
  @discardableResult
  static func check(_ result: Int32) throws(LibUSBStatus) -> Int32 {
    if result < 0 { throw LibUSBStatus(code: result) }
    return result
  }

  // MARK: Contexts

  /// `libusb_init`, with libusb's own logging limited to warnings.
  static func makeContext() throws(LibUSBStatus) -> OpaquePointer {
    var context: OpaquePointer?
    try check(libusb_init(&context))
    guard let context else { throw LibUSBStatus(code: LIBUSB_ERROR_OTHER.rawValue) }
    _ = vigil_libusb_set_option_int(
      context, LIBUSB_OPTION_LOG_LEVEL, Int32(LIBUSB_LOG_LEVEL_WARNING.rawValue))
    return context
  }

  /// `libusb_exit`.
  static func destroyContext(_ context: OpaquePointer) { libusb_exit(context) }

  /// `libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)`.
  static var hasHotplug: Bool {
    libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0
  }

  /// `libusb_handle_events_timeout_completed`: runs callbacks (hotplug, transfers) for up
  /// to `timeout`.
  static func handleEvents(_ context: OpaquePointer, timeout: Duration) throws(LibUSBStatus) {
    var interval = timeval(
      tv_sec: Int(timeout.nanoseconds / 1_000_000_000),
      tv_usec: Int(timeout.nanoseconds % 1_000_000_000 / 1000))
    try check(libusb_handle_events_timeout_completed(context, &interval, nil))
  }

  // MARK: Devices

  /// What libusb knows about one attached device without opening it.
  struct DeviceRecord {
    /// The device (referenced while the list is).
    var device: OpaquePointer
    /// Vendor and product id from the device descriptor.
    var id: USBDeviceID
    /// Bus number and device address.
    var address: USBDeviceAddress
  }

  /// `libusb_get_device_list` with each device's descriptor (`libusb_get_device_descriptor`,
  /// `libusb_get_bus_number`, `libusb_get_device_address`), handed to `body` before the list
  /// is freed (`libusb_free_device_list`).
  static func withDevices<Result>(
    _ context: OpaquePointer, _ body: ([DeviceRecord]) -> Result
  ) throws(LibUSBStatus) -> Result {
    var list: UnsafeMutablePointer<OpaquePointer?>?
    let count = Int(try check(Int32(truncatingIfNeeded: libusb_get_device_list(context, &list))))
    defer { libusb_free_device_list(list, 1) }
    var records: [DeviceRecord] = []
    for index in 0..<count {
      guard let device = list?[index] else { continue }
      guard let record = try? deviceRecord(device) else { continue }
      records.append(record)
    }
    return body(records)
  }

  /// The id and address of `device` (`libusb_get_device_descriptor`, which reads cached
  /// descriptors and may be called from a hotplug callback).
  static func deviceRecord(_ device: OpaquePointer) throws(LibUSBStatus) -> DeviceRecord {
    var descriptor = libusb_device_descriptor()
    try check(libusb_get_device_descriptor(device, &descriptor))
    return DeviceRecord(
      device: device, id: USBDeviceID(vendor: descriptor.idVendor, product: descriptor.idProduct),
      address: USBDeviceAddress(
        bus: libusb_get_bus_number(device), device: libusb_get_device_address(device)))
  }

  /// `libusb_open`.
  static func open(_ device: OpaquePointer) throws(LibUSBStatus) -> OpaquePointer {
    var handle: OpaquePointer?
    try check(libusb_open(device, &handle))
    guard let handle else { throw LibUSBStatus(code: LIBUSB_ERROR_OTHER.rawValue) }
    return handle
  }

  /// `libusb_close`.
  static func close(_ handle: OpaquePointer) { libusb_close(handle) }

  // MARK: Interfaces

  /// `libusb_kernel_driver_active`: whether a kernel driver (cp210x, cdc_acm…) is bound.
  static func kernelDriverActive(_ handle: OpaquePointer, interface: Int32) throws(LibUSBStatus)
    -> Bool
  {
    let result = libusb_kernel_driver_active(handle, interface)
    // NOT_SUPPORTED: the platform cannot tell, so there is nothing to detach.
    if result == LIBUSB_ERROR_NOT_SUPPORTED.rawValue { return false }
    return try check(result) == 1
  }

  /// `libusb_detach_kernel_driver`.
  static func detachKernelDriver(_ handle: OpaquePointer, interface: Int32)
    throws(LibUSBStatus)
  {
    try check(libusb_detach_kernel_driver(handle, interface))
  }

  /// `libusb_attach_kernel_driver`; failures are ignored (the device may be gone).
  static func attachKernelDriver(_ handle: OpaquePointer, interface: Int32) {
    _ = libusb_attach_kernel_driver(handle, interface)
  }

  /// `libusb_claim_interface`.
  static func claim(_ handle: OpaquePointer, interface: Int32) throws(LibUSBStatus) {
    try check(libusb_claim_interface(handle, interface))
  }

  /// `libusb_release_interface`; failures are ignored (the device may be gone).
  static func release(_ handle: OpaquePointer, interface: Int32) {
    _ = libusb_release_interface(handle, interface)
  }

  // MARK: Transfers

  /// `libusb_control_transfer` with `buffer` as the data stage; returns the bytes moved.
  static func control(
    _ handle: OpaquePointer, _ setup: USBControlSetup, buffer: inout [UInt8],
    timeoutMilliseconds: UInt32
  ) throws(LibUSBStatus) -> Int {
    let length = UInt16(clamping: buffer.count)
    let result = buffer.withUnsafeMutableBufferPointer { data in
      libusb_control_transfer(
        handle, setup.requestType, setup.request, setup.value, setup.index, data.baseAddress,
        length, timeoutMilliseconds)
    }
    return Int(try check(result))
  }

  /// The outcome of a bulk or interrupt transfer: the bytes moved, and the error that ended
  /// it early, if any (a timeout can still have moved some bytes).
  struct TransferOutcome {
    /// Bytes transferred.
    var transferred: Int
    /// Why the transfer ended before completing, or nil.
    var status: LibUSBStatus?
  }

  /// `libusb_bulk_transfer` (or `libusb_interrupt_transfer` when `interrupt`) on `endpoint`
  /// with `buffer`.
  static func transfer(
    _ handle: OpaquePointer, endpoint: UInt8, buffer: inout [UInt8], interrupt: Bool,
    timeoutMilliseconds: UInt32
  ) -> TransferOutcome {
    var transferred: Int32 = 0
    let length = Int32(clamping: buffer.count)
    let result = buffer.withUnsafeMutableBufferPointer { data in
      interrupt
        ? libusb_interrupt_transfer(
          handle, endpoint, data.baseAddress, length, &transferred, timeoutMilliseconds)
        : libusb_bulk_transfer(
          handle, endpoint, data.baseAddress, length, &transferred, timeoutMilliseconds)
    }
    return TransferOutcome(
      transferred: Int(transferred), status: result < 0 ? LibUSBStatus(code: result) : nil)
  }

  // MARK: Hotplug

  /// The C signature of a hotplug callback.
  typealias HotplugCallback =
    @convention(c) (
      OpaquePointer?, OpaquePointer?, libusb_hotplug_event, UnsafeMutableRawPointer?
    ) -> Int32

  /// `libusb_hotplug_register_callback` for arrivals and departures of `id` (any device when
  /// nil), reporting devices already attached too (`LIBUSB_HOTPLUG_ENUMERATE`).
  static func registerHotplug(
    _ context: OpaquePointer, id: USBDeviceID?, callback: HotplugCallback,
    userData: UnsafeMutableRawPointer
  ) throws(LibUSBStatus) -> libusb_hotplug_callback_handle {
    var handle: libusb_hotplug_callback_handle = 0
    let any = LIBUSB_HOTPLUG_MATCH_ANY
    try check(
      libusb_hotplug_register_callback(
        context,
        Int32(
          LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue),
        Int32(LIBUSB_HOTPLUG_ENUMERATE.rawValue), id.map { Int32($0.vendor) } ?? any,
        id.map { Int32($0.product) } ?? any, any, callback, userData, &handle))
    return handle
  }

  /// `libusb_hotplug_deregister_callback`.
  static func deregisterHotplug(
    _ context: OpaquePointer, _ handle: libusb_hotplug_callback_handle
  ) {
    libusb_hotplug_deregister_callback(context, handle)
  }

  /// Whether a hotplug event is an arrival.
  static func isArrival(_ event: libusb_hotplug_event) -> Bool {
    event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED
  }
}
