import VigilCore

/// Turns the byte stream of a Contec oximeter into readings, resynchronising on the protocol's
/// marker bits and reporting every packet it cannot accept as a typed error.
///
/// Packets may arrive split across reads (a USB bulk transfer or a tty read ends anywhere);
/// the decoder keeps the partial packet. Bytes before the first packet start are discarded and
/// counted, not reported: the monitor joins a stream mid-packet. After that, a byte that cannot
/// belong to a packet is corruption.
///
/// Neither protocol has a checksum, and random bytes (a wrong baud rate, a noisy line) form a
/// well-framed packet now and then. So the decoder releases readings only while it is *locked*:
/// after ``lockThreshold`` consecutive well-formed packets. Packets held while locking are
/// released together once the lock is reached; if a rejected packet breaks the run first, they
/// are dropped and counted in ``packetsDroppedUnverified`` (the rejection itself is reported).
public struct ContecDecoder: Sendable {
  /// The protocol being decoded.
  public let protocolVersion: ContecProtocol
  /// Bytes discarded before the first packet start.
  public private(set) var discardedBeforeSync = 0
  /// Packets of other types skipped (9-byte protocol: command responses).
  public private(set) var ignoredPackets = 0
  /// Packets decoded into readings.
  public private(set) var packetsDecoded = 0
  /// Packets rejected.
  public private(set) var packetsRejected = 0
  /// Well-formed packets dropped because a rejected packet followed before the lock was reached.
  public private(set) var packetsDroppedUnverified = 0
  /// Consecutive well-formed packets needed before readings are released.
  public var lockThreshold = 3
  /// Whether readings are being released.
  public var isLocked: Bool { consecutiveValid >= lockThreshold }

  private var consecutiveValid = 0
  private var held: [OximeterReading] = []

  private var buffer: [UInt8] = []
  private var stray: [UInt8] = []
  private var synced = false
  private var skippingOtherType = false

  /// Creates a decoder for `protocolVersion`.
  public init(protocolVersion: ContecProtocol) {
    self.protocolVersion = protocolVersion
    buffer.reserveCapacity(9)
  }

  /// Decodes `bytes` that arrived at `time`, appending readings and rejected packets.
  public mutating func feed(
    _ bytes: [UInt8], time: Instant, readings: inout [OximeterReading],
    errors: inout [ContecFrameError]
  ) {
    for byte in bytes {
      switch protocolVersion {
      case .legacy5Byte: feedLegacy(byte, time: time, readings: &readings, errors: &errors)
      case .packet9Byte: feedNineByte(byte, time: time, readings: &readings, errors: &errors)
      }
    }
  }

  private mutating func reject(_ error: ContecFrameError, into errors: inout [ContecFrameError]) {
    packetsRejected += 1
    errors.append(error)
    consecutiveValid = 0
    packetsDroppedUnverified += held.count
    held.removeAll(keepingCapacity: true)
  }

  private mutating func accept(_ reading: OximeterReading, into readings: inout [OximeterReading]) {
    packetsDecoded += 1
    if isLocked {
      readings.append(reading)
      return
    }
    held.append(reading)
    consecutiveValid += 1
    if isLocked {
      readings += held
      held.removeAll(keepingCapacity: true)
    }
  }

  /// Bytes that cannot belong to a packet are collected and reported as one corrupt packet when
  /// the next packet starts (or every 16 bytes), not one error per byte.
  private mutating func addStray(_ byte: UInt8, into errors: inout [ContecFrameError]) {
    stray.append(byte)
    if stray.count == 16 { flushStray(into: &errors) }
  }

  private mutating func flushStray(into errors: inout [ContecFrameError]) {
    guard !stray.isEmpty else { return }
    reject(
      .corruptPacket(reason: "\(stray.count) bytes outside any packet", bytes: stray), into: &errors
    )
    stray.removeAll(keepingCapacity: true)
  }

