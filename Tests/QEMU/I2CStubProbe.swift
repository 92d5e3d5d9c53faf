// The real LinuxI2CBus against the kernel's own i2c-dev and i2c-stub, inside a virtual machine
// (Scripts/test-qemu-i2c boots Debian's kernel under qemu-system-x86_64 and runs this static
// binary as part of its init). The stub holds chips at 0x48 and 0x57 with 256 16-bit "words"
// each (drivers/i2c/i2c-stub.c): byte writes set a word's low byte, I2C block transfers walk
// consecutive words, and it has no plain-I2C transfer, so LinuxI2CBus must use SMBus.
// Prints one PASS/FAIL line per check and a VIGIL-QEMU-RESULT summary; exits 1 on a failure.
import Glibc
import VigilLinux
import VigilSensors

var passed = 0
var failed = 0

func check(_ name: String, _ condition: Bool, _ detail: String = "") {
  if condition {
    passed += 1
    print("PASS \(name)")
  } else {
    failed += 1
    print("FAIL \(name) \(detail)")
  }
}

func attempt<Value>(_ name: String, _ body: () throws(I2CError) -> Value) -> Value? {
  do {
    return try body()
  } catch {
    failed += 1
    print("FAIL \(name): threw \(error)")
    return nil
  }
}

func expectError(_ name: String, _ expected: I2CError, _ body: () throws(I2CError) -> Void) {
  do {
    try body()
    check(name, false, "did not throw")
  } catch {
    check(name, error == expected, "threw \(error), expected \(expected)")
  }
}

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/dev/i2c-0"
let oximeter = I2CAddress(0x57)
let thermometer = I2CAddress(0x48)

if let bus = attempt("open \(path)", { () throws(I2CError) in try LinuxI2CBus(path: path) }) {
  // STUB_FUNC_DEFAULT: quick, byte, byte data, word data and I2C block; SMBus block data is
  // off unless the `functionality` parameter enables it.
  check(
    "i2c-stub reports its SMBus-only functionality (I2C_FUNCS)",
    bus.functionality.rawValue == 0x0C7F_0000,
    "got 0x\(String(bus.functionality.rawValue, radix: 16))")

  if attempt(
    "write byte",
    { () throws(I2CError) in
      try bus.writeByte(at: oximeter, register: 0xFF, value: 0x15)
    }) != nil
  {
    let partID = attempt("read byte") { () throws(I2CError) in
      try bus.readByte(at: oximeter, register: 0xFF)
    }
    check("byte written at 0xFF reads back (MAX30102 part id 0x15)", partID == 0x15)
  }

  let samples: [UInt8] = [0x01, 0x86, 0xA0, 0x00, 0xC3, 0x50]
  if attempt(
    "I2C block write",
    { () throws(I2CError) in
      try bus.writeBlock(at: oximeter, register: 0x07, bytes: samples)
    }) != nil
  {
    let block = attempt("I2C block read") { () throws(I2CError) in
      try bus.readBlock(at: oximeter, register: 0x07, count: 6)
    }
    check("I2C block read returns the block written", block == samples, "got \(block ?? [])")
    let combined = attempt("writeRead") { () throws(I2CError) in
      try bus.writeRead(at: oximeter, write: [0x07], readCount: 6)
    }
    check(
      "writeRead without I2C_RDWR falls back to an SMBus I2C block read", combined == samples,
      "got \(combined ?? [])")
  }

  if attempt(
    "writeRead as a register write",
    { () throws(I2CError) in
      _ = try bus.writeRead(at: oximeter, write: [0x09, 0x03], readCount: 0)
    }) != nil
  {
    let mode = attempt("read mode") { () throws(I2CError) in
      try bus.readByte(at: oximeter, register: 0x09)
    }
    check("two-byte write became SMBus write byte data (SpO2 mode 0x03)", mode == 0x03)
  }

  if attempt(
    "write word",
    { () throws(I2CError) in
      try bus.writeWord(at: thermometer, register: 0x00, value: 0x0025)
    }) != nil
  {
    let word = attempt("read word") { () throws(I2CError) in
      try bus.readWord(at: thermometer, register: 0x00)
    }
    check("SMBus word reads back (37.0 °C byte-swapped)", word == 0x0025)
    let low = attempt("read low byte") { () throws(I2CError) in
      try bus.readByte(at: thermometer, register: 0x00)
    }
    check("a word's first byte on the wire is its low byte", low == 0x25)
  }

  expectError(
    "absent address gives noDevice (i2c-stub: ENODEV)", .noDevice(address: I2CAddress(0x50))
  ) {
    () throws(I2CError) in
    _ = try bus.readByte(at: I2CAddress(0x50), register: 0x00)
  }
  expectError(
    "a 33-byte block is refused before the bus",
    .invalidRequest(reason: "block read of 33 bytes from 0x57; 1-32 allowed")
  ) { () throws(I2CError) in
    _ = try bus.readBlock(at: oximeter, register: 0x07, count: 33)
  }
  expectError(
    "a combined transfer with no SMBus equivalent is unsupported",
    .unsupported(
      operation: "combined transfer writing 2 and reading 2 bytes on \(path), which has no "
        + "plain I2C (I2C_RDWR) and no SMBus equivalent")
  ) { () throws(I2CError) in
    _ = try bus.writeRead(at: oximeter, write: [0x07, 0x08], readCount: 2)
  }
}

print("VIGIL-QEMU-RESULT passed=\(passed) failed=\(failed)")
exit(failed == 0 && passed > 0 ? 0 : 1)
