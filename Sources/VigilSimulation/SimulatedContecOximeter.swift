import VigilCore
import VigilSensors

/// A byte-level model of a Contec CMS50D+ oximeter's serial side: it produces live-data packets
/// at 60 per second from a ``PatientScenario`` in either protocol, accepts host commands (9-byte
/// protocol: live data starts on `7D 81 A1 …` and stops 30 s after the last request), and can be
/// told to send short or corrupted packets. The bytes it sends wait in an outgoing queue until
/// the host's port reads them; ``SimulatedCP210x`` and ``SimulatedSerialPort`` carry them.
public final class SimulatedContecOximeter {
  /// The protocol the firmware speaks.
  public let protocolVersion: ContecProtocol
  /// The clock that times packets.
  public let clock: any MonotonicClock
  /// The patient.
  public var scenario: PatientScenario
  /// When the scenario started.
  public var start: Instant
  /// How long live data flows after a request (9-byte protocol).
  public var streamDuration = Duration.seconds(30)
  /// After the finger returns, how long the device searches before reporting values.
  public var searchTime = Duration.seconds(4)

  /// Fault: the next `n` packets lose their last bytes (sent short).
  public var truncateNextPackets = 0
  /// Fault: the next `n` packets have their start marker flipped (the sync bit of a 5-byte
  /// packet cleared, bit 7 of a 9-byte packet's type set), so they cannot be framed.
  public var corruptNextPackets = 0
  /// Fault: the next `n` packets carry an SpO2 of 115 %.
  public var impossibleValueNextPackets = 0
  /// Fault: the device sends nothing (battery flat, firmware hung).
  public var silent = false

  /// Packets sent.
  public private(set) var packetsSent: UInt64 = 0
  /// Commands received from the host.
  public private(set) var commandsReceived: [[UInt8]] = []

  private var generator: PPGWaveformGenerator
  private var outgoing: [UInt8] = []
  private var nextPacket: UInt64 = 0
  private var streamingUntil: Instant?
  private var commandBuffer: [UInt8] = []
  private var fingerBackAt: Instant?
  private var wasFingerOn = true
  private var lastPleth: UInt8 = 0
  private var beepArmed = true

  /// Creates a powered-on oximeter.
  public init(
    protocolVersion: ContecProtocol, clock: any MonotonicClock, scenario: PatientScenario,
    start: Instant
  ) {
    self.protocolVersion = protocolVersion
    self.clock = clock
    self.scenario = scenario
    self.start = start
    generator = PPGWaveformGenerator(scenario: scenario, start: start, noise: 0)
    nextPacket = (clock.now - start).nanoseconds * 60 / 1_000_000_000 + 1
  }

  /// Whether live data is flowing now.
  public var isStreaming: Bool {
    switch protocolVersion {
    case .legacy5Byte: return !silent
    case .packet9Byte: return !silent && (streamingUntil.map { clock.now <= $0 } ?? false)
    }
  }

  /// Bytes from the host (commands, 9-byte protocol).
  public func receive(_ bytes: [UInt8]) {
    for byte in bytes {
      if byte == 0x7D { commandBuffer.removeAll() }
      commandBuffer.append(byte)
      if commandBuffer.count == 9 {
        commandsReceived.append(commandBuffer)
        if protocolVersion == .packet9Byte && commandBuffer == ContecProtocol.startLiveData {
          produce()
          streamingUntil = clock.now + streamDuration
        } else if commandBuffer == ContecProtocol.stopLiveData {
          produce()
          streamingUntil = nil
        }
        commandBuffer.removeAll()
      }
    }
  }

  /// Moves every packet due by now into the outgoing queue.
  public func produce() {
    let now = clock.now
    while true {
      let due = start + Duration(nanoseconds: nextPacket * 1_000_000_000 / 60)
      guard due <= now else { break }
      nextPacket += 1
      let flowing: Bool
      switch protocolVersion {
      case .legacy5Byte: flowing = !silent
      case .packet9Byte: flowing = !silent && (streamingUntil.map { due <= $0 } ?? false)
      }
      let packet = makePacket(at: due)
      guard flowing else { continue }
      outgoing += damaged(packet)
      packetsSent += 1
    }
  }

