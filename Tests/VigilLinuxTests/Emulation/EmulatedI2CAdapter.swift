import CI2C
import Foundation
import VigilSensors

/// The kernel's i2c-dev character device (`/dev/i2c-N`), emulated at the ioctl level in front
/// of a register-level bus model.
///
/// It answers `I2C_SLAVE`/`I2C_SLAVE_FORCE`, `I2C_FUNCS`, `I2C_SMBUS` and `I2C_RDWR` the way
/// `drivers/i2c/i2c-dev.c` and the I2C core do (argument checks, EINVAL for malformed
/// requests, EOPNOTSUPP for transfer types the adapter lacks, the selected address per open
/// file), and carries each bus transaction out on `model`: any ``I2CBus`` implementation, such
/// as ``RegisterFileI2CBus`` here or `VigilSimulation.SimulatedI2CBus` with its chip models.
/// Model errors go back as the errno a real adapter reports (no device: ENXIO, or ENODEV like
/// `i2c-stub`; NAK: EREMOTEIO; clock stretched too long: ETIMEDOUT).
final class EmulatedI2CAdapter: EmulatedDeviceNode {
  /// One transaction as the adapter saw it, for asserting which path the code took.
  enum Transaction: Equatable {
    /// `I2C_SLAVE` to this address.
    case select(UInt8)
    /// `I2C_SMBUS` of this size (`I2C_SMBUS_BYTE_DATA`…) and direction.
    case smbus(size: Int32, read: Bool, command: UInt8)
    /// `I2C_RDWR` with this many messages.
    case combined(messages: Int)
  }

  /// The bus model carrying out the transactions.
  let model: any I2CBus
  /// The `I2C_FUNCS` bits this adapter reports; transfer types outside them fail with
  /// EOPNOTSUPP, as on `i2c-stub`.
  var functionality: I2CFunctionality
  /// Answer `I2C_RDWR` with EOPNOTSUPP even when ``functionality`` claims plain I2C.
  var refusesCombinedTransfers = false
  /// Addresses a kernel driver has bound: `I2C_SLAVE` fails with EBUSY there.
  var addressesClaimedByDrivers: Set<UInt8> = []
  /// The errno for an address nobody answers (ENXIO on real adapters, ENODEV on i2c-stub).
  var absentAddressErrno: Int32 = ENXIO
  /// How many of the next `I2C_SMBUS` calls a signal interrupts (they fail with EINTR before
  /// reaching the bus, as when the process catches a signal).
  var interruptedTransfers = 0
  /// Every transaction, in order.
  private(set) var transactions: [Transaction] = []

  private var selectedAddresses: [UInt: UInt8] = [:]

  /// Creates an adapter in front of `model`, reporting `functionality` (default: the model's).
  init(model: any I2CBus, functionality: I2CFunctionality? = nil) {
    self.model = model
    self.functionality = functionality ?? model.functionality
  }

  func handle(_ call: IoctlCall) -> IoctlReply {
    switch Int32(call.request) {
    case I2C_SLAVE, I2C_SLAVE_FORCE:
      guard call.argument <= 0x7F else { return .failure(EINVAL) }
      let address = UInt8(call.argument)
      if Int32(call.request) == I2C_SLAVE && addressesClaimedByDrivers.contains(address) {
        return .failure(EBUSY)
      }
      transactions.append(.select(address))
      selectedAddresses[call.client] = address
      return .success(0)
    case I2C_FUNCS:
      guard let pointer = call.pointer else { return .failure(EFAULT) }
      pointer.storeBytes(of: UInt(functionality.rawValue), as: UInt.self)
      return .success(0)
    case I2C_SMBUS:
      if interruptedTransfers > 0 {
        interruptedTransfers -= 1
        return .failure(EINTR)
      }
      guard let pointer = call.pointer else { return .failure(EFAULT) }
      let request = pointer.assumingMemoryBound(to: i2c_smbus_ioctl_data.self)
      return smbus(request, address: selectedAddresses[call.client] ?? 0)
    case I2C_RDWR:
      guard let pointer = call.pointer else { return .failure(EFAULT) }
      return combined(pointer.assumingMemoryBound(to: i2c_rdwr_ioctl_data.self))
    case I2C_TENBIT:
      return call.argument == 0 ? .success(0) : .failure(EINVAL)
    case I2C_PEC, I2C_RETRIES, I2C_TIMEOUT:
      return .success(0)
    default:
      return .failure(ENOTTY)
    }
  }

