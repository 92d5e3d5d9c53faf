import VigilCore
import VigilSensors

/// A register-level chip model on a ``SimulatedI2CBus``, seen as an I2C target sees the wire:
/// write transactions (register pointer, then data) and read transactions (bytes from the
/// current pointer).
public protocol SimulatedI2CDevice: AnyObject {
  /// A write transaction: the first byte sets the register pointer, the rest are written from it.
  func write(_ bytes: [UInt8])
  /// A read transaction of `count` bytes from the current register pointer.
  func read(count: Int) -> [UInt8]
  /// Power-on reset, as when the device is plugged in again.
  func powerOn()
}

/// A fault injected at one address of a ``SimulatedI2CBus``.
public enum SimulatedI2CFault: Hashable, Sendable {
  /// Nothing acknowledges the address (unplugged): `noDevice`, as ENXIO/ENODEV would give.
  case absent
  /// Every transfer is not acknowledged: `nak`, as EREMOTEIO would give.
  case nakAlways
  /// The next `count` transfers are not acknowledged, then the device answers again.
  case nakNext(Int)
  /// Every transfer times out.
  case timeout
}

/// An ``I2CBus`` whose targets are register-level chip models: the simulation behind the same
/// protocol as `/dev/i2c-N`, so the real drivers run against it.
///
/// Like the kernel's adapters it advertises what it can do through ``functionality`` (use
/// ``I2CFunctionality/smbusOnly`` to behave like `i2c-stub`, which has no plain-I2C transfers),
/// refuses SMBus blocks over 32 bytes, and reports an address nothing answers as `noDevice`.
public final class SimulatedI2CBus: I2CBus {
  /// What the adapter supports.
  public var functionality: I2CFunctionality
  /// Transactions performed (each bus method call is one).
  public private(set) var transactions: UInt64 = 0

  private var devices: [UInt8: any SimulatedI2CDevice] = [:]
  private var faults: [UInt8: SimulatedI2CFault] = [:]

  /// Creates an empty bus with `functionality` (by default plain I2C and every SMBus transfer).
  public init(functionality: I2CFunctionality = .fullAdapter) {
    self.functionality = functionality
  }

  /// Places `device` at `address`.
  public func attach(_ device: any SimulatedI2CDevice, at address: I2CAddress) {
    devices[address.rawValue] = device
  }

  /// The device at `address`, if any.
  public func device(at address: I2CAddress) -> (any SimulatedI2CDevice)? {
    devices[address.rawValue]
  }

  /// Injects `fault` at `address` (replacing any other).
  public func inject(_ fault: SimulatedI2CFault, at address: I2CAddress) {
    faults[address.rawValue] = fault
  }

  /// Removes any fault at `address`.
  public func clearFault(at address: I2CAddress) { faults[address.rawValue] = nil }

  /// Unplugs the device at `address`: it stops answering.
  public func unplug(_ address: I2CAddress) { faults[address.rawValue] = .absent }

  /// Plugs the device at `address` back in: it answers again from its power-on state.
  public func replug(_ address: I2CAddress) {
    faults[address.rawValue] = nil
    devices[address.rawValue]?.powerOn()
  }

  private func target(_ address: I2CAddress) throws(I2CError) -> any SimulatedI2CDevice {
    transactions += 1
    switch faults[address.rawValue] {
    case .absent?: throw .noDevice(address: address)
    case .nakAlways?: throw .nak(address: address)
    case .timeout?: throw .timeout(address: address)
    case .nakNext(let count)?:
      faults[address.rawValue] = count > 1 ? .nakNext(count - 1) : nil
      throw .nak(address: address)
    case nil: break
    }
    guard let device = devices[address.rawValue] else { throw .noDevice(address: address) }
    return device
  }

  /// SMBus read byte data: a pointer write, then a one-byte read.
  public func readByte(at address: I2CAddress, register: UInt8) throws(I2CError) -> UInt8 {
    guard functionality.contains(.smbusReadByteData) else {
      throw .unsupported(operation: "SMBus read byte data")
    }
    let device = try target(address)
    device.write([register])
    return device.read(count: 1)[0]
  }

  /// SMBus write byte data: one write transaction of pointer and value.
  public func writeByte(at address: I2CAddress, register: UInt8, value: UInt8) throws(I2CError) {
    guard functionality.contains(.smbusWriteByteData) else {
      throw .unsupported(operation: "SMBus write byte data")
    }
    try target(address).write([register, value])
  }

  /// SMBus I2C block read of 1-32 bytes.
  public func readBlock(at address: I2CAddress, register: UInt8, count: Int) throws(I2CError)
    -> [UInt8]
  {
    guard functionality.contains(.smbusReadI2CBlock) else {
      throw .unsupported(operation: "SMBus I2C block read")
    }
    guard count >= 1 && count <= 32 else {
      throw .invalidRequest(reason: "I2C block read of \(count) bytes (1-32 allowed)")
    }
    let device = try target(address)
    device.write([register])
    return device.read(count: count)
  }

  /// A combined write-then-read (`I2C_RDWR` with two messages).
  public func writeRead(at address: I2CAddress, write bytes: [UInt8], readCount: Int)
    throws(I2CError)
    -> [UInt8]
  {
    guard functionality.contains(.plainI2C) else {
      throw .unsupported(operation: "plain I2C transfer (I2C_RDWR)")
    }
    guard readCount >= 0 && readCount <= 8192 && !bytes.isEmpty else {
      throw .invalidRequest(reason: "write of \(bytes.count) bytes, read of \(readCount)")
    }
    let device = try target(address)
    device.write(bytes)
    return readCount > 0 ? device.read(count: readCount) : []
  }
}

extension I2CFunctionality {
  /// Plain I2C plus every SMBus transfer Vigil uses: a typical SoC adapter (Raspberry Pi
  /// `i2c-bcm2835`).
  public static let fullAdapter: I2CFunctionality = [
    .plainI2C, .smbusReadByteData, .smbusWriteByteData, .smbusReadWordData, .smbusWriteWordData,
    .smbusReadI2CBlock, .smbusWriteI2CBlock,
  ]
  /// SMBus transfers only, no plain I2C: the kernel's `i2c-stub` and many PC SMBus controllers.
  public static let smbusOnly: I2CFunctionality = [
    .smbusReadByteData, .smbusWriteByteData, .smbusReadWordData, .smbusWriteWordData,
    .smbusReadI2CBlock, .smbusWriteI2CBlock,
  ]
}
