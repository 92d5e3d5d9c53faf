/// The MAX30102/MAX30101 register map and field encodings.
///
/// Sources: Maxim Integrated MAX30102 datasheet (19-7740, rev. 1), "Register Maps and
/// Descriptions" (Table 1) and Tables 6-10; Linux `drivers/iio/health/max30102.c` for the same
/// addresses and the part id. The MAX30101 shares the map (it adds a green LED at 0x0E and uses
/// multi-LED mode for it); both report part id 0x15.
public enum MAX30102Register {
  /// Interrupt status 1: A_FULL (bit 7), PPG_RDY (6), ALC_OVF (5), PWR_RDY (0). Cleared on read.
  public static let interruptStatus1: UInt8 = 0x00
  /// Interrupt status 2: DIE_TEMP_RDY (bit 1). Cleared on read.
  public static let interruptStatus2: UInt8 = 0x01
  /// Interrupt enable 1: A_FULL_EN (7), PPG_RDY_EN (6), ALC_OVF_EN (5).
  public static let interruptEnable1: UInt8 = 0x02
  /// Interrupt enable 2: DIE_TEMP_RDY_EN (1).
  public static let interruptEnable2: UInt8 = 0x03
  /// FIFO write pointer, bits 4:0: where the chip writes the next sample.
  public static let fifoWritePointer: UInt8 = 0x04
  /// Overflow counter, bits 4:0: samples lost while the FIFO was full; saturates at 0x1F and
  /// resets when a complete sample is read.
  public static let overflowCounter: UInt8 = 0x05
  /// FIFO read pointer, bits 4:0: the next sample the host will read.
  public static let fifoReadPointer: UInt8 = 0x06
  /// FIFO data: successive reads return successive FIFO bytes (the register pointer does not
  /// advance past this address during a burst).
  public static let fifoData: UInt8 = 0x07
  /// FIFO configuration: SMP_AVE (7:5), FIFO_ROLLOVER_EN (4), FIFO_A_FULL (3:0).
  public static let fifoConfiguration: UInt8 = 0x08
  /// Mode configuration: SHDN (7), RESET (6), MODE (2:0).
  public static let modeConfiguration: UInt8 = 0x09
  /// SpO2 configuration: SPO2_ADC_RGE (6:5), SPO2_SR (4:2), LED_PW (1:0).
  public static let spo2Configuration: UInt8 = 0x0A
  /// LED1 (red) pulse amplitude, 0.2 mA per step.
  public static let led1PulseAmplitude: UInt8 = 0x0C
  /// LED2 (infrared) pulse amplitude, 0.2 mA per step.
  public static let led2PulseAmplitude: UInt8 = 0x0D
  /// Multi-LED mode control, slots 1 and 2.
  public static let multiLEDControl1: UInt8 = 0x11
  /// Multi-LED mode control, slots 3 and 4.
  public static let multiLEDControl2: UInt8 = 0x12
  /// Die temperature, integer part (two's complement, °C).
  public static let dieTemperatureInteger: UInt8 = 0x1F
  /// Die temperature, fraction (bits 3:0, 0.0625 °C per step).
  public static let dieTemperatureFraction: UInt8 = 0x20
  /// Die temperature configuration: TEMP_EN (bit 0) starts one conversion and self-clears.
  public static let dieTemperatureConfiguration: UInt8 = 0x21
  /// Revision id.
  public static let revisionID: UInt8 = 0xFE
  /// Part id: 0x15 for the MAX30102 and MAX30101.
  public static let partID: UInt8 = 0xFF

  /// The value of ``partID`` on a MAX30102 or MAX30101.
  public static let expectedPartID: UInt8 = 0x15
  /// The FIFO depth in samples.
  public static let fifoDepth = 32
  /// Bytes per sample in SpO2 mode: three bytes of red, then three of infrared.
  public static let bytesPerSpO2Sample = 6
  /// The mask of the 18 meaningful bits of a FIFO word.
  public static let sampleMask: UInt32 = 0x3FFFF
  /// The overflow counter's saturation value.
  public static let overflowCounterMaximum: UInt8 = 0x1F
}

/// Bits of the MAX30102 interrupt and mode registers.
public enum MAX30102Bits {
  /// Interrupt status 1, bit 7: the FIFO holds at least 32 − FIFO_A_FULL samples.
  public static let almostFull: UInt8 = 0x80
  /// Interrupt status 1, bit 6: a new sample is in the FIFO.
  public static let ppgReady: UInt8 = 0x40
  /// Interrupt status 1, bit 5: ambient light cancellation overflowed.
  public static let ambientLightOverflow: UInt8 = 0x20
  /// Interrupt status 1, bit 0: the chip powered up or recovered from a brown-out.
  public static let powerReady: UInt8 = 0x01
  /// Interrupt status 2, bit 1: a die temperature conversion finished.
  public static let dieTemperatureReady: UInt8 = 0x02
  /// Mode configuration, bit 7: shutdown.
  public static let shutdown: UInt8 = 0x80
  /// Mode configuration, bit 6: reset (self-clearing).
  public static let reset: UInt8 = 0x40
  /// FIFO configuration, bit 4: overwrite old samples when full.
  public static let fifoRollover: UInt8 = 0x10
}

