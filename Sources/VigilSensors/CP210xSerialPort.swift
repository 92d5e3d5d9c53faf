import VigilCore

/// A ``SerialPort`` over a CP210x USB-to-UART bridge driven directly through a ``USBTransport``
/// (libusb), using the bridge's own vendor control requests (AN571) and its bulk endpoints, so a
/// serial-protocol driver such as ``ContecOximeter`` runs unchanged without the kernel's
/// `cp210x` tty driver.
///
/// ``configure(_:)`` sends, in order: IFC_ENABLE (UART on; first time only), SET_BAUDRATE,
/// SET_LINE_CTL, SET_MHS (DTR and RTS on) and PURGE (both queues), each as a vendor request to
/// interface `interface`. ``close()`` purges and disables the UART, as Linux's `cp210x_close`
/// does. USB errors become ``SerialError``: an unplugged device is ``SerialError/disconnected``;
/// others map to the errno a tty would report (stall EPIPE, overflow EOVERFLOW, access EACCES,
/// busy EBUSY, timeout ETIMEDOUT, anything else EIO).
public final class CP210xSerialPort<Transport: USBTransport>: SerialPort {
  /// The opened bridge.
  public let transport: Transport
  /// The interface number (wIndex of every request).
  public let interface: UInt16
  /// Timeout for control and bulk OUT transfers.
  public var timeout = Duration.milliseconds(500)
  /// The last configuration applied.
  public private(set) var configuration: SerialConfiguration?

  private var enabled = false
  private var pending: [UInt8] = []

  /// Wraps an opened CP210x with its interface claimed.
  public init(transport: Transport, interface: UInt16 = 0) {
    self.transport = transport
    self.interface = interface
  }

  private func vendorOut(_ request: UInt8, value: UInt16, data: [UInt8] = []) throws(SerialError) {
    let setup = USBControlSetup(
      requestType: CP210x.requestTypeOut, request: request, value: value, index: interface)
    let sent: Int
    do {
      sent = try transport.controlOut(setup, data: data, timeout: timeout)
    } catch {
      throw Self.map(error)
    }
    guard sent == data.count else { throw .io(errno: 5) }
  }

  /// Maps a USB failure to the serial error a tty would give.
  public static func map(_ error: USBError) -> SerialError {
    switch error {
    case .notFound, .disconnected: return .disconnected
    case .timeout: return .io(errno: 110)  // ETIMEDOUT
    case .stall: return .io(errno: 32)  // EPIPE
    case .overflow: return .io(errno: 75)  // EOVERFLOW
    case .accessDenied: return .io(errno: 13)  // EACCES
    case .busy: return .io(errno: 16)  // EBUSY
    case .other: return .io(errno: 5)  // EIO
    }
  }

  /// Applies the framing through the bridge's vendor requests.
  public func configure(_ configuration: SerialConfiguration) throws(SerialError) {
    guard (5...8).contains(configuration.dataBits) else {
      throw .unsupportedConfiguration(reason: "CP210x: \(configuration.dataBits) data bits")
    }
    guard configuration.stopBits == 1 || configuration.stopBits == 2 else {
      throw .unsupportedConfiguration(reason: "CP210x: \(configuration.stopBits) stop bits")
    }
    guard configuration.baudRate >= 300 && configuration.baudRate <= 3_000_000 else {
      throw .unsupportedConfiguration(reason: "CP210x: \(configuration.baudRate) baud")
    }
    if !enabled {
      try vendorOut(CP210x.ifcEnable, value: CP210x.uartEnable)
      enabled = true
    }
    let baud = UInt32(configuration.baudRate)
    try vendorOut(
      CP210x.setBaudRate, value: 0,
      data: [
        UInt8(baud & 0xFF), UInt8(baud >> 8 & 0xFF), UInt8(baud >> 16 & 0xFF), UInt8(baud >> 24),
      ])
    try vendorOut(CP210x.setLineControl, value: CP210x.lineControl(configuration))
    try vendorOut(CP210x.setModemHandshake, value: CP210x.dtrRTSOn)
    try vendorOut(CP210x.purge, value: CP210x.purgeAll)
    pending.removeAll()
    self.configuration = configuration
  }

  /// Returns bytes already received, or reads one bulk IN transfer (a multiple of the 64-byte
  /// packet size, so the device never overflows the request).
  public func read(maxCount: Int, timeout: Duration) throws(SerialError) -> [UInt8] {
    if pending.isEmpty {
      let length = max(CP210x.maxPacketSize, (maxCount + 63) / 64 * 64)
      do {
        pending = try transport.bulkIn(
          endpoint: CP210x.bulkInEndpoint, maxLength: length, timeout: timeout)
      } catch {
        if error == .timeout { return [] }
        throw Self.map(error)
      }
    }
    if pending.count <= maxCount {
      defer { pending.removeAll(keepingCapacity: true) }
      return pending
    }
    let head = Array(pending[..<maxCount])
    pending.removeFirst(maxCount)
    return head
  }

  /// Writes all of `bytes` to the bulk OUT endpoint.
  public func write(_ bytes: [UInt8]) throws(SerialError) {
    let written: Int
    do {
      written = try transport.bulkOut(
        endpoint: CP210x.bulkOutEndpoint, data: bytes, timeout: timeout)
    } catch {
      throw Self.map(error)
    }
    guard written == bytes.count else { throw .io(errno: 5) }
  }

  /// Purges both queues and disables the UART; errors are ignored (the device may be gone).
  public func close() {
    guard enabled else { return }
    enabled = false
    try? vendorOut(CP210x.purge, value: CP210x.purgeAll)
    try? vendorOut(CP210x.ifcEnable, value: CP210x.uartDisable)
  }
}
