import VigilCore

/// Which sensor a reading or a technical condition comes from, as `max30102@0x57`.
public struct SensorID: Hashable, Sendable, CustomStringConvertible {
  /// The sensor's name: chip or device and where it sits.
  public var name: String
  /// Creates an identifier.
  public init(_ name: String) { self.name = name }
  /// The name.
  public var description: String { name }
}

/// The kinds of technical condition a sensor can raise: equipment problems, as IEC 60601-1-8
/// calls them, as opposed to physiological alarm conditions about the patient.
///
/// Each kind has a fixed identity so the alarm system can latch and clear it; details (which
/// register, how many samples) travel in ``TechnicalCondition/detail``.
public enum TechnicalConditionKind: UInt8, CaseIterable, Hashable, Sendable {
  /// The device did not answer when the monitor first looked for it.
  case deviceAbsent
  /// The device answered before and has stopped answering (unplugged, cable fault).
  case deviceDisconnected
  /// The device did not acknowledge a transfer (I2C NAK).
  case busNak
  /// A bus transfer timed out.
  case busTimeout
  /// Another bus or port failure (errno or USB error).
  case busError
  /// The adapter cannot perform a transfer the driver needs.
  case adapterUnsupported
  /// Something answered, but it is not the expected chip (wrong part id).
  case wrongDevice
  /// The chip did not come out of reset, or refused its configuration.
  case configurationFailed
  /// Samples were lost because the chip's FIFO overflowed; the count is in the detail.
  case fifoOverflow
  /// The chip stopped producing samples although it is configured to.
  case fifoStuck
  /// A packet ended before its expected length.
  case shortPacket
  /// A packet broke the protocol's framing or carried impossible values.
  case corruptPacket
  /// A packet's checksum did not match its contents.
  case checksumError
  /// The finger is out of the probe.
  case fingerOut
  /// The oximeter is searching for a pulse and reports no values.
  case searchingForPulse
  /// The oximeter reports a probe error.
  case probeError
  /// A temperature sensor has not completed a conversion in time.
  case noConversion
  /// A streaming device has sent nothing for too long.
  case noData

  /// A short message for the nurse's screen.
  public var message: String {
    switch self {
    case .deviceAbsent: return "Sensor not found"
    case .deviceDisconnected: return "Sensor disconnected"
    case .busNak: return "Sensor not responding"
    case .busTimeout: return "Sensor communication timeout"
    case .busError: return "Sensor communication error"
    case .adapterUnsupported: return "Sensor interface not supported"
    case .wrongDevice: return "Wrong sensor connected"
    case .configurationFailed: return "Sensor failed to start"
    case .fifoOverflow: return "Sensor samples lost"
    case .fifoStuck: return "Sensor stopped sampling"
    case .shortPacket: return "Oximeter data incomplete"
    case .corruptPacket: return "Oximeter data corrupted"
    case .checksumError: return "Oximeter data checksum error"
    case .fingerOut: return "SpO2 probe off finger"
    case .searchingForPulse: return "SpO2 searching for pulse"
    case .probeError: return "SpO2 probe fault"
    case .noConversion: return "Temperature not measuring"
    case .noData: return "Sensor sends no data"
    }
  }

  /// How the condition starts and ends (see ``TechnicalConditionCategory``).
  public var category: TechnicalConditionCategory {
    switch self {
    case .fingerOut, .searchingForPulse, .probeError:
      return .measurement
    case .fifoOverflow, .shortPacket, .corruptPacket, .checksumError:
      return .event
    default:
      return .connection
    }
  }
}

/// How a technical condition starts and ends.
public enum TechnicalConditionCategory: Hashable, Sendable {
  /// The device cannot be used: raised when a start or poll fails, cleared when one succeeds.
  case connection
  /// The device works but reports it cannot measure (finger out): raised and cleared by what
  /// the device reports; cleared as unknown when the device goes away.
  case measurement
  /// Something happened once (samples lost, a corrupt packet): raised when it happens and
  /// cleared after a hold time without a repeat.
  case event
}

/// One active technical condition: what, from which sensor, since when, and details for the
/// biomedical engineer.
public struct TechnicalCondition: Hashable, Sendable {
  /// The sensor it concerns.
  public var source: SensorID
  /// What is wrong.
  public var kind: TechnicalConditionKind
  /// When it began (or, for a transient condition, when it last happened).
  public var onset: Instant
  /// Engineering detail: register values, counts, errno.
  public var detail: String

  /// Creates a condition.
  public init(source: SensorID, kind: TechnicalConditionKind, onset: Instant, detail: String) {
    self.source = source
    self.kind = kind
    self.onset = onset
    self.detail = detail
  }
}

/// A change in the set of active technical conditions, for the alarm system.
public enum TechnicalConditionEvent: Hashable, Sendable {
  /// The condition became active.
  case raised(TechnicalCondition)
  /// The condition of `kind` from `source` ended at `time`.
  case cleared(source: SensorID, kind: TechnicalConditionKind, time: Instant)
}

/// Why a driver operation failed, as a typed technical condition: the driver's typed error.
public struct SensorFault: Error, Hashable, Sendable, CustomStringConvertible {
  /// The condition it raises.
  public var kind: TechnicalConditionKind
  /// What happened, naming the register, packet or call.
  public var detail: String

  /// Creates a fault.
  public init(_ kind: TechnicalConditionKind, _ detail: String) {
    self.kind = kind
    self.detail = detail
  }

  /// `kind: detail`.
  public var description: String { kind.message + ": " + detail }

  /// Maps a bus error met while talking to `device` (`what` names the operation).
  public init(_ error: I2CError, device: String, while what: String) {
    switch error {
    case .busUnavailable(let path, let errno):
      self.init(
        .deviceAbsent,
        "\(device): bus \(path) unavailable (\(errnoDescription(errno))) while \(what)")
    case .noDevice(let address):
      self.init(.deviceAbsent, "\(device): no device at \(address) while \(what)")
    case .nak(let address):
      self.init(.busNak, "\(device): NAK from \(address) while \(what)")
    case .timeout(let address):
      self.init(.busTimeout, "\(device): timeout at \(address) while \(what)")
    case .unsupported(let operation):
      self.init(.adapterUnsupported, "\(device): adapter cannot \(operation) while \(what)")
    case .io(let address, let errno):
      self.init(
        .busError, "\(device): I/O error (\(errnoDescription(errno))) at \(address) while \(what)")
    case .invalidRequest(let reason):
      self.init(.busError, "\(device): invalid request (\(reason)) while \(what)")
    }
  }

  /// Maps a serial-port error met while talking to `device`.
  public init(_ error: SerialError, device: String, while what: String) {
    switch error {
    case .unavailable(let path, let errno):
      self.init(
        .deviceAbsent, "\(device): \(path) unavailable (\(errnoDescription(errno))) while \(what)")
    case .disconnected:
      self.init(.deviceDisconnected, "\(device): port disconnected while \(what)")
    case .unsupportedConfiguration(let reason):
      self.init(.adapterUnsupported, "\(device): \(reason) while \(what)")
    case .io(let errno):
      self.init(.busError, "\(device): I/O error (\(errnoDescription(errno))) while \(what)")
    }
  }
}
