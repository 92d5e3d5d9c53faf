import VigilCore

/// How the MAX30102 driver sets the chip up. The driver always uses SpO2 mode (red and infrared
/// LEDs), a polled FIFO with rollover disabled (so a full FIFO drops the newest samples and the
/// chip counts them in OVF_COUNTER, rather than overwriting old ones silently), and no interrupts.
public struct MAX30102Configuration: Hashable, Sendable {
  /// ADC conversions per second.
  public var sampleRate: MAX30102SampleRate
  /// Conversions averaged into each FIFO sample.
  public var averaging: MAX30102Averaging
  /// LED pulse width (and so the ADC resolution).
  public var pulseWidth: MAX30102PulseWidth
  /// ADC full-scale range.
  public var adcRange: MAX30102ADCRange
  /// Red LED (LED1) pulse amplitude.
  public var redCurrent: MAX30102LEDCurrent
  /// Infrared LED (LED2) pulse amplitude.
  public var infraredCurrent: MAX30102LEDCurrent
  /// How long the FIFO may stay empty before the driver reports ``TechnicalConditionKind/fifoStuck``.
  public var stuckTimeout: Duration

  /// Creates a configuration. The defaults are the Linux driver's (`max30102_chip_init`): 400
  /// conversions per second averaged by 4 (100 samples per second in the FIFO), 411 µs pulses
  /// (18-bit), 4096 nA full scale, with LED currents of 7 mA.
  public init(
    sampleRate: MAX30102SampleRate = .hz400, averaging: MAX30102Averaging = .four,
    pulseWidth: MAX30102PulseWidth = .us411, adcRange: MAX30102ADCRange = .nA4096,
    redCurrent: MAX30102LEDCurrent = MAX30102LEDCurrent(milliamperes: 7.0),
    infraredCurrent: MAX30102LEDCurrent = MAX30102LEDCurrent(milliamperes: 7.0),
    stuckTimeout: Duration = .seconds(1)
  ) {
    self.sampleRate = sampleRate
    self.averaging = averaging
    self.pulseWidth = pulseWidth
    self.adcRange = adcRange
    self.redCurrent = redCurrent
    self.infraredCurrent = infraredCurrent
    self.stuckTimeout = stuckTimeout
  }

  /// Samples per second arriving in the FIFO: the sample rate divided by the averaging.
  public var outputRate: Double { Double(sampleRate.hertz) / Double(averaging.count) }

  /// FIFO configuration (0x08): SMP_AVE in bits 7:5, rollover off, FIFO_A_FULL = 0 (the
  /// almost-full flag then means "all 32 slots hold unread samples", which the driver uses to tell
  /// a full FIFO from an empty one when the pointers are equal).
  public var fifoConfigurationValue: UInt8 { averaging.rawValue << 5 }

  /// Mode configuration (0x09): SpO2 mode, not shut down.
  public var modeConfigurationValue: UInt8 { MAX30102Mode.spo2.rawValue }

  /// SpO2 configuration (0x0A): ADC range in bits 6:5, sample rate in 4:2, pulse width in 1:0.
  public var spo2ConfigurationValue: UInt8 {
    adcRange.rawValue << 5 | sampleRate.rawValue << 2 | pulseWidth.rawValue
  }
}
