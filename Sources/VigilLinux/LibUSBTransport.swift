import VigilCore
import VigilSensors

/// An opened USB device with one interface claimed, through libusb-1.0's synchronous API.
///
/// Every transfer has a timeout: libusb's "0 means forever" is never passed, a zero or
/// sub-millisecond ``Duration`` waits one millisecond. Codes map to ``USBError`` as it
/// documents; once a call reports ``USBError/disconnected`` (the device was unplugged), every
/// later call does too, at once: open the device again from its ``LibUSBContext`` when a
/// ``USBDeviceWatcher`` reports it back. Closing (deinit) releases the interface and gives it
/// back to the kernel driver it was taken from.
public final class LibUSBTransport: USBTransport {
  /// The device's vendor and product id.
  public let deviceID: USBDeviceID
  /// The claimed interface number.
  public let interface: Int

  private let context: LibUSBContext
  private let handle: OpaquePointer
  private let detachedKernelDriver: Bool
  private var disconnected = false

  init(context: LibUSBContext, handle: OpaquePointer, deviceID: USBDeviceID, interface: Int32)
    throws(USBError)
  {
    self.context = context
    self.handle = handle
    self.deviceID = deviceID
    self.interface = Int(interface)
    var detached = false
    do {
      if try LibUSB.kernelDriverActive(handle, interface: interface) {
        try LibUSB.detachKernelDriver(handle, interface: interface)
        detached = true
      }
      try LibUSB.claim(handle, interface: interface)
    } catch {
      if detached { LibUSB.attachKernelDriver(handle, interface: interface) }
      LibUSB.close(handle)
      throw error.usbError
    }
    detachedKernelDriver = detached
  }

  deinit {
    LibUSB.release(handle, interface: Int32(interface))
    if detachedKernelDriver { LibUSB.attachKernelDriver(handle, interface: Int32(interface)) }
    LibUSB.close(handle)
  }

  /// Whether a call has found the device unplugged.
  public var isDisconnected: Bool { disconnected }

  /// A host-to-device control transfer (`libusb_control_transfer`); `setup.requestType` must
  /// have bit 7 clear.
  public func controlOut(_ setup: USBControlSetup, data: [UInt8], timeout: Duration)
    throws(USBError) -> Int
  {
    try checkConnected()
    guard setup.requestType & 0x80 == 0 else {
      throw .other(code: -2, name: "controlOut with device-to-host requestType")
    }
    var buffer = data
    do {
      return try LibUSB.control(
        handle, setup, buffer: &buffer, timeoutMilliseconds: Self.milliseconds(timeout))
    } catch {
      throw failure(error)
    }
  }

  /// A device-to-host control transfer (`libusb_control_transfer`); `setup.requestType` must
  /// have bit 7 set.
  public func controlIn(_ setup: USBControlSetup, length: Int, timeout: Duration)
    throws(USBError) -> [UInt8]
  {
    try checkConnected()
    guard setup.requestType & 0x80 != 0 else {
      throw .other(code: -2, name: "controlIn with host-to-device requestType")
    }
    var buffer = [UInt8](repeating: 0, count: min(max(length, 0), Int(UInt16.max)))
    let count: Int
    do {
      count = try LibUSB.control(
        handle, setup, buffer: &buffer, timeoutMilliseconds: Self.milliseconds(timeout))
    } catch {
      throw failure(error)
    }
    return Array(buffer.prefix(count))
  }

  /// Reads from bulk IN `endpoint` (`libusb_bulk_transfer`); what arrived before the timeout,
  /// empty when nothing did.
  public func bulkIn(endpoint: UInt8, maxLength: Int, timeout: Duration) throws(USBError)
    -> [UInt8]
  {
    try read(endpoint: endpoint, maxLength: maxLength, timeout: timeout, interrupt: false)
  }

  /// Writes to bulk OUT `endpoint` (`libusb_bulk_transfer`); throws ``USBError/timeout`` when
  /// not everything was taken in time.
  public func bulkOut(endpoint: UInt8, data: [UInt8], timeout: Duration) throws(USBError) -> Int {
    try checkConnected()
    guard endpoint & 0x80 == 0 else {
      throw .other(code: -2, name: "bulkOut to IN endpoint")
    }
    var buffer = data
    let outcome = LibUSB.transfer(
      handle, endpoint: endpoint, buffer: &buffer, interrupt: false,
      timeoutMilliseconds: Self.milliseconds(timeout))
    if let status = outcome.status { throw failure(status) }
    return outcome.transferred
  }

  /// Reads from interrupt IN `endpoint` (`libusb_interrupt_transfer`); empty on timeout.
  public func interruptIn(endpoint: UInt8, maxLength: Int, timeout: Duration) throws(USBError)
    -> [UInt8]
  {
    try read(endpoint: endpoint, maxLength: maxLength, timeout: timeout, interrupt: true)
  }

  // MARK: Helpers

  private func read(endpoint: UInt8, maxLength: Int, timeout: Duration, interrupt: Bool)
    throws(USBError) -> [UInt8]
  {
    try checkConnected()
    guard endpoint & 0x80 != 0 else {
      throw .other(code: -2, name: "IN transfer from OUT endpoint")
    }
    guard maxLength > 0 else { return [] }
    var buffer = [UInt8](repeating: 0, count: maxLength)
    let outcome = LibUSB.transfer(
      handle, endpoint: endpoint, buffer: &buffer, interrupt: interrupt,
      timeoutMilliseconds: Self.milliseconds(timeout))
    if let status = outcome.status, status.usbError != .timeout { throw failure(status) }
    return Array(buffer.prefix(outcome.transferred))
  }

  /// libusb timeouts in whole milliseconds, at least 1 (0 would mean "wait forever").
  static func milliseconds(_ timeout: Duration) -> UInt32 {
    let rounded = (timeout.nanoseconds / 1_000_000) + (timeout.nanoseconds % 1_000_000 == 0 ? 0 : 1)
    return UInt32(clamping: max(1, rounded))
  }

  private func checkConnected() throws(USBError) {
    if disconnected { throw .disconnected }
  }

  private func failure(_ status: LibUSBStatus) -> USBError {
    let error = status.usbError
    if error == .disconnected { disconnected = true }
    return error
  }
}
