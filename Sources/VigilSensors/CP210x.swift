/// Silicon Labs CP210x USB-to-UART bridge: vendor requests and constants.
///
/// Sources: Silicon Labs AN571 "CP210x Virtual COM Port Interface" (section 5, request table;
/// bmRequestType 0x41 host-to-interface and 0xC1 interface-to-host, wIndex = interface number);
/// Linux `drivers/usb/serial/cp210x.c` (same codes; `cp210x_open` enables the interface before
/// any other request, `cp210x_close` purges both queues and disables it).
public enum CP210x {
  /// The default vendor and product id of CP2101-CP2104 bridges, used by Contec's cable.
  public static let deviceID = USBDeviceID(vendor: 0x10C4, product: 0xEA60)
  /// bmRequestType of a vendor request to the interface, host to device.
  public static let requestTypeOut: UInt8 = 0x41
  /// bmRequestType of a vendor request to the interface, device to host.
  public static let requestTypeIn: UInt8 = 0xC1
  /// Bulk IN endpoint of a single-port CP210x.
  public static let bulkInEndpoint: UInt8 = 0x81
  /// Bulk OUT endpoint of a single-port CP210x.
  public static let bulkOutEndpoint: UInt8 = 0x01
  /// wMaxPacketSize of the bulk endpoints.
  public static let maxPacketSize = 64

  /// IFC_ENABLE: wValue 1 enables the UART, 0 disables it.
  public static let ifcEnable: UInt8 = 0x00
  /// SET_LINE_CTL: wValue = word length << 8 | parity << 4 | stop bits.
  public static let setLineControl: UInt8 = 0x03
  /// GET_LINE_CTL: returns the line control word (2 bytes, little-endian).
  public static let getLineControl: UInt8 = 0x04
  /// SET_MHS: wValue sets DTR (bit 0) and RTS (bit 1) where the mask bits 8 and 9 allow.
  public static let setModemHandshake: UInt8 = 0x07
  /// GET_MDMSTS: returns the modem status byte.
  public static let getModemStatus: UInt8 = 0x08
  /// PURGE: wValue bits clear the transmit and receive queues.
  public static let purge: UInt8 = 0x12
  /// SET_FLOW: 16 bytes of flow-control settings.
  public static let setFlow: UInt8 = 0x13
  /// GET_BAUDRATE: returns the baud rate (4 bytes, little-endian).
  public static let getBaudRate: UInt8 = 0x1D
  /// SET_BAUDRATE: the data stage carries the baud rate (4 bytes, little-endian).
  public static let setBaudRate: UInt8 = 0x1E

  /// IFC_ENABLE wValue that enables the UART.
  public static let uartEnable: UInt16 = 0x0001
  /// IFC_ENABLE wValue that disables the UART.
  public static let uartDisable: UInt16 = 0x0000
  /// SET_MHS wValue asserting DTR and RTS (values in bits 0-1, write masks in bits 8-9).
  public static let dtrRTSOn: UInt16 = 0x0303
  /// PURGE wValue clearing both queues (Linux `PURGE_ALL`).
  public static let purgeAll: UInt16 = 0x000F

  /// The SET_LINE_CTL word for `configuration`: word length in bits 15:8, parity in 7:4
  /// (0 none, 1 odd, 2 even), stop bits in 3:0 (0 = 1, 2 = 2).
  public static func lineControl(_ configuration: SerialConfiguration) -> UInt16 {
    let parity: UInt16
    switch configuration.parity {
    case .none: parity = 0
    case .odd: parity = 1
    case .even: parity = 2
    }
    let stop: UInt16 = configuration.stopBits == 2 ? 2 : 0
    return UInt16(configuration.dataBits) << 8 | parity << 4 | stop
  }
}