  // MARK: 5-byte protocol: sync bit 7 on byte 0 only.

  private mutating func feedLegacy(
    _ byte: UInt8, time: Instant, readings: inout [OximeterReading],
    errors: inout [ContecFrameError]
  ) {
    if byte & 0x80 != 0 {
      startPacket(expected: 5, into: &errors)
      buffer.append(byte)
      return
    }
    continuePacket(
      byte, length: 5, time: time, decode: Self.decodeLegacy, readings: &readings, errors: &errors)
  }

  /// Ends the packet in progress at a sync byte: stray bytes and a packet cut short (fewer than
  /// `expected` bytes) are reported, and the buffer is emptied for the new packet.
  private mutating func startPacket(expected: Int, into errors: inout [ContecFrameError]) {
    flushStray(into: &errors)
    if !buffer.isEmpty {
      reject(.shortPacket(expected: expected, received: buffer.count, bytes: buffer), into: &errors)
    }
    buffer.removeAll(keepingCapacity: true)
    synced = true
  }

  /// Adds a body byte to the packet in progress (or counts it as stray when no packet has
  /// started) and decodes the packet once it holds `length` bytes.
  private mutating func continuePacket(
    _ byte: UInt8, length: Int, time: Instant,
    decode: ([UInt8], Instant) -> Result<OximeterReading, ContecFrameError>,
    readings: inout [OximeterReading], errors: inout [ContecFrameError]
  ) {
    if buffer.isEmpty {
      if synced {
        addStray(byte, into: &errors)
      } else {
        discardedBeforeSync += 1
      }
      return
    }
    buffer.append(byte)
    if buffer.count == length {
      let packet = buffer
      buffer.removeAll(keepingCapacity: true)
      switch decode(packet, time) {
      case .success(let reading):
        accept(reading, into: &readings)
      case .failure(let error):
        reject(error, into: &errors)
      }
    }
  }

  /// Decodes one 5-byte packet (atbrask/CMS50Dplus `LiveDataPoint`):
  /// byte 0: sync (7), beep (6), SpO2 dropping (5), finger out (4), signal strength (3:0);
  /// byte 1: pleth (6:0); byte 2: pulse-rate bit 7 (6), searching (5), probe error (4), bar graph
  /// (3:0); byte 3: pulse rate (6:0); byte 4: SpO2 (6:0). A pulse rate of 255 and an SpO2 of 127
  /// mean "no value".
  public static func decodeLegacy(_ packet: [UInt8], time: Instant) -> Result<
    OximeterReading, ContecFrameError
  > {
    guard packet.count == 5 else {
      return .failure(.shortPacket(expected: 5, received: packet.count, bytes: packet))
    }
    guard packet[0] & 0x80 != 0, packet[1...].allSatisfy({ $0 & 0x80 == 0 }) else {
      return .failure(.corruptPacket(reason: "sync bits wrong", bytes: packet))
    }
    var status: ContecStatus = []
    if packet[0] & 0x40 != 0 { status.insert(.pulseBeep) }
    if packet[0] & 0x20 != 0 { status.insert(.spo2Dropping) }
    if packet[0] & 0x10 != 0 { status.insert(.fingerOut) }
    if packet[2] & 0x20 != 0 { status.insert(.searching) }
    if packet[2] & 0x10 != 0 { status.insert(.probeError) }
    let rate = UInt16(packet[2] & 0x40) << 1 | UInt16(packet[3] & 0x7F)
    let spo2 = packet[4] & 0x7F
    return validated(
      time: time, pleth: packet[1] & 0x7F, rate: rate, spo2: spo2, perfusion: nil,
      signal: packet[0] & 0x0F, bar: packet[2] & 0x0F, status: status, packet: packet)
  }

  // MARK: 9-byte protocol: type byte with bit 7 clear, body bytes with bit 7 set.

