import VigilCore
import VigilSensors

/// A byte-level model of a CP210x USB-to-UART bridge behind ``USBTransport``, wired to a
/// ``SimulatedContecOximeter``. It answers the AN571 vendor requests (bmRequestType 0x41/0xC1,
/// wIndex = interface 0) and stalls anything else, keeps the UART state they set (enabled, baud
/// rate, line control, DTR/RTS), and moves bytes over the bulk endpoints only while the UART is
/// enabled. If the host's framing differs from the oximeter's, the bytes arrive garbled, as they
/// would on a real line. Unplugging makes every call fail with ``USBError/disconnected``.
public final class SimulatedCP210x: USBTransport {
  /// One control request as the device saw it.
  public struct ControlRecord: Hashable, Sendable {
    /// The setup packet.
    public var setup: USBControlSetup
    /// The data stage (OUT requests).
    public var data: [UInt8]
    /// Creates a record.
    public init(setup: USBControlSetup, data: [UInt8]) {
      self.setup = setup
      self.data = data
    }
  }

  /// 10c4:ea60.
  public let deviceID = CP210x.deviceID
  /// The oximeter on the other side of the UART.
  public let oximeter: SimulatedContecOximeter
  /// Every control request received since the last ``open()``.
  public private(set) var controlLog: [ControlRecord] = []
  /// Whether the UART is enabled (IFC_ENABLE).
  public private(set) var uartEnabled = false
  /// The baud rate (9600 at power-on).
  public private(set) var baudRate: UInt32 = 9600
  /// The line control word (8N1 at power-on).
  public private(set) var lineControl: UInt16 = 0x0800
  /// DTR and RTS as set by SET_MHS (bit 0 DTR, bit 1 RTS).
  public private(set) var modemControl: UInt16 = 0
  /// Whether the cable is plugged in.
  public private(set) var plugged = true
  /// Fault: each bulk IN transfer returns at most this many bytes (USB packets split anywhere).
  public var maximumTransfer = 4096

  /// Creates a plugged-in bridge connected to `oximeter`.
  public init(oximeter: SimulatedContecOximeter) {
    self.oximeter = oximeter
  }

  /// Opens the device as libusb would after enumeration: bridge state returns to power-on.
  /// Fails with ``USBError/notFound(_:)`` while unplugged.
  public func open() throws(USBError) -> SimulatedCP210x {
    guard plugged else { throw .notFound(deviceID) }
    controlLog.removeAll()
    uartEnabled = false
    baudRate = 9600
    lineControl = 0x0800
    modemControl = 0
    return self
  }

  /// Pulls the cable.
  public func unplug() { plugged = false }

  /// Plugs the cable back in (the host must ``open()`` again).
  public func replug() { plugged = true }

  private var framingMatches: Bool {
    let wanted = oximeter.protocolVersion.serialConfiguration
    return baudRate == UInt32(wanted.baudRate) && lineControl == CP210x.lineControl(wanted)
  }

  /// Handles a host-to-device vendor request.
  public func controlOut(_ setup: USBControlSetup, data: [UInt8], timeout: Duration)
    throws(USBError) -> Int
  {
    guard plugged else { throw .disconnected }
    guard setup.requestType == CP210x.requestTypeOut, setup.index == 0 else { throw .stall }
    controlLog.append(ControlRecord(setup: setup, data: data))
    switch setup.request {
    case CP210x.ifcEnable:
      guard setup.value <= 1, data.isEmpty else { throw .stall }
      uartEnabled = setup.value == 1
    case CP210x.setBaudRate:
      guard uartEnabled, data.count == 4 else { throw .stall }
      baudRate =
        UInt32(data[0]) | UInt32(data[1]) << 8 | UInt32(data[2]) << 16 | UInt32(data[3]) << 24
    case CP210x.setLineControl:
      guard uartEnabled, data.isEmpty else { throw .stall }
      let bits = setup.value >> 8
      guard (5...8).contains(bits), (setup.value >> 4) & 0xF <= 4, setup.value & 0xF <= 2 else {
        throw .stall
      }
      lineControl = setup.value
    case CP210x.setModemHandshake:
      guard uartEnabled else { throw .stall }
      if setup.value & 0x0100 != 0 { modemControl = (modemControl & ~1) | (setup.value & 1) }
      if setup.value & 0x0200 != 0 { modemControl = (modemControl & ~2) | (setup.value & 2) }
    case CP210x.purge:
      guard uartEnabled else { throw .stall }
      if setup.value & 0x000A != 0 { oximeter.discardQueued() }
    case CP210x.setFlow:
      guard uartEnabled, data.count == 16 else { throw .stall }
    default:
      throw .stall
    }
    return data.count
  }