/// The MAX30102's operating mode (MODE[2:0] of register 0x09).
public enum MAX30102Mode: UInt8, Sendable, CaseIterable {
  /// Heart-rate mode: red LED only.
  case heartRate = 0b010
  /// SpO2 mode: red and infrared LEDs.
  case spo2 = 0b011
  /// Multi-LED mode: slots set by registers 0x11-0x12.
  case multiLED = 0b111
}

/// Samples averaged into each FIFO sample (SMP_AVE[7:5] of register 0x08).
public enum MAX30102Averaging: UInt8, Sendable, CaseIterable {
  /// No averaging.
  case one = 0b000
  /// 2 samples.
  case two = 0b001
  /// 4 samples.
  case four = 0b010
  /// 8 samples.
  case eight = 0b011
  /// 16 samples.
  case sixteen = 0b100
  /// 32 samples.
  case thirtyTwo = 0b101

  /// The number of samples averaged.
  public var count: Int { 1 << Int(rawValue) }

  /// Decodes SMP_AVE; codes 0b101-0b111 all mean 32.
  public init(code: UInt8) { self = MAX30102Averaging(rawValue: min(code & 0x7, 0b101))! }
}

/// ADC sample rate (SPO2_SR[4:2] of register 0x0A).
public enum MAX30102SampleRate: UInt8, Sendable, CaseIterable {
  /// 50 samples per second.
  case hz50 = 0b000
  /// 100 samples per second.
  case hz100 = 0b001
  /// 200 samples per second.
  case hz200 = 0b010
  /// 400 samples per second.
  case hz400 = 0b011
  /// 800 samples per second.
  case hz800 = 0b100
  /// 1000 samples per second.
  case hz1000 = 0b101
  /// 1600 samples per second.
  case hz1600 = 0b110
  /// 3200 samples per second.
  case hz3200 = 0b111

  /// Samples per second.
  public var hertz: Int {
    switch self {
    case .hz50: return 50
    case .hz100: return 100
    case .hz200: return 200
    case .hz400: return 400
    case .hz800: return 800
    case .hz1000: return 1000
    case .hz1600: return 1600
    case .hz3200: return 3200
    }
  }
}

/// LED pulse width, which also sets the ADC resolution (LED_PW[1:0] of register 0x0A).
public enum MAX30102PulseWidth: UInt8, Sendable, CaseIterable {
  /// 69 µs, 15-bit resolution.
  case us69 = 0b00
  /// 118 µs, 16-bit resolution.
  case us118 = 0b01
  /// 215 µs, 17-bit resolution.
  case us215 = 0b10
  /// 411 µs, 18-bit resolution.
  case us411 = 0b11

  /// ADC resolution in bits. FIFO data is left-justified in 18 bits, so lower resolutions leave
  /// the low bits zero.
  public var resolutionBits: Int { 15 + Int(rawValue) }

}

/// ADC full-scale range (SPO2_ADC_RGE[6:5] of register 0x0A).
public enum MAX30102ADCRange: UInt8, Sendable, CaseIterable {
  /// 2048 nA full scale (7.81 pA per LSB).
  case nA2048 = 0b00
  /// 4096 nA full scale (15.63 pA per LSB).
  case nA4096 = 0b01
  /// 8192 nA full scale (31.25 pA per LSB).
  case nA8192 = 0b10
  /// 16384 nA full scale (62.5 pA per LSB).
  case nA16384 = 0b11

  /// Full-scale photocurrent in nanoamperes.
  public var fullScaleNanoamperes: Double { 2048 * Double(1 << Int(rawValue)) }
}

/// An LED pulse amplitude register value: 0.2 mA per step, 0x00 off to 0xFF = 51.0 mA.
public struct MAX30102LEDCurrent: Hashable, Sendable {
  /// The register value.
  public var code: UInt8
  /// Creates a current from its register value.
  public init(code: UInt8) { self.code = code }
  /// The nearest register value for `milliamperes` (0-51 mA), rounding to the 0.2 mA step.
  public init(milliamperes: Double) {
    let steps = (max(0, min(51.0, milliamperes)) / 0.2).rounded()
    code = UInt8(steps)
  }
  /// The nominal current in milliamperes.
  public var milliamperes: Double { Double(code) * 0.2 }
}
