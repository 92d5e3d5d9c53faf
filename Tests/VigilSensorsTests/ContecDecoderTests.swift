import Testing
import VigilCore
import VigilSensors

@Suite struct ContecDecoderTests {
  func decode(_ protocolVersion: ContecProtocol, _ chunks: [[UInt8]]) -> (
    [OximeterReading], [ContecFrameError], ContecDecoder
  ) {
    var decoder = ContecDecoder(protocolVersion: protocolVersion)
    decoder.lockThreshold = 1  // these tests are about single packets; the lock has its own
    var readings: [OximeterReading] = []
    var errors: [ContecFrameError] = []
    for chunk in chunks { decoder.feed(chunk, time: .zero, readings: &readings, errors: &errors) }
    return (readings, errors, decoder)
  }

  @Test func aNineBytePacketCapturedFromACMS50DPlusDecodesToItsDisplayedValues() throws {
    // Captured by headrotor/contec_data (stream_data.py): the device showed 65 bpm and 97 %.
    let (readings, errors, _) = decode(
      .packet9Byte, [[0x01, 0xE0, 0x85, 0xB3, 0x96, 0xC1, 0xE1, 0xFF, 0xFF]])
    #expect(errors.isEmpty)
    let reading = try #require(readings.first)
    #expect(reading.pulseRate == BeatsPerMinute(65))
    #expect(reading.spo2 == Percent(97))
    #expect(reading.pleth == 0x33)
    #expect(reading.signalStrength == 5)
    #expect(reading.barGraph == 6)
    #expect(reading.perfusionIndexRaw == nil)  // d2 bit 4 flags the PI invalid (PI bytes 0xFFFF)
    #expect(reading.status == [])
  }

  @Test func nineByteHighBitsRestoreTheFingerOutAndSearchingFlags() throws {
    // High-bits byte 0x83: bits 0 and 1 set the top bits of d0 (finger out) and d1 (searching).
    let (readings, _, _) = decode(
      .packet9Byte, [[0x01, 0x83, 0x80, 0x80, 0x90, 0xFF, 0xFF, 0x80, 0x80]])
    let reading = try #require(readings.first)
    #expect(reading.status.contains(.fingerOut))
    #expect(reading.status.contains(.searching))
    #expect(reading.pulseRate == nil)
    #expect(reading.spo2 == nil)
  }

  @Test func nineBytePerfusionIndexIsLittleEndian() throws {
    // d5 = 0x2C, d6 = 0x01 -> 0x012C = 300 (3.00 %).
    let (readings, _, _) = decode(
      .packet9Byte, [[0x01, 0x80, 0x88, 0xC0, 0x86, 0xC8, 0xE2, 0xAC, 0x81]])
    #expect(readings.first?.perfusionIndexRaw == 300)
    #expect(readings.first?.pulseRate == BeatsPerMinute(72))
    #expect(readings.first?.spo2 == Percent(98))
  }

  @Test func aFiveBytePacketCarriesPulseRateBit7InByteTwo() throws {
    // Sync+beep+signal 5; pleth 0x33; PR bit 7 (0x40) + bar 6; PR low 0x02 -> 130 bpm; SpO2 97.
    let (readings, errors, _) = decode(.legacy5Byte, [[0xC5, 0x33, 0x46, 0x02, 0x61]])
    #expect(errors.isEmpty)
    let reading = try #require(readings.first)
    #expect(reading.pulseRate == BeatsPerMinute(130))
    #expect(reading.spo2 == Percent(97))
    #expect(reading.status == [.pulseBeep])
    #expect(reading.barGraph == 6)
  }

  @Test func aFiveBytePacketWithFingerOutReportsNoValues() throws {
    let (readings, _, _) = decode(.legacy5Byte, [[0x90, 0x00, 0x40, 0x7F, 0x7F]])
    let reading = try #require(readings.first)
    #expect(reading.status.contains(.fingerOut))
    #expect(reading.pulseRate == nil && reading.spo2 == nil)
  }

  @Test func aFiveByteProbeErrorIsReported() throws {
    let (readings, _, _) = decode(.legacy5Byte, [[0x80, 0x00, 0x10, 0x48, 0x61]])
    #expect(readings.first?.status.contains(.probeError) == true)
  }

  @Test func packetsSplitAcrossReadsDecodeAsIfTheyArrivedWhole() {
    let stream: [UInt8] = [
      0x01, 0xE0, 0x85, 0xB3, 0x96, 0xC1, 0xE1, 0xFF, 0xFF, 0x01, 0xE0, 0x85, 0xB0, 0x96, 0xC1,
      0xE1, 0xFF, 0xFF,
    ]
    let whole = decode(.packet9Byte, [stream])
    let split = decode(
      .packet9Byte, [Array(stream[0..<4]), Array(stream[4..<11]), Array(stream[11...])])
    #expect(whole.0 == split.0)
    #expect(split.0.count == 2)
    #expect(split.1.isEmpty)
  }

