import Glibc
import Testing
import VigilLinux
import VigilSensors

/// The real ``LinuxGPIOLine`` against a `/dev/gpiochipN` emulated at the ioctl level (see
/// `Emulation/EmulatedGPIOChip.swift`).
@Suite(
  .enabled(if: Emulation.shouldRun, "needs umockdev's preload library: Scripts/test-emulated"))
struct LinuxGPIOLineEmulatedTests {
  @Test func requestingAnOutputDrivesItsInitialValueAndNamesTheConsumer() throws {
    let testbed = try Testbed.require()
    let (path, chip) = try testbed.addGPIOChip(lineCount: 4)
    let buzzer = try LinuxGPIOLine(
      chipPath: path, offset: 2, consumer: "vigil-buzzer", initiallyHigh: true)
    #expect(chip.requests[2]?.consumer == "vigil-buzzer")
    #expect(chip.levels[2] == true)
    #expect(try buzzer.get() == true)
  }

  @Test func setDrivesThePinHighThenLow() throws {
    let testbed = try Testbed.require()
    let (path, chip) = try testbed.addGPIOChip(lineCount: 4)
    let led = try LinuxGPIOLine(chipPath: path, offset: 1)
    #expect(chip.levels[1] == false)
    try led.set(true)
    #expect(chip.levels[1] == true)
    try led.set(false)
    #expect(chip.levels[1] == false)
  }

  @Test func activeLowLineInvertsThePhysicalLevel() throws {
    let testbed = try Testbed.require()
    let (path, chip) = try testbed.addGPIOChip(lineCount: 4)
    // A buzzer driven through a PNP transistor sounds when the pin is low.
    let buzzer = try LinuxGPIOLine(chipPath: path, offset: 0, activeLow: true)
    #expect(chip.levels[0] == true)
    try buzzer.set(true)
    #expect(chip.levels[0] == false)
    #expect(try buzzer.get() == true)
  }

  @Test func lineOwnedByAKernelDriverThrowsBusy() throws {
    let testbed = try Testbed.require()
    let (path, chip) = try testbed.addGPIOChip(lineCount: 4)
    chip.linesOwnedByDrivers = [3]
    #expect(throws: GPIOError.busy(offset: 3)) {
      try LinuxGPIOLine(chipPath: path, offset: 3)
    }
  }

  @Test func secondRequestForTheSameLineThrowsBusy() throws {
    let testbed = try Testbed.require()
    let (path, _) = try testbed.addGPIOChip(lineCount: 4)
    let first = try LinuxGPIOLine(chipPath: path, offset: 1)
    #expect(throws: GPIOError.busy(offset: 1)) {
      try LinuxGPIOLine(chipPath: path, offset: 1)
    }
    try first.set(true)
  }

  @Test func offsetBeyondTheChipThrowsInvalidLine() throws {
    let testbed = try Testbed.require()
    let (path, _) = try testbed.addGPIOChip(lineCount: 4)
    #expect(throws: GPIOError.invalidLine(offset: 9)) {
      try LinuxGPIOLine(chipPath: path, offset: 9)
    }
  }
}

@Suite struct LinuxGPIOLineOpenTests {
  @Test func missingChipThrowsUnavailableWithENOENT() {
    #expect(throws: GPIOError.unavailable(path: "/dev/gpiochip240", errno: ENOENT)) {
      try LinuxGPIOLine(chipPath: "/dev/gpiochip240", offset: 0)
    }
  }
}
