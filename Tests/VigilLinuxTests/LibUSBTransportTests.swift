import Foundation
import Glibc
import Testing
import VigilCore
import VigilSensors

@testable import VigilLinux

/// The real ``LibUSBContext``, ``LibUSBTransport`` and ``USBDeviceWatcher`` (libusb-1.0 over
/// usbfs) against a CP2102 bridge emulated below usbfs (see `Emulation/EmulatedUSBDevice.swift`
/// and `Emulation/EmulatedCP2102.swift`), carrying a Contec CMS50D+'s live packets.
///
/// Serialized: libusb keeps one udev monitor per process, so a device plugged by one test
/// would show up in another's watcher.
@Suite(
  .serialized,
  .enabled(if: Emulation.shouldRun, "needs umockdev's preload library: Scripts/test-emulated"))
struct LibUSBTransportEmulatedTests {
  static let cp2102 = USBDeviceID(vendor: 0x10C4, product: 0xEA60)

  /// AN571 vendor requests to interface 0.
  static func vendorOut(_ request: UInt8, value: UInt16 = 0) -> USBControlSetup {
    USBControlSetup(requestType: 0x41, request: request, value: value, index: 0)
  }

  static func vendorIn(_ request: UInt8) -> USBControlSetup {
    USBControlSetup(requestType: 0xC1, request: request, value: 0, index: 0)
  }

  /// Enables the UART at 19200 baud 8O1 with DTR and RTS on: the Contec legacy setup.
  static func configureForContec(_ transport: LibUSBTransport) throws {
    let timeout = Duration.milliseconds(500)
    _ = try transport.controlOut(vendorOut(0x00, value: 1), data: [], timeout: timeout)
    _ = try transport.controlOut(
      vendorOut(0x1E), data: [0x00, 0x4B, 0x00, 0x00], timeout: timeout)
    _ = try transport.controlOut(vendorOut(0x03, value: 0x0810), data: [], timeout: timeout)
    _ = try transport.controlOut(vendorOut(0x07, value: 0x0303), data: [], timeout: timeout)
  }

  /// Reads bulk IN until `count` bytes arrived or a read comes back empty.
  static func read(_ transport: LibUSBTransport, count: Int) throws -> [UInt8] {
    var bytes: [UInt8] = []
    while bytes.count < count {
      let chunk = try transport.bulkIn(endpoint: 0x81, maxLength: 64, timeout: .milliseconds(500))
      if chunk.isEmpty { break }
      bytes += chunk
    }
    return bytes
  }

