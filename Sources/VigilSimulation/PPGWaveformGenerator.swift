import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Light reaching a PPG photodiode at one instant, relative to the tissue's mean transmission
/// (1.0 = the DC level at rest, before LED current and optics scale it).
public struct OpticalSample: Hashable, Sendable {
  /// Red channel.
  public var red: Double
  /// Infrared channel.
  public var infrared: Double
  /// Whether a finger was on the sensor.
  public var fingerOn: Bool
}

/// A synthetic two-channel photoplethysmogram with known heart rate, SpO2, respiratory
/// modulation and perfusion index, taken from a ``PatientScenario``.
///
/// Model (per channel c, with beat phase φ and breath phase ψ):
/// `I_c(t) = DC_c · (1 + w·sin 2πψ) · (1 − m_c · (1 + a·sin 2πψ) · v(φ)) + noise`, where v is a
/// pulse shape in [0, 1] (a systolic Gaussian plus a dicrotic wave), `m_ir = PI / 100`, and
/// `m_red = R · m_ir` with `R = SpO2Calibration.ratio(saturation:)`, so the ratio of ratios of the
/// synthetic signal maps back to the scenario's SpO2 through the same curve the signal stage
/// uses. Breathing modulates the baseline (w = 0.4 %, about a fifth of the pulse at PI 2 %), the pulse amplitude (a = 10 %) and, as
/// respiratory sinus arrhythmia, the heart rate (±3 %). Time must move forward between calls.
public struct PPGWaveformGenerator: Sendable {
  /// The patient.
  public var scenario: PatientScenario
  /// When the scenario started.
  public var start: Instant
  /// Noise amplitude relative to DC (uniform, deterministic from the seed).
  public var noise: Double
  /// Baseline wander with breathing, relative to DC.
  public var baselineWander = 0.004
  /// Pulse-amplitude modulation with breathing.
  public var amplitudeModulation = 0.10
  /// Heart-rate modulation with breathing (respiratory sinus arrhythmia).
  public var sinusArrhythmia = 0.03
  /// Light reaching the photodiode with no finger (ambient and leakage), relative to DC.
  public var fingerOffLevel = 0.01

  private var beatPhase = 0.0
  private var breathPhase = 0.0
  private var last: Instant?
  private var random: UInt64

  /// Creates a generator for `scenario` starting at `start`.
  public init(
    scenario: PatientScenario, start: Instant, noise: Double = 0.0002, seed: UInt64 = 0x9E37_79B9
  ) {
    self.scenario = scenario
    self.start = start
    self.noise = noise
    self.random = seed | 1
  }

  /// The pulse shape over one beat, phase in [0, 1): peak 1 at 0.2 (systole), a dicrotic wave at
  /// 0.5, near 0 at end-diastole.
  public static func pulseShape(_ phase: Double) -> Double {
    func bump(_ centre: Double, _ width: Double) -> Double {
      var distance = abs(phase - centre)
      distance = min(distance, 1 - distance)
      let z = distance / width
      return exp(-0.5 * z * z)
    }
    return (bump(0.2, 0.08) + 0.35 * bump(0.5, 0.1)) / peak
  }

  private static let peak = 1.0 + 0.35 * exp(-0.5 * 9.0)

  /// The light at `time` (not earlier than the previous call).
  public mutating func sample(at time: Instant) -> OpticalSample {
    let t = time - start
    let state = scenario.state(at: t)
    let dt = last.map { (time - $0).seconds } ?? 0
    last = time
    let breath = sin(2 * Double.pi * breathPhase)
    let rate = state.heartRate * (1 + sinusArrhythmia * breath)
    beatPhase += rate / 60 * dt
    beatPhase -= beatPhase.rounded(.down)
    breathPhase += state.respiratoryRate / 60 * dt
    breathPhase -= breathPhase.rounded(.down)

    guard state.fingerOn else {
      return OpticalSample(
        red: fingerOffLevel + jitter(), infrared: fingerOffLevel + jitter(), fingerOn: false)
    }
    let pulse = Self.pulseShape(beatPhase) * (1 + amplitudeModulation * breath)
    let depthIR = state.perfusionIndex / 100
    let depthRed = SpO2Calibration.ratio(saturation: state.spo2) * depthIR
    let baseline = 1 + baselineWander * breath
    return OpticalSample(
      red: baseline * (1 - depthRed * pulse) + jitter(),
      infrared: baseline * (1 - depthIR * pulse) + jitter(), fingerOn: true)
  }

  private mutating func jitter() -> Double {
    guard noise > 0 else { return 0 }
    random ^= random << 13
    random ^= random >> 7
    random ^= random << 17
    let unit = Double(random >> 11) / Double(1 << 53)
    return (unit * 2 - 1) * noise
  }
}