  // MARK: I2C_SMBUS

  private func smbus(_ request: UnsafeMutablePointer<i2c_smbus_ioctl_data>, address: UInt8)
    -> IoctlReply
  {
    let read = request.pointee.read_write == UInt8(I2C_SMBUS_READ)
    guard read || request.pointee.read_write == UInt8(I2C_SMBUS_WRITE) else {
      return .failure(EINVAL)
    }
    var size = Int32(request.pointee.size)
    let command = request.pointee.command
    let needsData = !(size == I2C_SMBUS_QUICK || (size == I2C_SMBUS_BYTE && !read))
    let data = request.pointee.data
    if needsData && data == nil { return .failure(EINVAL) }
    if size == I2C_SMBUS_I2C_BLOCK_BROKEN {
      size = I2C_SMBUS_I2C_BLOCK_DATA
      if read { withUnsafeMutableBytes(of: &data!.pointee.block) { $0[0] = 32 } }
    }
    transactions.append(.smbus(size: size, read: read, command: command))
    guard let bit = Self.functionalityBit(size: size, read: read) else {
      return .failure(EOPNOTSUPP)
    }
    guard functionality.contains(bit) else { return .failure(EOPNOTSUPP) }
    let target = I2CAddress(address)
    do throws(I2CError) {
      switch size {
      case I2C_SMBUS_QUICK:
        _ = try model.writeRead(at: target, write: [], readCount: 0)
      case I2C_SMBUS_BYTE:
        if read {
          data!.pointee.byte = try model.writeRead(at: target, write: [], readCount: 1)[0]
        } else {
          _ = try model.writeRead(at: target, write: [command], readCount: 0)
        }
      case I2C_SMBUS_BYTE_DATA:
        if read {
          data!.pointee.byte = try model.readByte(at: target, register: command)
        } else {
          try model.writeByte(at: target, register: command, value: data!.pointee.byte)
        }
      case I2C_SMBUS_WORD_DATA:
        // SMBus words travel low byte first.
        if read {
          let bytes = try model.readBlock(at: target, register: command, count: 2)
          data!.pointee.word = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
        } else {
          let word = data!.pointee.word
          try write(target, register: command, [UInt8(word & 0xFF), UInt8(word >> 8)])
        }
      case I2C_SMBUS_I2C_BLOCK_DATA:
        let length = withUnsafeBytes(of: &data!.pointee.block) { Int($0[0]) }
        guard (1...Int(I2C_SMBUS_BLOCK_MAX)).contains(length) else { return .failure(EINVAL) }
        if read {
          let bytes = try model.readBlock(at: target, register: command, count: length)
          withUnsafeMutableBytes(of: &data!.pointee.block) { block in
            for (index, byte) in bytes.enumerated() { block[index + 1] = byte }
          }
        } else {
          let bytes = withUnsafeBytes(of: &data!.pointee.block) { Array($0[1...length]) }
          try write(target, register: command, bytes)
        }
      default:
        return .failure(EOPNOTSUPP)
      }
    } catch {
      return .failure(errno(for: error))
    }
    return .success(0)
  }

