import CI2C
import Glibc
import Testing
import VigilLinux
import VigilSensors

/// The real ``LinuxI2CBus`` against `/dev/i2c-N` nodes emulated by umockdev's preload library
/// (see `Emulation/EmulatedI2CAdapter.swift`). Register values are the parts' datasheet
/// values: MAX30102 part id 0x15 at 0xFF; MAX30205 temperature 0x2500 = 37.0 °C (1/256 °C per
/// LSB, most significant byte first); TMP117 device id 0x0117 at 0x0F.
@Suite(
  .enabled(if: Emulation.shouldRun, "needs umockdev's preload library: Scripts/test-emulated"))
struct LinuxI2CBusEmulatedTests {
  static let max30102 = I2CAddress(0x57)
  static let max30205 = I2CAddress(0x48)
  static let tmp117 = I2CAddress(0x49)
  /// `STUB_FUNC_DEFAULT` of drivers/i2c/i2c-stub.c, as the kernel reported it in qemu.
  static let i2cStubFunctionality = I2CFunctionality(rawValue: 0x0C7F_0000)

  /// A MAX30102 (part id, mode, FIFO with two 3-byte samples), a MAX30205 at 37.0 °C and a
  /// TMP117 with its device id.
  static func ward() -> (RegisterFileI2CBus, RegisterFileChip) {
    let oximeter = RegisterFileChip([0xFF: 0x15, 0xFE: 0x03, 0x09: 0x00])
    oximeter.fifoRegister = 0x07
    oximeter.fifo = [0x01, 0x86, 0xA0, 0x00, 0xC3, 0x50]
    let thermometer = RegisterFileChip([0x01: 0x00], wide: [0x00: 0x2500])
    let tmp117 = RegisterFileChip(wide: [0x00: 0x8000, 0x0F: 0x0117])
    let bus = RegisterFileI2CBus(chips: [
      max30102: oximeter, max30205: thermometer, Self.tmp117: tmp117,
    ])
    return (bus, oximeter)
  }

  @Test func openingReportsTheAdaptersFunctionalityBits() throws {
    let testbed = try Testbed.require()
    // What the Raspberry Pi's i2c-bcm2835 reports: I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL |
    // I2C_FUNC_PROTOCOL_MANGLING.
    let adapter = EmulatedI2CAdapter(
      model: Self.ward().0, functionality: I2CFunctionality(rawValue: 0x0EFF_000D))
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    #expect(bus.functionality.rawValue == 0x0EFF_000D)
    #expect(bus.functionality.contains(.plainI2C))
    #expect(bus.functionality.contains(.smbusReadI2CBlock))
  }

