import CUMockdev
import Foundation

/// A GPIO chip behind the kernel's character device ABI v2 (`/dev/gpiochipN`), emulated at the
/// ioctl level: `GPIO_V2_GET_LINE_IOCTL` checks the request as `drivers/gpio/gpiolib-cdev.c`
/// does (offsets on the chip, line not already requested, known flags) and answers with a line
/// descriptor, on which `GPIO_V2_LINE_SET_VALUES_IOCTL` and `GPIO_V2_LINE_GET_VALUES_IOCTL`
/// drive and read the pin, applying active-low inversion like the kernel.
///
/// The line descriptor is a file the handler opens on a second emulated node; it is valid in
/// the caller because handler and caller share the process (umockdev cannot pass descriptors
/// between processes).
final class EmulatedGPIOChip: EmulatedDeviceNode {
  /// One requested line.
  struct Request {
    /// The consumer label the program gave.
    var consumer: String
    /// Whether the line was requested active-low.
    var activeLow: Bool
  }

  /// Physical pin levels, by offset.
  private(set) var levels: [UInt32: Bool] = [:]
  /// Lines currently requested, by offset.
  private(set) var requests: [UInt32: Request] = [:]
  /// Lines a kernel driver (LED, gpio-keys) already owns: requests fail with EBUSY.
  var linesOwnedByDrivers: Set<UInt32> = []
  /// How many lines the chip has.
  let lineCount: UInt32

  private let lineNodes: [UInt32: String]
  private var openLines: [Int32: UInt32] = [:]

  /// Creates a chip with `lineCount` lines, whose line descriptors are opened on `lineNodes`
  /// (one emulated node per offset, answered by ``EmulatedGPIOLineNode``).
  init(lineCount: UInt32, lineNodes: [UInt32: String]) {
    self.lineCount = lineCount
    self.lineNodes = lineNodes
    for offset in 0..<lineCount { levels[offset] = false }
  }

  func handle(_ call: IoctlCall) -> IoctlReply {
    guard call.request == vigil_gpio_v2_get_line_ioctl() else { return .failure(ENOTTY) }
    guard let pointer = call.pointer else { return .failure(EFAULT) }
    let request = pointer.assumingMemoryBound(to: gpio_v2_line_request.self)
    guard request.pointee.num_lines == 1 else { return .failure(EINVAL) }
    let offset = withUnsafeBytes(of: request.pointee.offsets) {
      $0.load(fromByteOffset: 0, as: UInt32.self)
    }
    guard offset < lineCount, let node = lineNodes[offset] else { return .failure(EINVAL) }
    if linesOwnedByDrivers.contains(offset) || requests[offset] != nil { return .failure(EBUSY) }
    let flags = request.pointee.config.flags
    let output = UInt64(GPIO_V2_LINE_FLAG_OUTPUT.rawValue)
    let activeLowFlag = UInt64(GPIO_V2_LINE_FLAG_ACTIVE_LOW.rawValue)
    guard flags & ~(output | activeLowFlag) == 0 else { return .failure(EINVAL) }
    let activeLow = flags & activeLowFlag != 0
    var logical = false
    let attribute = request.pointee.config.attrs.0
    if request.pointee.config.num_attrs >= 1,
      attribute.attr.id == GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue, attribute.mask & 1 != 0
    {
      logical = attribute.attr.values & 1 != 0
    }
    let consumer = withUnsafeBytes(of: request.pointee.consumer) { bytes in
      String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
    // Opened from the handler thread, through the preload library, on the line's own node.
    let descriptor = open(node, O_RDWR | O_CLOEXEC)
    guard descriptor >= 0 else { return .failure(errno) }
    requests[offset] = Request(consumer: consumer, activeLow: activeLow)
    if flags & output != 0 { levels[offset] = logical != activeLow }
    openLines[descriptor] = offset
    request.pointee.fd = descriptor
    return .success(0)
  }

  /// Drives or reads the requested line `offset` (called by its line node).
  func lineValues(offset: UInt32, set: Bool?) -> Bool {
    let activeLow = requests[offset]?.activeLow ?? false
    if let set { levels[offset] = set != activeLow }
    return (levels[offset] ?? false) != activeLow
  }
}

/// The node behind one line descriptor of an ``EmulatedGPIOChip``.
final class EmulatedGPIOLineNode: EmulatedDeviceNode {
  /// The line's offset.
  let offset: UInt32
  /// The chip the line belongs to (set once the chip exists).
  weak var chip: EmulatedGPIOChip?

  /// Creates the node for line `offset`.
  init(offset: UInt32) { self.offset = offset }

  func handle(_ call: IoctlCall) -> IoctlReply {
    guard let chip, let pointer = call.pointer else { return .failure(ENODEV) }
    let values = pointer.assumingMemoryBound(to: gpio_v2_line_values.self)
    switch call.request {
    case vigil_gpio_v2_line_set_values_ioctl():
      guard values.pointee.mask & 1 != 0 else { return .failure(EINVAL) }
      _ = chip.lineValues(offset: offset, set: values.pointee.bits & 1 != 0)
      return .success(0)
    case vigil_gpio_v2_line_get_values_ioctl():
      values.pointee.bits = chip.lineValues(offset: offset, set: nil) ? 1 : 0
      return .success(0)
    default:
      return .failure(ENOTTY)
    }
  }
}

extension Testbed {
  /// Adds `/dev/gpiochipN` with `lineCount` lines; returns its path and the chip.
  func addGPIOChip(lineCount: UInt32) throws -> (String, EmulatedGPIOChip) {
    let number = 10 + uniqueNumber()
    var lineNodes: [UInt32: String] = [:]
    var lines: [EmulatedGPIOLineNode] = []
    for offset in 0..<lineCount {
      let node = EmulatedGPIOLineNode(offset: offset)
      let devnode = "/dev/vigil-gpiochip\(number)-line\(offset)"
      try attach(IoctlHandler(node), to: devnode)
      try addDevices(
        """
        P: /devices/virtual/vigil-gpio/gpiochip\(number)-line\(offset)
        N: vigil-gpiochip\(number)-line\(offset)
        E: SUBSYSTEM=vigil-gpio-line

        """)
      lineNodes[offset] = devnode
      lines.append(node)
    }
    let chip = EmulatedGPIOChip(lineCount: lineCount, lineNodes: lineNodes)
    for line in lines { line.chip = chip }
    let devnode = "/dev/gpiochip\(number)"
    try attach(IoctlHandler(chip), to: devnode)
    try addDevices(
      """
      P: /devices/platform/vigil-gpio.\(number)/gpiochip\(number)
      N: gpiochip\(number)
      E: SUBSYSTEM=gpio
      E: DEVNAME=\(devnode)

      """)
    return (devnode, chip)
  }
}
