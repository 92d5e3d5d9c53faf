import CUMockdev
import Foundation
import VigilSensors

/// A USB device's usbfs node (`/dev/bus/usb/BBB/DDD`), emulated at the ioctl level the way
/// `drivers/usb/core/devio.c` behaves for libusb: URBs submitted with `USBDEVFS_SUBMITURB`
/// complete when the device function answers and are handed back by `USBDEVFS_REAPURBNDELAY`
/// (EAGAIN while none has completed), `USBDEVFS_DISCARDURB` cancels with -ENOENT, interfaces
/// are claimed and a bound kernel driver must be disconnected first (`USBDEVFS_IOCTL` with
/// `USBDEVFS_DISCONNECT`) or the claim fails with EBUSY. After ``unplug()`` pending URBs
/// complete with -ESHUTDOWN, as the host controller reports them, and everything else fails
/// with ENODEV.
///
/// The device itself is any ``USBTransport`` implementation used from the device's side: the
/// emulation passes each URB on to it (`controlIn`/`controlOut` for control URBs, `bulkIn` with
/// a zero timeout while an IN URB is pending, `bulkOut`), so ``EmulatedCP2102`` here or
/// `VigilSimulation.SimulatedCP210x` with its simulated oximeter can sit behind usbfs. A
/// ``USBError/stall`` becomes -EPIPE, ``USBError/disconnected`` -ESHUTDOWN.
final class EmulatedUSBDevice: EmulatedDeviceNode {
  /// The device model answering transfers.
  let model: any USBTransport
  /// The device address (for `USBDEVFS_CONNECTINFO`).
  let address: UInt8
  /// The kernel driver bound to interface 0 (`cp210x` on a ward PC), or nil.
  private(set) var kernelDriver: String?
  /// Interfaces claimed through usbfs.
  private(set) var claimedInterfaces: Set<UInt32> = []
  /// How many times a kernel driver was disconnected / reconnected through usbfs.
  private(set) var driverDisconnects = 0
  /// How many times a kernel driver was reconnected.
  private(set) var driverReconnects = 0
  /// How many URBs were discarded (libusb does this when a transfer times out).
  private(set) var discardedURBs = 0
  /// Requests the emulation does not know, for diagnosing a failing test.
  private(set) var unknownRequests: [UInt] = []

  private let boundDriver: String?
  private var pending: [UnsafeMutablePointer<usbdevfs_urb>] = []
  private var completed: [UnsafeMutablePointer<usbdevfs_urb>] = []
  private var unplugged = false
  private let lock = NSLock()

  /// Creates the node of a device at `address` answered by `model`, with `kernelDriver`
  /// bound to interface 0.
  init(model: any USBTransport, address: UInt8, kernelDriver: String? = nil) {
    self.model = model
    self.address = address
    self.kernelDriver = kernelDriver
    boundDriver = kernelDriver
  }

  /// The cable is pulled: pending URBs complete with -ESHUTDOWN, later calls fail with
  /// ENODEV. Safe to call from any thread.
  func unplug() {
    lock.lock()
    defer { lock.unlock() }
    unplugged = true
    for urb in pending {
      urb.pointee.status = -ESHUTDOWN
      urb.pointee.actual_length = 0
      completed.append(urb)
    }
    pending.removeAll()
  }

  func handle(_ call: IoctlCall) -> IoctlReply {
    lock.lock()
    defer { lock.unlock() }
    let request = call.request
    switch request {
    case vigil_usbdevfs_reapurbndelay(), vigil_usbdevfs_reapurb():
      return reap(into: call.pointer)
    case vigil_usbdevfs_releaseinterface():
      if let number = call.pointer?.load(as: UInt32.self) { claimedInterfaces.remove(number) }
      return unplugged ? .failure(ENODEV) : .success(0)
    default:
      break
    }
    if unplugged { return .failure(ENODEV) }
    switch request {
    case vigil_usbdevfs_submiturb():
      guard let pointer = call.pointer else { return .failure(EFAULT) }
      return submit(pointer.assumingMemoryBound(to: usbdevfs_urb.self))
    case vigil_usbdevfs_discardurb():
      guard let index = pending.firstIndex(where: { UInt(bitPattern: $0) == call.argument })
      else { return .failure(EINVAL) }
      let urb = pending.remove(at: index)
      urb.pointee.status = -ENOENT
      urb.pointee.actual_length = 0
      completed.append(urb)
      discardedURBs += 1
      return .success(0)
    case vigil_usbdevfs_get_capabilities():
      // Zero-length packets, bulk continuation, no packet size limit, scatter-gather, reap
      // after disconnect: what an xHCI controller reports.
      call.pointer?.storeBytes(of: UInt32(0x1F), as: UInt32.self)
      return .success(0)
    case vigil_usbdevfs_claiminterface():
      guard let number = call.pointer?.load(as: UInt32.self) else { return .failure(EFAULT) }
      guard number == 0 else { return .failure(ENOENT) }
      if kernelDriver != nil { return .failure(EBUSY) }
      claimedInterfaces.insert(number)
      return .success(0)
    case vigil_usbdevfs_getdriver():
      guard let pointer = call.pointer else { return .failure(EFAULT) }
      let query = pointer.assumingMemoryBound(to: usbdevfs_getdriver.self)
      guard query.pointee.interface == 0, let kernelDriver else { return .failure(ENODATA) }
      withUnsafeMutableBytes(of: &query.pointee.driver) { name in
        name.initializeMemory(as: UInt8.self, repeating: 0)
        for (index, byte) in kernelDriver.utf8.enumerated() { name[index] = byte }
      }
      return .success(0)
    case vigil_usbdevfs_ioctl():
      guard let pointer = call.pointer else { return .failure(EFAULT) }
      let command = pointer.assumingMemoryBound(to: usbdevfs_ioctl.self).pointee
      if UInt(bitPattern: Int(command.ioctl_code)) == vigil_usbdevfs_disconnect() {
        guard kernelDriver != nil else { return .failure(ENODATA) }
        kernelDriver = nil
        driverDisconnects += 1
        return .success(0)
      }
      if UInt(bitPattern: Int(command.ioctl_code)) == vigil_usbdevfs_connect() {
        kernelDriver = boundDriver
        driverReconnects += 1
        return .success(0)
      }
      return .failure(ENOTTY)
    case vigil_usbdevfs_connectinfo():
      guard let pointer = call.pointer else { return .failure(EFAULT) }
      pointer.assumingMemoryBound(to: usbdevfs_connectinfo.self).pointee =
        usbdevfs_connectinfo(devnum: UInt32(address), slow: 0)
      return .success(0)
    case vigil_usbdevfs_clear_halt(), vigil_usbdevfs_resetep(), vigil_usbdevfs_reset(),
      vigil_usbdevfs_setinterface(), vigil_usbdevfs_setconfiguration():
      return .success(0)
    default:
      // USBDEVFS_DISCONNECT_CLAIM among others: libusb falls back on ENOTTY.
      unknownRequests.append(request)
      return .failure(ENOTTY)
    }
  }