  /// Removes and returns at most `maxCount` queued bytes.
  public func take(maxCount: Int) -> [UInt8] {
    produce()
    let count = min(maxCount, outgoing.count)
    let bytes = Array(outgoing[..<count])
    outgoing.removeFirst(count)
    return bytes
  }

  /// Drops queued bytes (a PURGE of the bridge's receive queue).
  public func discardQueued() {
    produce()
    outgoing.removeAll()
  }

  private func damaged(_ packet: [UInt8]) -> [UInt8] {
    var packet = packet
    if truncateNextPackets > 0 {
      truncateNextPackets -= 1
      packet.removeLast(2)
    } else if corruptNextPackets > 0 {
      corruptNextPackets -= 1
      packet[0] ^= 0x80
    }
    return packet
  }

  private func makePacket(at time: Instant) -> [UInt8] {
    let state = scenario.state(at: time - start)
    let light = generator.sample(at: time)
    if state.fingerOn && !wasFingerOn { fingerBackAt = time }
    wasFingerOn = state.fingerOn
    let searching = state.fingerOn && (fingerBackAt.map { time - $0 < searchTime } ?? false)
    var pleth: UInt8 = 0
    var rate = 255
    var spo2 = 127
    var signal: UInt8 = 0
    if state.fingerOn {
      let depth = max(0.0001, state.perfusionIndex / 100)
      pleth = UInt8(max(0, min(127, ((1 - light.infrared) / depth * 100).rounded())))
      signal = UInt8(min(15, max(1, (state.perfusionIndex * 4).rounded())))
      if !searching {
        rate = Int(state.heartRate.rounded())
        spo2 = Int(state.spo2.rounded())
      }
    }
    if impossibleValueNextPackets > 0 {
      impossibleValueNextPackets -= 1
      spo2 = 115
    }
    var beep = false
    if pleth >= 90 && beepArmed {
      beep = true
      beepArmed = false
    } else if pleth < 40 {
      beepArmed = true
    }
    lastPleth = pleth
    let bar = pleth / 8
    switch protocolVersion {
    case .legacy5Byte:
      return [
        0x80 | (beep ? 0x40 : 0) | (state.fingerOn ? 0 : 0x10) | signal,
        pleth & 0x7F,
        UInt8((rate & 0x80) >> 1) | (searching ? 0x20 : 0) | bar,
        UInt8(rate & 0x7F),
        UInt8(spo2 & 0x7F),
      ]
    case .packet9Byte:
      let pi = UInt16(max(0, min(65534, (state.perfusionIndex * 100).rounded())))
      let data: [UInt8] = [
        (state.fingerOn ? 0 : 0x80) | (beep ? 0x40 : 0) | signal,
        (searching || !state.fingerOn ? 0x80 : 0) | pleth,
        (state.fingerOn ? 0 : 0x10) | bar,
        UInt8(rate),
        UInt8(spo2),
        UInt8(pi & 0xFF),
        UInt8(pi >> 8),
      ]
      var high: UInt8 = 0x80
      for (index, byte) in data.enumerated() where byte & 0x80 != 0 { high |= 1 << UInt8(index) }
      return [ContecProtocol.liveDataType, high] + data.map { $0 | 0x80 }
    }
  }
}

/// What a UART receiving at the wrong baud rate or framing delivers: a deterministic scramble
/// that drops and alters bytes, as mismatched framing does.
func garbled(_ bytes: [UInt8]) -> [UInt8] {
  var out: [UInt8] = []
  for (index, byte) in bytes.enumerated() where index % 4 != 3 {
    out.append(byte &* 37 &+ 11)
  }
  return out
}