  @Test func enumerationFindsTheBridgeByVendorAndProductID() throws {
    let testbed = try Testbed.require()
    let bus = testbed.uniqueBus()
    let plugged = try testbed.plugCP2102(bus: bus, address: 2)
    defer { testbed.unplug(plugged) }
    let context = try LibUSBContext()
    let devices = try context.devices()
    #expect(
      devices.contains(
        USBDeviceInfo(id: Self.cp2102, address: USBDeviceAddress(bus: UInt8(bus), device: 2))))
  }

  @Test func openDetachesTheCP210xKernelDriverClaimsAndGivesItBack() throws {
    let testbed = try Testbed.require()
    let bus = testbed.uniqueBus()
    let plugged = try testbed.plugCP2102(bus: bus, address: 2, kernelDriverBound: true)
    defer { testbed.unplug(plugged) }
    let context = try LibUSBContext()
    do {
      let transport = try context.open(
        Self.cp2102, at: USBDeviceAddress(bus: UInt8(bus), device: 2))
      #expect(transport.deviceID == Self.cp2102)
      #expect(plugged.device.claimedInterfaces == [0])
      #expect(plugged.device.driverDisconnects == 1)
      #expect(plugged.device.kernelDriver == nil)
    }
    // Closing released the interface and rebound cp210x, so /dev/ttyUSB0 comes back.
    #expect(plugged.device.claimedInterfaces.isEmpty)
    #expect(plugged.device.kernelDriver == "cp210x")
  }

  @Test func absentDeviceThrowsNotFound() throws {
    _ = try Testbed.require()
    let context = try LibUSBContext()
    let nonin = USBDeviceID(vendor: 0x1FFE, product: 0x0010)
    #expect(throws: USBError.notFound(nonin)) { try context.open(nonin) }
  }

  @Test func vendorRequestsConfigureTheBridgeAsAN571Describes() throws {
    let testbed = try Testbed.require()
    let bus = testbed.uniqueBus()
    let plugged = try testbed.plugCP2102(bus: bus, address: 2)
    defer { testbed.unplug(plugged) }
    let context = try LibUSBContext()
    let transport = try context.open(
      Self.cp2102, at: USBDeviceAddress(bus: UInt8(bus), device: 2))
    try Self.configureForContec(transport)
    #expect(plugged.bridge.enabled)
    #expect(plugged.bridge.baudRate == 19200)
    #expect(plugged.bridge.lineControl == 0x0810)  // 8 data bits, odd parity, 1 stop bit
    #expect(plugged.bridge.modemHandshake == 0x0303)
    let timeout = Duration.milliseconds(500)
    #expect(
      try transport.controlIn(Self.vendorIn(0x1D), length: 4, timeout: timeout) == [
        0x00, 0x4B, 0x00, 0x00,
      ])
    #expect(
      try transport.controlIn(Self.vendorIn(0x04), length: 2, timeout: timeout) == [0x10, 0x08])
  }

  @Test func unsupportedVendorRequestStalls() throws {
    let testbed = try Testbed.require()
    let bus = testbed.uniqueBus()
    let plugged = try testbed.plugCP2102(bus: bus, address: 2)
    defer { testbed.unplug(plugged) }
    let transport = try LibUSBContext().open(
      Self.cp2102, at: USBDeviceAddress(bus: UInt8(bus), device: 2))
    #expect(throws: USBError.stall) {
      // 1 baud is outside what the CP2102 can generate: it stalls the request.
      try transport.controlOut(
        Self.vendorOut(0x1E), data: [0x01, 0x00, 0x00, 0x00], timeout: .milliseconds(500))
    }
  }

  @Test func bulkInDeliversContecPacketsInOrder() throws {
    let testbed = try Testbed.require()
    let bus = testbed.uniqueBus()
    let plugged = try testbed.plugCP2102(bus: bus, address: 2)
    defer { testbed.unplug(plugged) }
    let transport = try LibUSBContext().open(
      Self.cp2102, at: USBDeviceAddress(bus: UInt8(bus), device: 2))
    try Self.configureForContec(transport)
    let packets = [
      CMS50DPlusPacket.live(pulseRate: 72, spo2: 97, pleth: 0x45),
      CMS50DPlusPacket.live(pulseRate: 72, spo2: 97, pleth: 0x50),
      CMS50DPlusPacket.live(pulseRate: 131, spo2: 96, pleth: 0x58),
    ]
    plugged.bridge.deviceSends(packets.flatMap { $0 })
    let bytes = try Self.read(transport, count: 15)
    #expect(bytes == packets.flatMap { $0 })
    // Pulse rate 131 needs its bit 7 in bit 6 of the third byte.
    #expect(bytes[12] == 0x05 | 0x40)
    #expect(bytes[13] == 131 & 0x7F)
  }

  @Test func interruptTransferToAnEndpointTheBridgeLacksStalls() throws {
    let testbed = try Testbed.require()
    let bus = testbed.uniqueBus()
    let plugged = try testbed.plugCP2102(bus: bus, address: 2)
    defer { testbed.unplug(plugged) }
    let transport = try LibUSBContext().open(
      Self.cp2102, at: USBDeviceAddress(bus: UInt8(bus), device: 2))
    #expect(throws: USBError.stall) {
      try transport.interruptIn(endpoint: 0x82, maxLength: 8, timeout: .milliseconds(200))
    }
    #expect(!transport.isDisconnected)
  }

  @Test func bulkOutReachesTheOximeter() throws {
    let testbed = try Testbed.require()
    let bus = testbed.uniqueBus()
    let plugged = try testbed.plugCP2102(bus: bus, address: 2)
    defer { testbed.unplug(plugged) }
    let transport = try LibUSBContext().open(
      Self.cp2102, at: USBDeviceAddress(bus: UInt8(bus), device: 2))
    try Self.configureForContec(transport)
    let start: [UInt8] = [0x7D, 0x81, 0xA1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]
    #expect(try transport.bulkOut(endpoint: 0x01, data: start, timeout: .milliseconds(500)) == 9)
    #expect(plugged.bridge.sentToDevice == start)
  }

  @Test func bulkInWithNothingToSendReturnsEmptyAfterItsTimeout() throws {
    let testbed = try Testbed.require()
    let bus = testbed.uniqueBus()
    let plugged = try testbed.plugCP2102(bus: bus, address: 2)
    defer { testbed.unplug(plugged) }
    let transport = try LibUSBContext().open(
      Self.cp2102, at: USBDeviceAddress(bus: UInt8(bus), device: 2))
    try Self.configureForContec(transport)
    let clock = SystemClock()
    let start = clock.now
    let bytes = try transport.bulkIn(endpoint: 0x81, maxLength: 64, timeout: .milliseconds(80))
    #expect(bytes.isEmpty)
    #expect(clock.now - start >= .milliseconds(80))
    // libusb cancelled the URB when the time was up.
    #expect(plugged.device.discardedURBs == 1)
  }

  @Test func unplugDuringAReadThrowsDisconnectedAndStaysDisconnected() throws {
    let testbed = try Testbed.require()
    let bus = testbed.uniqueBus()
    let plugged = try testbed.plugCP2102(bus: bus, address: 2)
    let transport = try LibUSBContext().open(
      Self.cp2102, at: USBDeviceAddress(bus: UInt8(bus), device: 2))
    try Self.configureForContec(transport)
    let unplugger = Thread {
      usleep(100_000)
      testbed.unplug(plugged)
    }
    unplugger.start()
    let clock = SystemClock()
    let start = clock.now
    #expect(throws: USBError.disconnected) {
      try transport.bulkIn(endpoint: 0x81, maxLength: 64, timeout: .seconds(5))
    }
    #expect(clock.now - start < .seconds(5))
    #expect(transport.isDisconnected)
    #expect(throws: USBError.disconnected) {
      try transport.controlIn(Self.vendorIn(0x1D), length: 4, timeout: .milliseconds(100))
    }
  }

  @Test(arguments: [false, true])
  func watcherReportsUnplugAndReplugAtANewAddress(rescanning: Bool) throws {
    let testbed = try Testbed.require()
    let bus = testbed.uniqueBus()
    let context = try LibUSBContext()
    #expect(context.supportsHotplug)
    let watcher = try USBDeviceWatcher(
      context: context, matching: Self.cp2102,
      strategy: rescanning ? .rescanning(interval: .milliseconds(20)) : .hotplug)
    let first = try testbed.plugCP2102(bus: bus, address: 2)
    let firstAddress = USBDeviceInfo(
      id: Self.cp2102, address: USBDeviceAddress(bus: UInt8(bus), device: 2))
    #expect(try Self.events(watcher, until: .arrived(firstAddress)).last == .arrived(firstAddress))

    testbed.unplug(first)
    #expect(try Self.events(watcher, until: .left(firstAddress)).last == .left(firstAddress))

    // Plugged back in, the bridge gets the next free address.
    let second = try testbed.plugCP2102(bus: bus, address: 3)
    defer { testbed.unplug(second) }
    let secondAddress = USBDeviceInfo(
      id: Self.cp2102, address: USBDeviceAddress(bus: UInt8(bus), device: 3))
    #expect(
      try Self.events(watcher, until: .arrived(secondAddress)).last == .arrived(secondAddress))
    let transport = try context.open(Self.cp2102, at: secondAddress.address)
    try Self.configureForContec(transport)
    let packet = CMS50DPlusPacket.live(pulseRate: 64, spo2: 98, pleth: 0x30)
    second.bridge.deviceSends(packet)
    #expect(try Self.read(transport, count: 5) == packet)
  }

  /// Polls `watcher` until `event` is reported (at most two seconds); returns every event seen.
  /// Devices of other buses are filtered out by address.
  static func events(_ watcher: USBDeviceWatcher, until event: USBDeviceEvent) throws
    -> [USBDeviceEvent]
  {
    var seen: [USBDeviceEvent] = []
    for _ in 0..<20 {
      seen += try watcher.poll(timeout: .milliseconds(100)).filter { $0.bus == event.bus }
      if seen.last == event { break }
    }
    return seen
  }
}

extension USBDeviceEvent {
  /// The bus the event happened on.
  var bus: UInt8 {
    switch self {
    case .arrived(let info), .left(let info): return info.address.bus
    }
  }
}

@Suite struct LibUSBTimeoutTests {
  @Test func timeoutsRoundUpToWholeMillisecondsAndNeverMeanForever() {
    #expect(LibUSBTransport.milliseconds(.zero) == 1)
    #expect(LibUSBTransport.milliseconds(Duration(nanoseconds: 1)) == 1)
    #expect(LibUSBTransport.milliseconds(.milliseconds(250)) == 250)
    #expect(LibUSBTransport.milliseconds(Duration(nanoseconds: 250_000_001)) == 251)
  }
}