  /// Handles a device-to-host vendor request (GET_BAUDRATE, GET_LINE_CTL, GET_MDMSTS).
  public func controlIn(_ setup: USBControlSetup, length: Int, timeout: Duration) throws(USBError)
    -> [UInt8]
  {
    guard plugged else { throw .disconnected }
    guard setup.requestType == CP210x.requestTypeIn, setup.index == 0 else { throw .stall }
    controlLog.append(ControlRecord(setup: setup, data: []))
    let reply: [UInt8]
    switch setup.request {
    case CP210x.getBaudRate:
      reply = [
        UInt8(baudRate & 0xFF), UInt8(baudRate >> 8 & 0xFF), UInt8(baudRate >> 16 & 0xFF),
        UInt8(baudRate >> 24),
      ]
    case CP210x.getLineControl:
      reply = [UInt8(lineControl & 0xFF), UInt8(lineControl >> 8)]
    case CP210x.getModemStatus:
      reply = [UInt8(modemControl & 0x3)]
    default:
      throw .stall
    }
    return Array(reply.prefix(length))
  }

  /// Bytes the oximeter sent, up to `maxLength`; empty when none (the timeout passed).
  public func bulkIn(endpoint: UInt8, maxLength: Int, timeout: Duration) throws(USBError) -> [UInt8]
  {
    guard plugged else { throw .disconnected }
    guard endpoint == CP210x.bulkInEndpoint else { throw .stall }
    guard uartEnabled else { return [] }
    let bytes = oximeter.take(maxCount: min(maxLength, maximumTransfer))
    return framingMatches ? bytes : garbled(bytes)
  }

  /// Sends `data` to the oximeter.
  public func bulkOut(endpoint: UInt8, data: [UInt8], timeout: Duration) throws(USBError) -> Int {
    guard plugged else { throw .disconnected }
    guard endpoint == CP210x.bulkOutEndpoint else { throw .stall }
    guard uartEnabled else { throw .timeout }
    oximeter.receive(framingMatches ? data : garbled(data))
    return data.count
  }

  /// The CP210x has no interrupt endpoint.
  public func interruptIn(endpoint: UInt8, maxLength: Int, timeout: Duration) throws(USBError)
    -> [UInt8]
  {
    guard plugged else { throw .disconnected }
    throw .stall
  }
}

/// A kernel tty (`/dev/ttyUSB0`) wired to a ``SimulatedContecOximeter``: the same device behind
/// ``SerialPort`` directly, for the path where the kernel's `cp210x` driver owns the bridge.
public final class SimulatedSerialPort: SerialPort {
  /// The oximeter on the line.
  public let oximeter: SimulatedContecOximeter
  /// The framing last set.
  public private(set) var configuration = SerialConfiguration(baudRate: 9600)
  /// Whether the adapter is plugged in.
  public var plugged = true

  /// Creates a port connected to `oximeter`.
  public init(oximeter: SimulatedContecOximeter) { self.oximeter = oximeter }

  /// Sets the framing.
  public func configure(_ configuration: SerialConfiguration) throws(SerialError) {
    guard plugged else { throw .disconnected }
    self.configuration = configuration
    oximeter.discardQueued()
  }

  /// Bytes that have arrived.
  public func read(maxCount: Int, timeout: Duration) throws(SerialError) -> [UInt8] {
    guard plugged else { throw .disconnected }
    let bytes = oximeter.take(maxCount: maxCount)
    return configuration == oximeter.protocolVersion.serialConfiguration ? bytes : garbled(bytes)
  }

  /// Sends bytes to the oximeter.
  public func write(_ bytes: [UInt8]) throws(SerialError) {
    guard plugged else { throw .disconnected }
    oximeter.receive(
      configuration == oximeter.protocolVersion.serialConfiguration ? bytes : garbled(bytes))
  }
}
