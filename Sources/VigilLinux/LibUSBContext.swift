import VigilCore
import VigilSensors

/// One attached USB device, as enumeration found it.
public struct USBDeviceInfo: Hashable, Sendable {
  /// Vendor and product id.
  public var id: USBDeviceID
  /// Bus and device address.
  public var address: USBDeviceAddress

  /// Describes the device with `id` at `address`.
  public init(id: USBDeviceID, address: USBDeviceAddress) {
    self.id = id
    self.address = address
  }
}

/// A libusb session: enumerates attached devices and opens them.
///
/// Transports and watchers made from a context keep it alive.
public final class LibUSBContext {
  let pointer: OpaquePointer

  /// Starts a libusb session (`libusb_init`).
  public init() throws(USBError) {
    do {
      pointer = try LibUSB.makeContext()
    } catch {
      throw error.usbError
    }
  }

  deinit { LibUSB.destroyContext(pointer) }

  /// Whether libusb tells this process about plugging and unplugging by itself
  /// (`libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)`); ``USBDeviceWatcher`` rescans the bus
  /// when it does not.
  public var supportsHotplug: Bool { LibUSB.hasHotplug }

  /// The devices attached now (`libusb_get_device_list`).
  public func devices() throws(USBError) -> [USBDeviceInfo] {
    do {
      return try LibUSB.withDevices(pointer) { records in
        records.map { USBDeviceInfo(id: $0.id, address: $0.address) }
      }
    } catch {
      throw error.usbError
    }
  }

  /// Opens the first attached device with `id` (at `address`, when given) and claims
  /// `interface` for this process, detaching a kernel driver that holds it (`libusb_open`,
  /// `libusb_kernel_driver_active`, `libusb_detach_kernel_driver`,
  /// `libusb_claim_interface`). Throws ``USBError/notFound(_:)`` when no such device is
  /// attached.
  public func open(_ id: USBDeviceID, at address: USBDeviceAddress? = nil, interface: Int = 0)
    throws(USBError) -> LibUSBTransport
  {
    let opened: Result<OpaquePointer, LibUSBStatus>?
    do {
      opened = try LibUSB.withDevices(pointer) { records in
        guard
          let record = records.first(where: {
            $0.id == id && (address == nil || $0.address == address)
          })
        else { return nil }
        do throws(LibUSBStatus) {
          return .success(try LibUSB.open(record.device))
        } catch {
          return .failure(error)
        }
      }
    } catch {
      throw error.usbError
    }
    guard let opened else { throw .notFound(id) }
    let handle: OpaquePointer
    do {
      handle = try opened.get()
    } catch {
      throw error.usbError
    }
    return try LibUSBTransport(
      context: self, handle: handle, deviceID: id, interface: Int32(interface))
  }

  /// Runs pending libusb callbacks for up to `timeout`
  /// (`libusb_handle_events_timeout_completed`).
  func handleEvents(timeout: Duration) throws(USBError) {
    do {
      try LibUSB.handleEvents(pointer, timeout: timeout)
    } catch {
      throw error.usbError
    }
  }
}