  @Test func readByteReturnsTheMAX30102PartID() throws {
    let testbed = try Testbed.require()
    let adapter = EmulatedI2CAdapter(model: Self.ward().0)
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    #expect(try bus.readByte(at: Self.max30102, register: 0xFF) == 0x15)
    #expect(
      adapter.transactions == [
        .select(0x57), .smbus(size: I2C_SMBUS_BYTE_DATA, read: true, command: 0xFF),
      ])
  }

  @Test func writeByteReachesTheChipRegister() throws {
    let testbed = try Testbed.require()
    let (model, oximeter) = Self.ward()
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(EmulatedI2CAdapter(model: model)))
    try bus.writeByte(at: Self.max30102, register: 0x09, value: 0x03)  // SpO2 mode
    #expect(oximeter.registers[0x09] == 0x03)
  }

  @Test func smbusWordReadArrivesLowByteFirst() throws {
    let testbed = try Testbed.require()
    let bus = try LinuxI2CBus(
      path: testbed.addI2CAdapter(EmulatedI2CAdapter(model: Self.ward().0)))
    let word = try bus.readWord(at: Self.max30205, register: 0x00)
    // The MAX30205 sends 0x25 then 0x00; SMBus puts the first byte in the low half.
    #expect(word == 0x0025)
    #expect(Double(word.byteSwapped) / 256 == 37.0)
  }

  @Test func blockReadReturnsBigEndianRegistersInWireOrder() throws {
    let testbed = try Testbed.require()
    let bus = try LinuxI2CBus(
      path: testbed.addI2CAdapter(EmulatedI2CAdapter(model: Self.ward().0)))
    #expect(try bus.readBlock(at: Self.tmp117, register: 0x0F, count: 2) == [0x01, 0x17])
    #expect(try bus.readBlock(at: Self.tmp117, register: 0x00, count: 2) == [0x80, 0x00])
  }

  @Test func blockReadOfTheFIFORegisterDrainsSuccessiveSamples() throws {
    let testbed = try Testbed.require()
    let (model, oximeter) = Self.ward()
    let adapter = EmulatedI2CAdapter(model: model)
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    let bytes = try bus.readBlock(at: Self.max30102, register: 0x07, count: 6)
    #expect(bytes == [0x01, 0x86, 0xA0, 0x00, 0xC3, 0x50])
    #expect(oximeter.fifo.isEmpty)
    #expect(
      adapter.transactions.last == .smbus(size: I2C_SMBUS_I2C_BLOCK_DATA, read: true, command: 0x07)
    )
  }

  @Test func combinedTransferUsesI2CRDWRWhenTheAdapterSupportsIt() throws {
    let testbed = try Testbed.require()
    let (model, _) = Self.ward()
    let adapter = EmulatedI2CAdapter(model: model)
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    let bytes = try bus.writeRead(at: Self.max30102, write: [0x07], readCount: 6)
    #expect(bytes == [0x01, 0x86, 0xA0, 0x00, 0xC3, 0x50])
    #expect(adapter.transactions == [.combined(messages: 2)])
  }

  @Test func stubLikeAdapterWithoutPlainI2CFallsBackToAnSMBusBlockRead() throws {
    let testbed = try Testbed.require()
    let (model, _) = Self.ward()
    // i2c-stub's functionality as its I2C_FUNCS reports it (Scripts/test-qemu-i2c): SMBus
    // quick, byte, byte data, word data and I2C block; no I2C_FUNC_I2C.
    let adapter = EmulatedI2CAdapter(
      model: model, functionality: Self.i2cStubFunctionality)
    adapter.absentAddressErrno = ENODEV
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    #expect(!bus.functionality.contains(.plainI2C))
    let bytes = try bus.writeRead(at: Self.max30102, write: [0x07], readCount: 6)
    #expect(bytes == [0x01, 0x86, 0xA0, 0x00, 0xC3, 0x50])
    #expect(
      adapter.transactions == [
        .select(0x57), .smbus(size: I2C_SMBUS_I2C_BLOCK_DATA, read: true, command: 0x07),
      ])
    // i2c-stub's ENODEV for an empty address means the same as ENXIO.
    #expect(throws: I2CError.noDevice(address: I2CAddress(0x50))) {
      try bus.readByte(at: I2CAddress(0x50), register: 0)
    }
  }

  @Test func adapterRefusingRDWRDespiteAdvertisingItFallsBackOnceAndForAll() throws {
    let testbed = try Testbed.require()
    let (model, _) = Self.ward()
    let adapter = EmulatedI2CAdapter(model: model)
    adapter.refusesCombinedTransfers = true
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    #expect(try bus.writeRead(at: Self.max30102, write: [0xFF], readCount: 1) == [0x15])
    #expect(try bus.writeRead(at: Self.max30102, write: [0x09, 0x03], readCount: 0) == [])
    let combinedAttempts = adapter.transactions.filter {
      if case .combined = $0 { return true } else { return false }
    }
    #expect(combinedAttempts.count == 1)
    #expect(
      adapter.transactions.last == .smbus(size: I2C_SMBUS_BYTE_DATA, read: false, command: 0x09))
  }

  @Test func threeByteWriteWithoutPlainI2CBecomesAnI2CBlockWrite() throws {
    let testbed = try Testbed.require()
    let (model, _) = Self.ward()
    let adapter = EmulatedI2CAdapter(model: model, functionality: Self.i2cStubFunctionality)
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    // TMP117 configuration register 0x01, written most significant byte first.
    _ = try bus.writeRead(at: Self.tmp117, write: [0x01, 0x02, 0x20], readCount: 0)
    #expect(try bus.readBlock(at: Self.tmp117, register: 0x01, count: 2) == [0x02, 0x20])
  }

  @Test func absentAddressThrowsNoDevice() throws {
    let testbed = try Testbed.require()
    let bus = try LinuxI2CBus(
      path: testbed.addI2CAdapter(EmulatedI2CAdapter(model: Self.ward().0)))
    #expect(throws: I2CError.noDevice(address: I2CAddress(0x40))) {
      try bus.readByte(at: I2CAddress(0x40), register: 0x00)
    }
    #expect(throws: I2CError.noDevice(address: I2CAddress(0x40))) {
      try bus.writeRead(at: I2CAddress(0x40), write: [0x00], readCount: 2)
    }
  }

  @Test func unacknowledgedRegisterThrowsNak() throws {
    let testbed = try Testbed.require()
    let (model, oximeter) = Self.ward()
    oximeter.nakRegisters = [0x10]
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(EmulatedI2CAdapter(model: model)))
    #expect(throws: I2CError.nak(address: Self.max30102)) {
      try bus.readByte(at: Self.max30102, register: 0x10)
    }
  }

  @Test func stretchedClockThrowsTimeout() throws {
    let testbed = try Testbed.require()
    let (model, oximeter) = Self.ward()
    oximeter.timeoutRegisters = [0x1F]
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(EmulatedI2CAdapter(model: model)))
    #expect(throws: I2CError.timeout(address: Self.max30102)) {
      try bus.readBlock(at: Self.max30102, register: 0x1F, count: 2)
    }
  }

  @Test func addressBoundByAKernelDriverThrowsBusy() throws {
    let testbed = try Testbed.require()
    let adapter = EmulatedI2CAdapter(model: Self.ward().0)
    adapter.addressesClaimedByDrivers = [0x48]
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    #expect(throws: I2CError.io(address: Self.max30205, errno: EBUSY)) {
      try bus.readByte(at: Self.max30205, register: 0x01)
    }
  }

  @Test func targetIsSelectedOnlyWhenTheAddressChanges() throws {
    let testbed = try Testbed.require()
    let adapter = EmulatedI2CAdapter(model: Self.ward().0)
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    _ = try bus.readByte(at: Self.max30102, register: 0xFF)
    _ = try bus.readByte(at: Self.max30102, register: 0xFE)
    _ = try bus.readByte(at: Self.max30205, register: 0x01)
    _ = try bus.readByte(at: Self.max30102, register: 0xFF)
    let selections = adapter.transactions.compactMap { transaction -> UInt8? in
      if case .select(let address) = transaction { return address } else { return nil }
    }
    #expect(selections == [0x57, 0x48, 0x57])
  }

  @Test func interruptedTransferIsRetriedNotReported() throws {
    let testbed = try Testbed.require()
    let adapter = EmulatedI2CAdapter(model: Self.ward().0)
    adapter.interruptedTransfers = 2
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    #expect(try bus.readByte(at: Self.max30102, register: 0xFF) == 0x15)
    #expect(adapter.interruptedTransfers == 0)
    #expect(
      adapter.transactions == [
        .select(0x57), .smbus(size: I2C_SMBUS_BYTE_DATA, read: true, command: 0xFF),
      ])
  }

  @Test func oversizedBlockIsRejectedBeforeReachingTheBus() throws {
    let testbed = try Testbed.require()
    let adapter = EmulatedI2CAdapter(model: Self.ward().0)
    let bus = try LinuxI2CBus(path: testbed.addI2CAdapter(adapter))
    #expect(throws: I2CError.self) {
      try bus.readBlock(at: Self.max30102, register: 0x07, count: 33)
    }
    #expect(adapter.transactions.isEmpty)
  }
}

