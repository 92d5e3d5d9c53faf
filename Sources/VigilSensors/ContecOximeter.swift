import VigilCore

/// What one poll of a Contec oximeter produced.
public struct ContecPoll: Hashable, Sendable {
  /// Decoded packets, oldest first.
  public var readings: [OximeterReading] = []
  /// Packets rejected as short or corrupt.
  public var errors: [ContecFrameError] = []
  /// Bytes read in this poll.
  public var bytesRead = 0
  /// Creates an empty poll result.
  public init() {}
}

/// Driver for Contec CMS50D+/CMS50E-family pulse oximeters over any ``SerialPort``: a kernel tty
/// (`/dev/ttyUSB0` through the `cp210x` driver) or ``CP210xSerialPort`` over libusb, unchanged.
///
/// It sets the line framing for the chosen protocol, starts live data (9-byte protocol: and
/// repeats the request every ``keepAliveInterval`` because the device stops after about 30 s),
/// and decodes what arrives. A device that sends nothing for ``silenceTimeout`` raises
/// ``TechnicalConditionKind/noData``.
public final class ContecOximeter<Port: SerialPort> {
  /// The port the oximeter is on.
  public let port: Port
  /// The live-data protocol it speaks.
  public let protocolVersion: ContecProtocol
  /// The clock that times packets and silences.
  public let clock: any MonotonicClock
  /// How often the start command is repeated (9-byte protocol).
  public var keepAliveInterval = Duration.seconds(10)
  /// How long the stream may stay silent before ``poll()`` throws.
  public var silenceTimeout = Duration.seconds(2)
  /// The decoder, with its counts.
  public private(set) var decoder: ContecDecoder

  private var lastData = Instant.zero
  private var lastRequest = Instant.zero
  private let name: String

  /// Creates a driver; `name` identifies the device in fault details.
  public init(
    port: Port, protocolVersion: ContecProtocol, clock: any MonotonicClock,
    name: String = "Contec oximeter"
  ) {
    self.port = port
    self.protocolVersion = protocolVersion
    self.clock = clock
    self.name = name
    decoder = ContecDecoder(protocolVersion: protocolVersion)
  }

  /// Sets the serial framing and, for the 9-byte protocol, requests live data.
  public func start() throws(SensorFault) {
    do {
      try port.configure(protocolVersion.serialConfiguration)
    } catch {
      throw SensorFault(error, device: name, while: "setting the line framing")
    }
    decoder = ContecDecoder(protocolVersion: protocolVersion)
    let now = clock.now
    if protocolVersion == .packet9Byte {
      try requestLiveData(now: now)
    }
    lastData = now
  }

  private func requestLiveData(now: Instant) throws(SensorFault) {
    do {
      try port.write(ContecProtocol.startLiveData)
    } catch {
      throw SensorFault(error, device: name, while: "sending the live-data command 7D 81 A1")
    }
    lastRequest = now
  }

  /// Reads everything that has arrived (without waiting) and decodes it.
  public func poll() throws(SensorFault) -> ContecPoll {
    let now = clock.now
    var result = ContecPoll()
    // Bounded: at 60 packets per second a poll never needs more than a few reads.
    for _ in 0..<32 {
      let bytes: [UInt8]
      do {
        bytes = try port.read(maxCount: 512, timeout: .zero)
      } catch {
        throw SensorFault(error, device: name, while: "reading live data")
      }
      if bytes.isEmpty { break }
      result.bytesRead += bytes.count
      decoder.feed(bytes, time: now, readings: &result.readings, errors: &result.errors)
    }
    if result.bytesRead > 0 {
      lastData = now
    } else if now - lastData > silenceTimeout {
      throw SensorFault(
        .noData, "\(name): no bytes for \((now - lastData).nanoseconds / 1_000_000) ms")
    }
    if protocolVersion == .packet9Byte && now - lastRequest >= keepAliveInterval {
      try requestLiveData(now: now)
    }
    return result
  }
}
