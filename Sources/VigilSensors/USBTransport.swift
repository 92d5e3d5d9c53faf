import VigilCore

/// A USB vendor and product id pair, as `10c4:ea60`.
public struct USBDeviceID: Hashable, Sendable, CustomStringConvertible {
  /// The vendor id.
  public var vendor: UInt16
  /// The product id.
  public var product: UInt16
  /// Creates an id from its vendor and product numbers.
  public init(vendor: UInt16, product: UInt16) {
    self.vendor = vendor
    self.product = product
  }
  /// The id as `vvvv:pppp` in lower-case hexadecimal.
  public var description: String { hex4(vendor) + ":" + hex4(product) }
}

private func hex4(_ value: UInt16) -> String {
  let digits: [Character] = [
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f",
  ]
  var text = ""
  for shift in stride(from: 12, through: 0, by: -4) {
    text.append(digits[Int((value >> UInt16(shift)) & 0xF)])
  }
  return text
}

/// Why a USB operation failed.
///
/// The libusb backend maps `LIBUSB_ERROR_*` codes here.
public enum USBError: Error, Hashable, Sendable {
  /// No device with this id is attached.
  case notFound(USBDeviceID)
  /// The device was unplugged (`LIBUSB_ERROR_NO_DEVICE`).
  case disconnected
  /// The transfer did not complete within its timeout (`LIBUSB_ERROR_TIMEOUT`).
  case timeout
  /// The endpoint stalled or the request was refused (`LIBUSB_ERROR_PIPE`).
  case stall
  /// The device sent more data than requested (`LIBUSB_ERROR_OVERFLOW`).
  case overflow
  /// Permission to open the device node was denied (`LIBUSB_ERROR_ACCESS`): check udev rules.
  case accessDenied
  /// The interface is claimed by another program or driver (`LIBUSB_ERROR_BUSY`).
  case busy
  /// Any other libusb failure, with its code and name.
  case other(code: Int32, name: String)
}

/// The setup fields of a USB control transfer.
public struct USBControlSetup: Hashable, Sendable {
  /// `bmRequestType`: direction, type (standard, class, vendor) and recipient.
  public var requestType: UInt8
  /// `bRequest`.
  public var request: UInt8
  /// `wValue`.
  public var value: UInt16
  /// `wIndex`.
  public var index: UInt16
  /// Creates the setup fields of a control transfer.
  public init(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16) {
    self.requestType = requestType
    self.request = request
    self.value = value
    self.index = index
  }
}

/// An opened USB device with its interface claimed: the interface USB drivers are written
/// against. The libusb backend implements it; tests run it under umockdev or a byte-level
/// simulation.
public protocol USBTransport: AnyObject {
  /// The device's vendor and product id.
  var deviceID: USBDeviceID { get }

  /// Sends `data` in the data stage of a host-to-device control transfer; returns the number
  /// of bytes sent.
  func controlOut(_ setup: USBControlSetup, data: [UInt8], timeout: Duration) throws(USBError)
    -> Int

  /// Performs a device-to-host control transfer reading at most `length` bytes.
  func controlIn(_ setup: USBControlSetup, length: Int, timeout: Duration) throws(USBError)
    -> [UInt8]

  /// Reads at most `maxLength` bytes from bulk IN `endpoint` (0x81-0x8F); an empty result
  /// means the timeout passed with no data.
  func bulkIn(endpoint: UInt8, maxLength: Int, timeout: Duration) throws(USBError) -> [UInt8]

  /// Writes `data` to bulk OUT `endpoint`; returns the number of bytes written.
  func bulkOut(endpoint: UInt8, data: [UInt8], timeout: Duration) throws(USBError) -> Int

  /// Reads at most `maxLength` bytes from interrupt IN `endpoint`; empty on timeout.
  func interruptIn(endpoint: UInt8, maxLength: Int, timeout: Duration) throws(USBError) -> [UInt8]
}