  private mutating func feedNineByte(
    _ byte: UInt8, time: Instant, readings: inout [OximeterReading],
    errors: inout [ContecFrameError]
  ) {
    if byte & 0x80 == 0 {
      startPacket(expected: 9, into: &errors)
      skippingOtherType = byte != ContecProtocol.liveDataType
      if skippingOtherType {
        ignoredPackets += 1
      } else {
        buffer.append(byte)
      }
      return
    }
    if skippingOtherType { return }
    continuePacket(
      byte, length: 9, time: time, decode: Self.decodeNineByte, readings: &readings,
      errors: &errors)
  }

  /// Decodes one 9-byte live-data packet. After restoring the high bits from byte 1, the seven
  /// data bytes are: d0 finger out (7), pulse beep (6), searching too long (4), signal strength
  /// (3:0); d1 searching (7), pleth (6:0); d2 perfusion index invalid (4), bar graph (3:0);
  /// d3 pulse rate (255 = none); d4 SpO2 (127 = none); d5-d6 perfusion index, little-endian.
  public static func decodeNineByte(_ packet: [UInt8], time: Instant) -> Result<
    OximeterReading, ContecFrameError
  > {
    guard packet.count == 9 else {
      return .failure(.shortPacket(expected: 9, received: packet.count, bytes: packet))
    }
    guard packet[0] == ContecProtocol.liveDataType, packet[1...].allSatisfy({ $0 & 0x80 != 0 })
    else {
      return .failure(.corruptPacket(reason: "type or marker bits wrong", bytes: packet))
    }
    let high = packet[1]
    var data = [UInt8](repeating: 0, count: 7)
    for index in 0..<7 {
      data[index] = packet[index + 2] & 0x7F | ((high >> UInt8(index)) & 1) << 7
    }
    var status: ContecStatus = []
    if data[0] & 0x80 != 0 { status.insert(.fingerOut) }
    if data[0] & 0x40 != 0 { status.insert(.pulseBeep) }
    if data[0] & 0x10 != 0 { status.insert(.searchingTooLong) }
    if data[1] & 0x80 != 0 { status.insert(.searching) }
    let perfusion: UInt16? =
      data[2] & 0x10 != 0 ? nil : UInt16(data[5]) | UInt16(data[6]) << 8
    return validated(
      time: time, pleth: data[1] & 0x7F, rate: UInt16(data[3]), spo2: data[4],
      perfusion: perfusion, signal: data[0] & 0x0F, bar: data[2] & 0x0F, status: status,
      packet: packet)
  }

  /// Range checks shared by both protocols. The devices measure 30-250 bpm and 0-100 %; 0 and
  /// 255 (pulse) or 0 and 127 (SpO2) mean "no value"; anything else outside the range is a
  /// corrupted packet, never a reading.
  private static func validated(
    time: Instant, pleth: UInt8, rate: UInt16, spo2: UInt8, perfusion: UInt16?, signal: UInt8,
    bar: UInt8, status: ContecStatus, packet: [UInt8]
  ) -> Result<OximeterReading, ContecFrameError> {
    if rate > 250 && rate != 255 {
      return .failure(.corruptPacket(reason: "pulse rate \(rate) out of range", bytes: packet))
    }
    if spo2 > 100 && spo2 != 127 {
      return .failure(.corruptPacket(reason: "SpO2 \(spo2) out of range", bytes: packet))
    }
    let noValues = status.contains(.fingerOut) || status.contains(.searching)
    let pulse: BeatsPerMinute? =
      noValues || rate == 0 || rate == 255 ? nil : BeatsPerMinute(Double(rate))
    let saturation: Percent? = noValues || spo2 == 0 || spo2 == 127 ? nil : Percent(Double(spo2))
    return .success(
      OximeterReading(
        time: time, pleth: pleth, pulseRate: pulse, spo2: saturation,
        perfusionIndexRaw: perfusion, signalStrength: signal, barGraph: bar, status: status))
  }
}
