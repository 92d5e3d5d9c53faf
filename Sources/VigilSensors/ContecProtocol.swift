import VigilCore

/// The two live-data protocols of Contec CMS50D+/CMS50E-family pulse oximeters.
///
/// Neither protocol is published by Contec; both are documented here from independent
/// reverse-engineering that agrees byte for byte (see `docs/sensors.md`):
/// - ``legacy5Byte``: older firmware. 19200 baud, 8 data bits, odd parity, 1 stop bit. The device
///   streams 60 five-byte packets per second without being asked. Byte 0 has bit 7 set (sync),
///   bytes 1-4 have it clear. Source: atbrask/CMS50Dplus (`cms50dplus.py`, `LiveDataPoint`).
/// - ``packet9Byte``: newer firmware (for example "v4.6" CMS50D+ and the CMS50E/F). 115200 baud
///   8N1. The host sends `7D 81 A1 80 80 80 80 80 80` to start live data, which then flows at 60
///   packets per second for about 30 s unless the request is repeated. A packet starts with its type
///   (bit 7 clear; live data is 0x01), then a byte whose low seven bits are the high bits of the
///   following seven data bytes, then those bytes with bit 7 forced on. Sources: headrotor/
///   contec_data (`stream_data.py`: command, 115200 8N1, captured packets), the OSCAR
///   `cms50f37_loader.cpp` (command framing, high-bit byte), gagistech/bedsidemon
///   `contec_cms50d_plus.cpp` (field meanings, 30-second limit).
public enum ContecProtocol: Hashable, Sendable, CaseIterable {
  /// Older firmware: 19200 8O1, 5-byte packets, streaming by itself.
  case legacy5Byte
  /// Newer firmware: 115200 8N1, 9-byte packets after a start command.
  case packet9Byte

  /// The serial framing the device uses.
  public var serialConfiguration: SerialConfiguration {
    switch self {
    case .legacy5Byte: return SerialConfiguration(baudRate: 19200, dataBits: 8, parity: .odd)
    case .packet9Byte: return SerialConfiguration(baudRate: 115200, dataBits: 8, parity: .none)
    }
  }

  /// Bytes per live-data packet.
  public var packetLength: Int {
    switch self {
    case .legacy5Byte: return 5
    case .packet9Byte: return 9
    }
  }

  /// Live-data packets per second.
  public static let packetsPerSecond = 60

  /// The command that starts live data on ``packet9Byte`` devices (`7D 81 A1` then six `80`).
  public static let startLiveData: [UInt8] = [0x7D, 0x81, 0xA1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]
  /// The command that stops live data on ``packet9Byte`` devices.
  public static let stopLiveData: [UInt8] = [0x7D, 0x81, 0xA2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]
  /// The packet type of a 9-byte live-data packet.
  public static let liveDataType: UInt8 = 0x01
}

/// Status flags a Contec oximeter sends with each packet.
public struct ContecStatus: OptionSet, Hashable, Sendable {
  /// The raw flag bits (Vigil's own numbering, not the wire's).
  public var rawValue: UInt8
  /// Creates flags from raw bits.
  public init(rawValue: UInt8) { self.rawValue = rawValue }
  /// No finger in the probe.
  public static let fingerOut = ContecStatus(rawValue: 1 << 0)
  /// Searching for a pulse; pulse rate and SpO2 are not valid.
  public static let searching = ContecStatus(rawValue: 1 << 1)
  /// Searching has gone on too long (9-byte protocol).
  public static let searchingTooLong = ContecStatus(rawValue: 1 << 2)
  /// Probe error (5-byte protocol).
  public static let probeError = ContecStatus(rawValue: 1 << 3)
  /// A pulse beat was detected at this sample.
  public static let pulseBeep = ContecStatus(rawValue: 1 << 4)
  /// SpO2 is dropping (5-byte protocol).
  public static let spo2Dropping = ContecStatus(rawValue: 1 << 5)
}

/// One live-data packet from a Contec oximeter, decoded.
public struct OximeterReading: Hashable, Sendable {
  /// When the packet was read.
  public var time: Instant
  /// The plethysmogram sample (0-127), 60 per second.
  public var pleth: UInt8
  /// Pulse rate as the device computed it; `nil` when it reports none.
  public var pulseRate: BeatsPerMinute?
  /// SpO2 as the device computed it; `nil` when it reports none.
  public var spo2: Percent?
  /// Perfusion index as sent (9-byte protocol; `nil` when flagged invalid). The unit is not
  /// documented; it is believed to be hundredths of a percent.
  public var perfusionIndexRaw: UInt16?
  /// Signal strength, 0-15.
  public var signalStrength: UInt8
  /// The device's bar-graph value, 0-15.
  public var barGraph: UInt8
  /// Status flags.
  public var status: ContecStatus

  /// Creates a reading.
  public init(
    time: Instant, pleth: UInt8, pulseRate: BeatsPerMinute?, spo2: Percent?,
    perfusionIndexRaw: UInt16?, signalStrength: UInt8, barGraph: UInt8, status: ContecStatus
  ) {
    self.time = time
    self.pleth = pleth
    self.pulseRate = pulseRate
    self.spo2 = spo2
    self.perfusionIndexRaw = perfusionIndexRaw
    self.signalStrength = signalStrength
    self.barGraph = barGraph
    self.status = status
  }
}

/// A packet the decoder could not accept.
public enum ContecFrameError: Error, Hashable, Sendable {
  /// A new packet began after only `received` of `expected` bytes of the previous one.
  case shortPacket(expected: Int, received: Int, bytes: [UInt8])
  /// The packet broke the framing or carried an impossible value, explained in `reason`.
  case corruptPacket(reason: String, bytes: [UInt8])

  /// The technical condition it raises.
  public var conditionKind: TechnicalConditionKind {
    switch self {
    case .shortPacket: return .shortPacket
    case .corruptPacket: return .corruptPacket
    }
  }

  /// A description naming the bytes.
  public var detail: String {
    switch self {
    case .shortPacket(let expected, let received, let bytes):
      return "packet of \(received) bytes, expected \(expected): " + hexBytes(bytes)
    case .corruptPacket(let reason, let bytes):
      return reason + ": " + hexBytes(bytes)
    }
  }
}

/// `01 e0 85` for a byte array.
func hexBytes(_ bytes: [UInt8]) -> String {
  var text = ""
  for (index, byte) in bytes.enumerated() {
    if index > 0 { text += " " }
    text += hex(byte)
  }
  return text
}
