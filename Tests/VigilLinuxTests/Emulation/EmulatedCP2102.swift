import VigilCore
import VigilSensors

/// A Silicon Labs CP2102 USB-to-UART bridge as its USB interface behaves (Silicon Labs AN571,
/// "CP210x Virtual COM Port Interface"): vendor requests on interface 0 configure the UART, bulk
/// IN endpoint 0x81 carries what the attached device sends, bulk OUT 0x01 what it receives.
///
/// The UART side is the test's: ``deviceSends(_:)`` queues bytes from the oximeter, which reach
/// the host only while the interface is enabled (`IFC_ENABLE`), as on the chip. It implements
/// ``USBTransport`` from the device's side, which is what the usbfs emulation drives.
final class EmulatedCP2102: USBTransport {
  /// 10c4:ea60.
  let deviceID = USBDeviceID(vendor: 0x10C4, product: 0xEA60)

  /// AN571 request codes.
  enum Request {
    static let interfaceEnable: UInt8 = 0x00
    static let setLineControl: UInt8 = 0x03
    static let getLineControl: UInt8 = 0x04
    static let setModemHandshake: UInt8 = 0x07
    static let getCommStatus: UInt8 = 0x10
    static let purge: UInt8 = 0x12
    static let getBaudRate: UInt8 = 0x1D
    static let setBaudRate: UInt8 = 0x1E
  }

  /// Whether the UART interface is enabled.
  private(set) var enabled = false
  /// The baud rate last set (CP2102 reset value 9600).
  private(set) var baudRate: UInt32 = 9600
  /// Line control: stop bits in bits 0-3 (0 = 1), parity in 4-7 (1 = odd, 2 = even), word
  /// length in 8-15 (reset value 8N1: 0x0800).
  private(set) var lineControl: UInt16 = 0x0800
  /// The last modem handshake value (DTR bit 0, RTS bit 1, with write masks in bits 8-9).
  private(set) var modemHandshake: UInt16 = 0
  /// Bytes the host sent to the attached device.
  private(set) var sentToDevice: [UInt8] = []
  /// Every control request, in order.
  private(set) var requests: [USBControlSetup] = []

  private var fromDevice: [UInt8] = []

  /// The attached device (the oximeter) sends `bytes` over the UART.
  func deviceSends(_ bytes: [UInt8]) { fromDevice += bytes }

  func controlOut(_ setup: USBControlSetup, data: [UInt8], timeout: Duration) throws(USBError)
    -> Int
  {
    guard setup.requestType & 0x80 == 0, control(setup, data: data) != nil else { throw .stall }
    return data.count
  }

  func controlIn(_ setup: USBControlSetup, length: Int, timeout: Duration) throws(USBError)
    -> [UInt8]
  {
    guard setup.requestType & 0x80 != 0, let answer = control(setup, data: []) else {
      throw .stall
    }
    return Array(answer.prefix(length))
  }

  func bulkIn(endpoint: UInt8, maxLength: Int, timeout: Duration) throws(USBError) -> [UInt8] {
    guard endpoint == 0x81 else { throw .stall }
    guard enabled else { return [] }
    let chunk = Array(fromDevice.prefix(maxLength))
    fromDevice.removeFirst(chunk.count)
    return chunk
  }

  func bulkOut(endpoint: UInt8, data: [UInt8], timeout: Duration) throws(USBError) -> Int {
    guard endpoint == 0x01 else { throw .stall }
    if enabled { sentToDevice += data }
    return data.count
  }

  func interruptIn(endpoint: UInt8, maxLength: Int, timeout: Duration) throws(USBError)
    -> [UInt8]
  {
    throw .stall  // the CP2102 has no interrupt endpoint
  }

  /// The answer to an AN571 request: data for IN requests, empty for OUT ones, nil to stall.
  private func control(_ setup: USBControlSetup, data: [UInt8]) -> [UInt8]? {
    requests.append(setup)
    // Interface requests only, to interface 0.
    guard setup.index == 0 else { return nil }
    switch (setup.requestType, setup.request) {
    case (0x41, Request.interfaceEnable):
      enabled = setup.value != 0
      return []
    case (0x41, Request.setLineControl):
      lineControl = setup.value
      return []
    case (0xC1, Request.getLineControl):
      return [UInt8(lineControl & 0xFF), UInt8(lineControl >> 8)]
    case (0x41, Request.setModemHandshake):
      modemHandshake = setup.value
      return []
    case (0x41, Request.setBaudRate):
      guard data.count == 4 else { return nil }
      let rate = data.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
      // The CP2102 generates 300 baud to 1 Mbaud.
      guard (300...1_000_000).contains(rate) else { return nil }
      baudRate = rate
      return []
    case (0xC1, Request.getBaudRate):
      return (0..<4).map { UInt8(truncatingIfNeeded: baudRate >> (8 * $0)) }
    case (0x41, Request.purge):
      if setup.value & 0x0A != 0 { fromDevice.removeAll() }
      return []
    case (0xC1, Request.getCommStatus):
      // SERIAL_STATUS: errors, hold reasons, bytes in the receive queue, bytes in the
      // transmit queue (all 32-bit little-endian), EOF received, wait for immediate, reserved.
      let waiting = UInt32(fromDevice.count)
      return [0, 0, 0, 0, 0, 0, 0, 0]
        + (0..<4).map { UInt8(truncatingIfNeeded: waiting >> (8 * $0)) }
        + [0, 0, 0, 0, 0, 0, 0]
    default:
      return nil
    }
  }
}

/// Live-data packets of a Contec CMS50D+ with the legacy firmware (19200 baud 8O1, 60 packets a
/// second), in the layout documented by atbrask/CMS50Dplus: byte 0 has the sync bit 7, signal
/// strength in bits 0-3, finger out bit 4, dropping SpO2 bit 5, beep bit 6; byte 1 the pleth
/// waveform; byte 2 the bar graph in bits 0-3, probe error bit 4, searching bit 5 and pulse
/// rate bit 7 in bit 6; byte 3 pulse rate bits 0-6; byte 4 SpO2. Bytes 1-4 have bit 7 clear.
enum CMS50DPlusPacket {
  /// One live packet.
  static func live(
    pulseRate: Int, spo2: Int, pleth: UInt8, signalStrength: UInt8 = 6, bar: UInt8 = 5,
    fingerOut: Bool = false, searching: Bool = false
  ) -> [UInt8] {
    var first: UInt8 = 0x80 | (signalStrength & 0x0F)
    if fingerOut { first |= 0x10 }
    var third: UInt8 = bar & 0x0F
    if searching { third |= 0x20 }
    third |= UInt8((pulseRate & 0x80) >> 1)
    return [first, pleth & 0x7F, third, UInt8(pulseRate & 0x7F), UInt8(spo2 & 0x7F)]
  }
}
