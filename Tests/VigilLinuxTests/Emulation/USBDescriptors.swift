/// The sysfs and udev description of a USB bus with a CP2102 bridge, in umockdev's text format,
/// the shape `umockdev-record /dev/bus/usb/BBB/DDD` writes. libusb reads the binary
/// `descriptors` attribute for the device and configuration descriptors.
enum USBDescriptors {
  /// CP2102 device descriptor (USB 1.1, 64-byte EP0, 10c4:ea60, release 1.00, strings 1-3)
  /// followed by its configuration: one bus-powered configuration (100 mA) with interface 0
  /// (vendor class 0xFF) and bulk endpoints 0x81 IN and 0x01 OUT of 64 bytes.
  static let cp2102 =
    "12011001000000" + "40C41060EA0001010203" + "01"
    + "0902200001010080" + "32" + "090400000" + "2FF000002" + "07058102400000"
    + "07050102400000"

  /// An xHCI USB 2.0 root hub (1d6b:0002).
  static let rootHubDescriptors =
    "12010002090001406B1D020001060302" + "0101" + "09021900010100E000" + "090400000109000000"
    + "0705810304000C"

  /// The sysfs path of bus `bus`'s root hub.
  static func hubPath(bus: Int) -> String { "/devices/pci0000:00/0000:00:14.0/usb\(bus)" }

  /// The root hub of bus `bus`.
  static func rootHub(bus: Int) -> String {
    let busName = format3(bus)
    return """
      P: \(hubPath(bus: bus))
      N: bus/usb/\(busName)/001
      E: SUBSYSTEM=usb
      E: DEVTYPE=usb_device
      E: DRIVER=usb
      E: DEVNAME=/dev/bus/usb/\(busName)/001
      E: BUSNUM=\(busName)
      E: DEVNUM=001
      E: PRODUCT=1d6b/2/601
      A: busnum=\(bus)\\n
      A: devnum=1\\n
      A: speed=480\\n
      A: bConfigurationValue=1\\n
      A: idVendor=1d6b\\n
      A: idProduct=0002\\n
      H: descriptors=\(rootHubDescriptors)

      """
  }

  /// A CP2102 at `address` on port 1 of bus `bus`; returns the text and its sysfs path.
  static func cp2102(bus: Int, address: Int) -> (text: String, devicePath: String) {
    let busName = format3(bus)
    let device = "\(hubPath(bus: bus))/\(bus)-1"
    let text = """
      P: \(device)
      N: bus/usb/\(busName)/\(format3(address))
      E: SUBSYSTEM=usb
      E: DEVTYPE=usb_device
      E: DRIVER=usb
      E: DEVNAME=/dev/bus/usb/\(busName)/\(format3(address))
      E: BUSNUM=\(busName)
      E: DEVNUM=\(format3(address))
      E: PRODUCT=10c4/ea60/100
      E: TYPE=0/0/0
      E: ID_VENDOR_ID=10c4
      E: ID_MODEL_ID=ea60
      E: ID_MODEL=CP2102_USB_to_UART_Bridge_Controller
      A: busnum=\(bus)\\n
      A: devnum=\(address)\\n
      A: devpath=1\\n
      A: speed=12\\n
      A: version= 1.10\\n
      A: bConfigurationValue=1\\n
      A: bNumConfigurations=1\\n
      A: bNumInterfaces= 1\\n
      A: bMaxPacketSize0=64\\n
      A: bmAttributes=80\\n
      A: bMaxPower=100mA\\n
      A: idVendor=10c4\\n
      A: idProduct=ea60\\n
      A: bcdDevice=0100\\n
      A: manufacturer=Silicon Labs\\n
      A: product=CP2102 USB to UART Bridge Controller\\n
      A: serial=0001\\n
      H: descriptors=\(cp2102)

      """
    return (text, device)
  }

  /// `7` as `007`, the form of `/dev/bus/usb` path parts.
  static func format3(_ value: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
  }
}