  @Test func bytesBeforeTheFirstPacketStartAreDiscardedNotReported() {
    let (readings, errors, decoder) = decode(
      .legacy5Byte, [[0x12, 0x34, 0xC5, 0x33, 0x46, 0x02, 0x61]])
    #expect(readings.count == 1)
    #expect(errors.isEmpty)
    #expect(decoder.discardedBeforeSync == 2)
  }

  @Test func aFiveBytePacketCutShortIsTypedShortPacket() {
    let (readings, errors, _) = decode(
      .legacy5Byte, [[0xC5, 0x33, 0x46, 0xC5, 0x33, 0x46, 0x02, 0x61]])
    #expect(readings.count == 1)
    #expect(errors == [.shortPacket(expected: 5, received: 3, bytes: [0xC5, 0x33, 0x46])])
    #expect(errors.first?.conditionKind == .shortPacket)
  }

  @Test func aNineBytePacketCutShortIsTypedShortPacket() {
    let (readings, errors, _) = decode(
      .packet9Byte,
      [
        [
          0x01, 0xE0, 0x85, 0xB3, 0x96, 0xC1, 0xE1, 0x01, 0xE0, 0x85, 0xB3, 0x96, 0xC1, 0xE1, 0xFF,
          0xFF,
        ]
      ])
    #expect(readings.count == 1)
    #expect(errors.count == 1)
    if case .shortPacket(let expected, let received, _)? = errors.first {
      #expect(expected == 9 && received == 7)
    } else {
      Issue.record("expected a short packet, got \(errors)")
    }
  }

  @Test func strayBytesBetweenPacketsAreOneCorruptPacket() {
    let packet: [UInt8] = [0x01, 0xE0, 0x85, 0xB3, 0x96, 0xC1, 0xE1, 0xFF, 0xFF]
    let (readings, errors, _) = decode(.packet9Byte, [packet + [0xAA, 0xBB, 0xCC] + packet])
    #expect(readings.count == 2)
    #expect(
      errors == [.corruptPacket(reason: "3 bytes outside any packet", bytes: [0xAA, 0xBB, 0xCC])])
  }

  @Test func aFiveBytePacketWithoutItsSyncBitIsOneCorruptPacket() {
    let (readings, errors, _) = decode(
      .legacy5Byte,
      [[0xC5, 0x33, 0x46, 0x02, 0x61, 0x45, 0x33, 0x46, 0x02, 0x61, 0xC5, 0x33, 0x46, 0x02, 0x61]])
    #expect(readings.count == 2)
    #expect(errors.map(\.conditionKind) == [.corruptPacket])
  }

  @Test func anImpossibleSaturationIsRejectedNeverReported() {
    // SpO2 byte 0x73 = 115 %.
    let (readings, errors, _) = decode(.legacy5Byte, [[0x85, 0x33, 0x06, 0x48, 0x73]])
    #expect(readings.isEmpty)
    #expect(errors.first?.conditionKind == .corruptPacket)
    #expect(errors.first?.detail.contains("SpO2 115") == true)
  }

  @Test func commandResponsesOfOtherTypesAreSkippedWithoutError() {
    // 0C 80 answers command A7; 0E 80 81 answers AC (OSCAR cms50f37 loader captures).
    let (readings, errors, decoder) = decode(
      .packet9Byte,
      [[0x0C, 0x80, 0x0E, 0x80, 0x81, 0x01, 0xE0, 0x85, 0xB3, 0x96, 0xC1, 0xE1, 0xFF, 0xFF]])
    #expect(readings.count == 1)
    #expect(errors.isEmpty)
    #expect(decoder.ignoredPackets == 2)
  }

  func locking(_ chunks: [[UInt8]]) -> ([OximeterReading], [ContecFrameError], ContecDecoder) {
    var decoder = ContecDecoder(protocolVersion: .legacy5Byte)
    var readings: [OximeterReading] = []
    var errors: [ContecFrameError] = []
    for chunk in chunks { decoder.feed(chunk, time: .zero, readings: &readings, errors: &errors) }
    return (readings, errors, decoder)
  }

  let good: [UInt8] = [0xC5, 0x33, 0x46, 0x02, 0x61]

  @Test func readingsAreReleasedOnlyAfterThreeConsecutiveGoodPackets() {
    let (two, _, _) = locking([good + good])
    #expect(two.isEmpty)
    let (three, _, decoder) = locking([good + good + good + good])
    #expect(three.count == 4)
    #expect(decoder.isLocked)
  }

  @Test func aRejectedPacketBeforeTheLockDropsTheHeldOnesAndCountsThem() {
    let (readings, errors, decoder) = locking([good + good + [0xC5, 0x33] + good + good + good])
    #expect(errors.count == 1)
    #expect(decoder.packetsDroppedUnverified == 2)
    #expect(readings.count == 3)
  }
}