  private func submit(_ urb: UnsafeMutablePointer<usbdevfs_urb>) -> IoctlReply {
    let length = Int(urb.pointee.buffer_length)
    guard length >= 0, length == 0 || urb.pointee.buffer != nil else { return .failure(EINVAL) }
    let buffer = UnsafeMutableRawBufferPointer(start: urb.pointee.buffer, count: length)
    switch Int32(urb.pointee.type) {
    case USBDEVFS_URB_TYPE_CONTROL:
      guard length >= 8 else { return .failure(EINVAL) }
      let setup = USBControlSetup(
        requestType: buffer[0], request: buffer[1],
        value: UInt16(buffer[2]) | UInt16(buffer[3]) << 8,
        index: UInt16(buffer[4]) | UInt16(buffer[5]) << 8)
      let stageLength = min(Int(UInt16(buffer[6]) | UInt16(buffer[7]) << 8), length - 8)
      do throws(USBError) {
        var count = 0
        if setup.requestType & 0x80 != 0 {
          let answer = try model.controlIn(setup, length: stageLength, timeout: .zero)
          count = min(answer.count, stageLength)
          for index in 0..<count { buffer[8 + index] = answer[index] }
        } else {
          count = try model.controlOut(
            setup, data: Array(buffer[8..<(8 + stageLength)]), timeout: .zero)
        }
        urb.pointee.actual_length = Int32(count)
        urb.pointee.status = 0
      } catch {
        urb.pointee.actual_length = 0
        urb.pointee.status = Self.status(for: error)
      }
      completed.append(urb)
    case USBDEVFS_URB_TYPE_BULK, USBDEVFS_URB_TYPE_INTERRUPT:
      let endpoint = urb.pointee.endpoint
      if endpoint & 0x80 != 0 {
        pending.append(urb)
      } else {
        do throws(USBError) {
          let written = try model.bulkOut(endpoint: endpoint, data: Array(buffer), timeout: .zero)
          urb.pointee.actual_length = Int32(written)
          urb.pointee.status = 0
        } catch {
          urb.pointee.actual_length = 0
          urb.pointee.status = Self.status(for: error)
        }
        completed.append(urb)
      }
    default:
      return .failure(EINVAL)
    }
    return .success(0)
  }

  /// The URB status a host controller reports for what the device did.
  private static func status(for error: USBError) -> Int32 {
    switch error {
    case .stall: return -EPIPE
    case .disconnected: return -ESHUTDOWN
    case .overflow: return -EOVERFLOW
    case .timeout: return -ETIMEDOUT
    default: return -EPROTO
    }
  }

  private func reap(into pointer: UnsafeMutableRawPointer?) -> IoctlReply {
    guard let pointer else { return .failure(EFAULT) }
    // The host controller polls IN endpoints: give pending URBs what the device has now.
    var stillPending: [UnsafeMutablePointer<usbdevfs_urb>] = []
    for urb in pending {
      let maxLength = Int(urb.pointee.buffer_length)
      let bytes: [UInt8]
      do throws(USBError) {
        bytes =
          Int32(urb.pointee.type) == USBDEVFS_URB_TYPE_INTERRUPT
          ? try model.interruptIn(
            endpoint: urb.pointee.endpoint, maxLength: maxLength, timeout: .zero)
          : try model.bulkIn(endpoint: urb.pointee.endpoint, maxLength: maxLength, timeout: .zero)
      } catch {
        urb.pointee.actual_length = 0
        urb.pointee.status = Self.status(for: error)
        completed.append(urb)
        continue
      }
      // Nothing yet: the host controller keeps the URB and polls again.
      if bytes.isEmpty {
        stillPending.append(urb)
        continue
      }
      let count = min(bytes.count, maxLength)
      let buffer = UnsafeMutableRawBufferPointer(start: urb.pointee.buffer, count: maxLength)
      for index in 0..<count { buffer[index] = bytes[index] }
      urb.pointee.actual_length = Int32(count)
      urb.pointee.status = 0
      completed.append(urb)
    }
    pending = stillPending
    guard !completed.isEmpty else { return .failure(unplugged ? ENODEV : EAGAIN) }
    let urb = completed.removeFirst()
    pointer.storeBytes(of: UnsafeMutableRawPointer(urb), as: UnsafeMutableRawPointer.self)
    return .success(0)
  }
}
