import VigilSensors

extension Testbed {
  /// Adds an i2c-dev node (`/dev/i2c-N`, N unique in this process) whose ioctls `adapter`
  /// answers; returns its path.
  func addI2CAdapter(_ adapter: EmulatedI2CAdapter) throws -> String {
    let number = 20 + uniqueNumber()
    let devnode = "/dev/i2c-\(number)"
    // Attach before the node exists, so no open can reach an unhandled node.
    try attach(IoctlHandler(adapter), to: devnode)
    try addDevices(
      """
      P: /devices/platform/vigil-i2c.\(number)/i2c-\(number)/i2c-dev/i2c-\(number)
      N: i2c-\(number)
      E: SUBSYSTEM=i2c-dev
      E: DEVNAME=\(devnode)
      E: MAJOR=89
      E: MINOR=\(number)
      A: name=Vigil emulated I2C adapter \(number)\\n
      A: dev=89:\(number)\\n

      """)
    return devnode
  }
}

/// A CP2102 plugged into an emulated bus of the testbed.
struct PluggedCP2102: @unchecked Sendable {
  /// The bridge's behaviour.
  let bridge: EmulatedCP2102
  /// Its usbfs node's behaviour.
  let device: EmulatedUSBDevice
  /// Bus number and device address.
  let bus: Int
  /// The device address.
  let address: Int
  /// Its sysfs path, as umockdev names it (`/sys/devices/…`).
  let syspath: String
}

extension Testbed {
  /// A bus number no other test uses.
  func uniqueBus() -> Int { 10 + uniqueNumber() }

  /// Plugs a CP2102 into port 1 of `bus` at `address` (a root hub at address 1 comes with
  /// it the first time), with the cp210x kernel driver bound when `kernelDriverBound`.
  func plugCP2102(
    bus: Int, address: Int, bridge: EmulatedCP2102 = EmulatedCP2102(),
    kernelDriverBound: Bool = false
  ) throws -> PluggedCP2102 {
    let (device, syspath) = try plugCP2102Model(
      bridge, bus: bus, address: address, kernelDriverBound: kernelDriverBound)
    return PluggedCP2102(
      bridge: bridge, device: device, bus: bus, address: address, syspath: syspath)
  }

  /// Plugs any device model answering as a CP2102 (for example
  /// `VigilSimulation.SimulatedCP210x`) into port 1 of `bus` at `address`; returns its usbfs
  /// node and its sysfs path.
  func plugCP2102Model(
    _ model: any USBTransport, bus: Int, address: Int, kernelDriverBound: Bool = false
  ) throws -> (EmulatedUSBDevice, String) {
    let device = EmulatedUSBDevice(
      model: model, address: UInt8(address), kernelDriver: kernelDriverBound ? "cp210x" : nil)
    let devnode = "/dev/bus/usb/\(USBDescriptors.format3(bus))/\(USBDescriptors.format3(address))"
    try attach(IoctlHandler(device), to: devnode)
    if claimBus(bus) { try addDevices(USBDescriptors.rootHub(bus: bus)) }
    let (text, syspath) = USBDescriptors.cp2102(bus: bus, address: address)
    try addDevices(text)
    return (device, "/sys" + syspath)
  }

  /// Pulls the CP2102 out: its URBs fail, then udev announces the removal.
  func unplug(_ plugged: PluggedCP2102) { unplug(plugged.device, syspath: plugged.syspath) }

  /// Pulls the USB device at `syspath` out.
  func unplug(_ device: EmulatedUSBDevice, syspath: String) {
    device.unplug()
    uevent(syspath, action: "remove")
    removeDevice(syspath)
  }
}
