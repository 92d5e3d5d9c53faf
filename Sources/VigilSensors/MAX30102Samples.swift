import VigilCore

/// One red and infrared sample pair from the MAX30102 FIFO, as 18-bit ADC counts.
public struct PPGSample: Hashable, Sendable {
  /// The sample's position in the chip's sample stream since it was configured. Lost samples
  /// leave gaps in the numbering; nothing fills them.
  public var sequence: UInt64
  /// Red (LED1) ADC counts, 0-262143.
  public var red: UInt32
  /// Infrared (LED2) ADC counts, 0-262143.
  public var infrared: UInt32

  /// Creates a sample.
  public init(sequence: UInt64, red: UInt32, infrared: UInt32) {
    self.sequence = sequence
    self.red = red
    self.infrared = infrared
  }
}

/// What one read of the MAX30102 FIFO returned.
public struct PPGBatch: Hashable, Sendable {
  /// The samples read, oldest first, with consecutive sequence numbers.
  public var samples: [PPGSample]
  /// Samples the chip dropped after the last sample in ``samples`` because its FIFO was full.
  public var lostAfter: Int
  /// Whether ``lostAfter`` is only a lower bound: the chip's overflow counter saturates at 31.
  public var lostCountSaturated: Bool
  /// Samples per second of the stream.
  public var sampleRate: Double
  /// When the batch was read.
  public var time: Instant

  /// Creates a batch.
  public init(
    samples: [PPGSample], lostAfter: Int, lostCountSaturated: Bool, sampleRate: Double,
    time: Instant
  ) {
    self.samples = samples
    self.lostAfter = lostAfter
    self.lostCountSaturated = lostCountSaturated
    self.sampleRate = sampleRate
    self.time = time
  }
}

/// Running counts kept by the MAX30102 driver.
public struct MAX30102Statistics: Hashable, Sendable {
  /// Samples read from the FIFO.
  public var samplesRead: UInt64 = 0
  /// Samples the chip reported lost (a lower bound when an overflow saturated the counter).
  public var samplesLost: UInt64 = 0
  /// FIFO reads that found an overflow.
  public var overflowEvents: UInt64 = 0
  /// Overflows whose count saturated, so more may have been lost than counted.
  public var saturatedOverflows: UInt64 = 0
  /// I2C transactions issued while polling the FIFO.
  public var fifoTransactions: UInt64 = 0
  /// Creates zero counts.
  public init() {}
}
