import VigilCore

/// What answered at an I2C address, as identified from its registers.
public enum I2CChipIdentity: Hashable, Sendable {
  /// A MAX30102 or MAX30101 (part id 0x15) with its revision id.
  case max30102(revision: UInt8)
  /// A TMP117 (device id 0x117) with its revision.
  case tmp117(revision: UInt8)
  /// A device whose threshold registers hold the MAX30205's power-on values (the chip has no
  /// identity register, so this is a strong hint, not proof).
  case max30205
  /// Something answered but was not recognised; the detail says what it returned.
  case unrecognised(String)
  /// Nothing acknowledged the address.
  case absent
  /// The probe failed for another reason.
  case failed(String)

  /// A one-line description for `vigil board probe`.
  public var summary: String {
    switch self {
    case .max30102(let revision):
      return "MAX30102/MAX30101 pulse oximeter (part 0x15, rev 0x\(hex(revision)))"
    case .tmp117(let revision): return "TMP117 temperature sensor (id 0x117, rev \(revision))"
    case .max30205: return "MAX30205 temperature sensor (power-on thresholds 75/80 °C)"
    case .unrecognised(let detail): return "unrecognised device (\(detail))"
    case .absent: return "no answer"
    case .failed(let detail): return "probe failed: \(detail)"
    }
  }
}

/// Looks for Vigil's chips at their documented addresses, reading identity registers only (no
/// register with a read side effect is touched, so probing a running sensor is harmless).
public enum BoardProbe {
  /// The addresses probed: TMP117 and MAX30205 at 0x48-0x4B, MAX30205 also at 0x4C-0x4F,
  /// MAX30102 at 0x57.
  public static let addresses: [I2CAddress] =
    (0x48...0x4F).map { I2CAddress($0) } + [I2CAddress(0x57)]

  /// Identifies what answers at `address`.
  public static func identify<Bus: I2CBus>(on bus: Bus, at address: I2CAddress) -> I2CChipIdentity {
    do {
      if address.rawValue == 0x57 {
        let part = try bus.readByte(at: address, register: MAX30102Register.partID)
        guard part == MAX30102Register.expectedPartID else {
          return .unrecognised("register 0xFF = 0x\(hex(part))")
        }
        return .max30102(
          revision: try bus.readByte(at: address, register: MAX30102Register.revisionID))
      }
      if address.rawValue <= 0x4B {
        let id = try bus.readBigEndianWord(at: address, register: TMP117Register.deviceID)
        if id & 0x0FFF == TMP117Register.expectedDeviceID {
          return .tmp117(revision: UInt8(id >> 12))
        }
      }
      let hyst = try bus.readBigEndianWord(at: address, register: MAX30205Register.hysteresis)
      let tos = try bus.readBigEndianWord(at: address, register: MAX30205Register.overtemperature)
      if hyst == MAX30205Register.powerOnHysteresis
        && tos == MAX30205Register.powerOnOvertemperature
      {
        return .max30205
      }
      return .unrecognised("registers 0x02/0x03 = 0x\(hex(hyst))/0x\(hex(tos))")
    } catch {
      switch error {
      case .noDevice: return .absent
      default: return .failed(SensorFault(error, device: "\(address)", while: "probing").detail)
      }
    }
  }

  /// Identifies every address in ``addresses`` and returns those that answered.
  public static func scan<Bus: I2CBus>(_ bus: Bus) -> [(I2CAddress, I2CChipIdentity)] {
    var found: [(I2CAddress, I2CChipIdentity)] = []
    for address in addresses {
      let identity = identify(on: bus, at: address)
      if identity != .absent { found.append((address, identity)) }
    }
    return found
  }
}
