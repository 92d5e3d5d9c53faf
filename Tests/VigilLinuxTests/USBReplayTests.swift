import Foundation
import Testing
import VigilCore
import VigilLinux
import VigilSensors

/// The real ``LibUSBContext`` and ``LibUSBTransport`` replaying a recorded usbfs session of a
/// Contec CMS50D+ behind a CP2102, with umockdev's own replayer:
///
///     umockdev-run -d Tests/VigilLinuxTests/Fixtures/cms50dplus-cp2102.umockdev \
///       -i /dev/bus/usb/001/002=Tests/VigilLinuxTests/Fixtures/cms50dplus-cp2102.ioctl -- …
///
/// `Scripts/test-emulated` runs it that way and sets `VIGIL_USB_REPLAY=cms50dplus`; elsewhere
/// the suite is skipped. The session is synthesized, not captured from a real oximeter (see
/// `Scripts/fixtures/make-cms50dplus-replay.py`): AN571 configuration for 19200 baud 8O1, one
/// second of live packets (pulse 72/min, SpO2 97 %) in seven bulk IN URBs, then the cable
/// pulled while a read was pending. umockdev's ioctl-tree replayer matches URBs by content and
/// cannot express a device that stays silent, so timeouts are covered by the in-process
/// emulation (`LibUSBTransportEmulatedTests`).
@Suite(
  .enabled(
    if: ProcessInfo.processInfo.environment["VIGIL_USB_REPLAY"] == "cms50dplus",
    "runs inside umockdev-run: Scripts/test-emulated"))
struct USBReplayTests {
  static let cp2102 = USBDeviceID(vendor: 0x10C4, product: 0xEA60)

  /// Splits a byte stream into 5-byte packets at the bytes with bit 7 set.
  static func packets(_ stream: [UInt8]) -> [[UInt8]] {
    var packets: [[UInt8]] = []
    for byte in stream {
      if byte & 0x80 != 0 { packets.append([]) }
      if !packets.isEmpty { packets[packets.count - 1].append(byte) }
    }
    return packets
  }

  @Test func recordedCMS50DPlusSessionReplaysUntilTheCableIsPulled() throws {
    let context = try LibUSBContext()
    let devices = try context.devices()
    #expect(
      devices.contains(
        USBDeviceInfo(id: Self.cp2102, address: USBDeviceAddress(bus: 1, device: 2))))
    #expect(devices.contains { $0.id == USBDeviceID(vendor: 0x1D6B, product: 0x0002) })

    let transport = try context.open(Self.cp2102)
    let timeout = Duration.milliseconds(500)
    func vendor(_ request: UInt8, _ value: UInt16) -> USBControlSetup {
      USBControlSetup(requestType: 0x41, request: request, value: value, index: 0)
    }
    // The recording accepts exactly these requests: a wrong byte would not replay.
    #expect(try transport.controlOut(vendor(0x00, 1), data: [], timeout: timeout) == 0)
    #expect(
      try transport.controlOut(vendor(0x1E, 0), data: [0x00, 0x4B, 0x00, 0x00], timeout: timeout)
        == 4)
    #expect(try transport.controlOut(vendor(0x03, 0x0810), data: [], timeout: timeout) == 0)
    #expect(try transport.controlOut(vendor(0x07, 0x0303), data: [], timeout: timeout) == 0)

    var stream: [UInt8] = []
    var reads = 0
    var ending: USBError?
    while ending == nil && reads < 20 {
      do {
        stream += try transport.bulkIn(endpoint: 0x81, maxLength: 64, timeout: .seconds(1))
        reads += 1
      } catch {
        ending = error
      }
    }
    #expect(ending == .disconnected)
    #expect(reads == 7)
    #expect(stream.count == 300)

    let packets = Self.packets(stream)
    #expect(packets.count == 60)
    #expect(packets.allSatisfy { $0.count == 5 })
    #expect(packets.allSatisfy { $0[3] == 72 && $0[4] == 97 })  // pulse rate, SpO2
    #expect(packets.allSatisfy { $0[0] & 0x0F == 6 && $0[0] & 0x10 == 0 })  // signal, finger in
    // The first packet starts a beat (beep bit 6) at the middle of the pleth range.
    #expect(packets[0] == [0xC6, 0x40, 0x05, 0x48, 0x61])
    #expect(packets.filter { $0[0] & 0x40 != 0 }.count == 2)  // 72 beats a minute: 2 in 1 s

    #expect(transport.isDisconnected)
    #expect(throws: USBError.disconnected) {
      try transport.bulkIn(endpoint: 0x81, maxLength: 64, timeout: timeout)
    }
  }
}