  /// A register write of several bytes, as one plain-I2C write when the model supports it.
  private func write(_ target: I2CAddress, register: UInt8, _ bytes: [UInt8]) throws(I2CError) {
    if model.functionality.contains(.plainI2C) {
      _ = try model.writeRead(at: target, write: [register] + bytes, readCount: 0)
    } else {
      for (offset, byte) in bytes.enumerated() {
        try model.writeByte(at: target, register: register &+ UInt8(offset), value: byte)
      }
    }
  }

  private static func functionalityBit(size: Int32, read: Bool) -> I2CFunctionality? {
    let bits: UInt32
    switch size {
    case I2C_SMBUS_QUICK: bits = UInt32(I2C_FUNC_SMBUS_QUICK)
    case I2C_SMBUS_BYTE: bits = UInt32(read ? I2C_FUNC_SMBUS_READ_BYTE : I2C_FUNC_SMBUS_WRITE_BYTE)
    case I2C_SMBUS_BYTE_DATA:
      bits = UInt32(read ? I2C_FUNC_SMBUS_READ_BYTE_DATA : I2C_FUNC_SMBUS_WRITE_BYTE_DATA)
    case I2C_SMBUS_WORD_DATA:
      bits = UInt32(read ? I2C_FUNC_SMBUS_READ_WORD_DATA : I2C_FUNC_SMBUS_WRITE_WORD_DATA)
    case I2C_SMBUS_I2C_BLOCK_DATA:
      bits = UInt32(read ? I2C_FUNC_SMBUS_READ_I2C_BLOCK : I2C_FUNC_SMBUS_WRITE_I2C_BLOCK)
    default: return nil
    }
    return I2CFunctionality(rawValue: bits)
  }

  // MARK: I2C_RDWR

  private func combined(_ request: UnsafeMutablePointer<i2c_rdwr_ioctl_data>) -> IoctlReply {
    let count = Int(request.pointee.nmsgs)
    transactions.append(.combined(messages: count))
    guard functionality.contains(.plainI2C), !refusesCombinedTransfers else {
      return .failure(EOPNOTSUPP)
    }
    guard count <= Int(I2C_RDWR_IOCTL_MAX_MSGS), let messages = request.pointee.msgs else {
      return .failure(EINVAL)
    }
    let list = UnsafeMutableBufferPointer(start: messages, count: count)
    guard list.allSatisfy({ $0.len <= 8192 && ($0.len == 0 || $0.buf != nil) }) else {
      return .failure(EINVAL)
    }
    var index = 0
    do throws(I2CError) {
      while index < count {
        let message = list[index]
        let target = I2CAddress(UInt8(truncatingIfNeeded: message.addr))
        let isRead = message.flags & UInt16(I2C_M_RD) != 0
        if isRead {
          let bytes = try model.writeRead(at: target, write: [], readCount: Int(message.len))
          copy(bytes, into: message)
          index += 1
          continue
        }
        let written = Array(UnsafeBufferPointer(start: message.buf, count: Int(message.len)))
        if index + 1 < count, list[index + 1].flags & UInt16(I2C_M_RD) != 0,
          list[index + 1].addr == message.addr
        {
          let reply = list[index + 1]
          let bytes = try model.writeRead(at: target, write: written, readCount: Int(reply.len))
          copy(bytes, into: reply)
          index += 2
        } else {
          _ = try model.writeRead(at: target, write: written, readCount: 0)
          index += 1
        }
      }
    } catch {
      return .failure(errno(for: error))
    }
    return .success(count)
  }

  private func copy(_ bytes: [UInt8], into message: i2c_msg) {
    for (offset, byte) in bytes.prefix(Int(message.len)).enumerated() {
      message.buf[offset] = byte
    }
  }

  private func errno(for error: I2CError) -> Int32 {
    switch error {
    case .noDevice: return absentAddressErrno
    case .nak: return EREMOTEIO
    case .timeout: return ETIMEDOUT
    case .unsupported: return EOPNOTSUPP
    case .io(_, let code): return code
    case .invalidRequest: return EINVAL
    case .busUnavailable: return ENODEV
    }
  }
}