@Suite struct LinuxI2CBusOpenTests {
  @Test func missingAdapterThrowsBusUnavailableWithENOENT() {
    #expect(throws: I2CError.busUnavailable(path: "/dev/i2c-240", errno: ENOENT)) {
      try LinuxI2CBus(busNumber: 240)
    }
  }

  @Test func fileThatIsNotAnAdapterThrowsBusUnavailableWithENOTTY() {
    #expect(throws: I2CError.busUnavailable(path: "/dev/null", errno: ENOTTY)) {
      try LinuxI2CBus(path: "/dev/null")
    }
  }
}

/// The errno names VigilSensors prints (it cannot import the C library) are this platform's.
@Suite struct ErrnoDescriptionTests {
  @Test func everyNamedErrnoMatchesTheCLibrarysValue() {
    let named: [(Int32, String)] = [
      (EPERM, "EPERM"), (ENOENT, "ENOENT"), (EIO, "EIO"), (ENXIO, "ENXIO"), (EAGAIN, "EAGAIN"),
      (EACCES, "EACCES"), (EBUSY, "EBUSY"), (ENODEV, "ENODEV"), (EINVAL, "EINVAL"),
      (ENOTTY, "ENOTTY"), (EOPNOTSUPP, "EOPNOTSUPP"), (ETIMEDOUT, "ETIMEDOUT"),
      (EREMOTEIO, "EREMOTEIO"),
    ]
    for (code, name) in named {
      #expect(errnoDescription(code).hasPrefix(name + ","), "\(code): \(errnoDescription(code))")
    }
  }
}
