import VigilSensors

/// A register-level model of a simple I2C chip: 256 byte registers behind a register pointer
/// that advances after every byte, except at an optional FIFO data register, which hands out
/// successive FIFO bytes and keeps the pointer where it is (as the MAX30102 does at 0x07).
///
/// Registers in ``wideRegisters`` hold 16 bits and send their most significant byte first
/// (MAX30205, TMP117). It stands in for the chip models of `VigilSimulation` behind the
/// emulated `/dev/i2c-N`; registers listed in ``nakRegisters`` or ``timeoutRegisters`` fail
/// like a chip that does not acknowledge or holds the clock.
final class RegisterFileChip {
  /// Register contents.
  var registers = [UInt8](repeating: 0, count: 256)
  /// 16-bit registers, most significant byte first on the wire.
  var wideRegisters: [UInt8: UInt16] = [:]
  /// The FIFO data register, if the chip has one.
  var fifoRegister: UInt8?
  /// Bytes waiting in the FIFO.
  var fifo: [UInt8] = []
  /// Registers the chip does not acknowledge (the bus reports EREMOTEIO).
  var nakRegisters: Set<UInt8> = []
  /// Registers at which the chip stretches the clock past the adapter's timeout.
  var timeoutRegisters: Set<UInt8> = []
  /// Where the next byte is read or written.
  private(set) var pointer: UInt8 = 0
  /// Whether the next byte of a wide register is its second (least significant) byte.
  private var secondByte = false

  /// Creates a chip whose registers hold `contents` (register: value) and whose 16-bit
  /// registers hold `wide`.
  init(_ contents: [UInt8: UInt8] = [:], wide: [UInt8: UInt16] = [:]) {
    for (register, value) in contents { registers[Int(register)] = value }
    wideRegisters = wide
  }

  /// Sets the register pointer (the first byte of a write).
  func point(at register: UInt8, address: I2CAddress) throws(I2CError) {
    try check(register, address: address)
    pointer = register
    secondByte = false
  }

  /// Reads the byte at the pointer and advances it (not at the FIFO register).
  func readNext(address: I2CAddress) throws(I2CError) -> UInt8 {
    try check(pointer, address: address)
    if pointer == fifoRegister {
      // An empty FIFO reads as zeros, as the real part returns stale data without a NAK.
      return fifo.isEmpty ? 0 : fifo.removeFirst()
    }
    if let wide = wideRegisters[pointer] {
      defer { advanceWide() }
      return secondByte ? UInt8(wide & 0xFF) : UInt8(wide >> 8)
    }
    let value = registers[Int(pointer)]
    pointer &+= 1
    return value
  }

  /// Writes `value` at the pointer and advances it.
  func writeNext(_ value: UInt8, address: I2CAddress) throws(I2CError) {
    try check(pointer, address: address)
    if let wide = wideRegisters[pointer] {
      wideRegisters[pointer] =
        secondByte ? (wide & 0xFF00) | UInt16(value) : (wide & 0x00FF) | UInt16(value) << 8
      advanceWide()
      return
    }
    registers[Int(pointer)] = value
    if pointer != fifoRegister { pointer &+= 1 }
  }

  private func advanceWide() {
    if secondByte { pointer &+= 1 }
    secondByte.toggle()
  }

  private func check(_ register: UInt8, address: I2CAddress) throws(I2CError) {
    if nakRegisters.contains(register) { throw .nak(address: address) }
    if timeoutRegisters.contains(register) { throw .timeout(address: address) }
  }
}

/// An I2C bus of ``RegisterFileChip``s, implementing the same ``I2CBus`` protocol as
/// `VigilSimulation.SimulatedI2CBus`, so the emulated adapter can serve either.
final class RegisterFileI2CBus: I2CBus {
  /// What the bus model can do (the emulated adapter may report less).
  let functionality: I2CFunctionality
  /// The chips, by address.
  var chips: [I2CAddress: RegisterFileChip]

  /// Creates a bus with `chips`.
  init(
    chips: [I2CAddress: RegisterFileChip],
    functionality: I2CFunctionality = [
      .plainI2C, .smbusReadByteData, .smbusWriteByteData, .smbusReadWordData,
      .smbusWriteWordData, .smbusReadI2CBlock, .smbusWriteI2CBlock,
    ]
  ) {
    self.chips = chips
    self.functionality = functionality
  }

  func readByte(at address: I2CAddress, register: UInt8) throws(I2CError) -> UInt8 {
    let chip = try chip(at: address)
    try chip.point(at: register, address: address)
    return try chip.readNext(address: address)
  }

  func writeByte(at address: I2CAddress, register: UInt8, value: UInt8) throws(I2CError) {
    let chip = try chip(at: address)
    try chip.point(at: register, address: address)
    try chip.writeNext(value, address: address)
  }

  func readBlock(at address: I2CAddress, register: UInt8, count: Int) throws(I2CError)
    -> [UInt8]
  {
    guard (1...32).contains(count) else {
      throw .invalidRequest(reason: "block of \(count) bytes")
    }
    let chip = try chip(at: address)
    try chip.point(at: register, address: address)
    var bytes: [UInt8] = []
    for _ in 0..<count { bytes.append(try chip.readNext(address: address)) }
    return bytes
  }

  func writeRead(at address: I2CAddress, write bytes: [UInt8], readCount: Int) throws(I2CError)
    -> [UInt8]
  {
    let chip = try chip(at: address)
    if let register = bytes.first {
      try chip.point(at: register, address: address)
      for byte in bytes.dropFirst() { try chip.writeNext(byte, address: address) }
    }
    var read: [UInt8] = []
    for _ in 0..<readCount { read.append(try chip.readNext(address: address)) }
    return read
  }

  private func chip(at address: I2CAddress) throws(I2CError) -> RegisterFileChip {
    guard let chip = chips[address] else { throw .noDevice(address: address) }
    return chip
  }
}
