import VigilCore

/// The input contract of a risk model, as its manifest writes it: which channels it reads, how
/// they are carried forward and standardised, which features it computes from them in which
/// order, and how the features are quantized into the model's int8 input tensor.
///
/// Everything the training applied to the data is here; ``RiskFeatureExtractor`` implements it
/// hour by hour. `VigilManifest` builds a contract from the manifest's JSON. The parts are checked
/// together when the contract is created and cannot be changed afterwards.
public struct RiskInputContract: Sendable {
  /// Standardised values are clamped to ±`zLimit`.
  public private(set) var zLimit: Double
  /// The channels the features read: measured vitals and channels derived from them.
  public private(set) var channels: [RiskChannel]
  /// The features, in the order of the model's input tensor.
  public private(set) var features: [RiskFeature]
  /// The int8 quantization of the input tensor.
  public private(set) var inputQuantization: Int8Quantization
  /// The NEWS2 aggregate at or above which an hour counts as abnormal for `total` features.
  public private(set) var news2AlertTotal: Int

  /// Creates a contract and checks that its parts fit together.
  ///
  /// - Throws: ``RiskContractError`` naming the first feature or channel that is inconsistent.
  public init(
    zLimit: Double, channels: [RiskChannel], features: [RiskFeature],
    inputQuantization: Int8Quantization, news2AlertTotal: Int
  ) throws(RiskContractError) {
    guard zLimit > 0, zLimit.isFinite else { throw .invalidNumber(field: "z_limit") }
    for (i, channel) in channels.enumerated() {
      guard channel.standardDeviation > 0, channel.standardDeviation.isFinite,
        channel.mean.isFinite
      else { throw .invalidNumber(field: "channel \(channel.source.name) mean/std") }
      if case .measured(_, let maxAge) = channel.source, maxAge < 0 {
        throw .invalidNumber(field: "channel \(channel.source.name) max_age_hours")
      }
      for other in channels[..<i] where other.source.name == channel.source.name {
        throw .duplicateChannel(channel.source.name)
      }
    }
    for (i, feature) in features.enumerated() {
      guard feature.standardDeviation > 0, feature.standardDeviation.isFinite,
        feature.mean.isFinite
      else { throw .invalidNumber(field: "feature \(i) (\(feature.name)) mean/std") }
      if let channel = feature.kind.channel,
        !channels.contains(where: { $0.source.name == channel })
      {
        throw .unknownChannel(feature: i, name: feature.name, channel: channel)
      }
      if let vital = feature.kind.measuredVital,
        !channels.contains(where: { $0.source.measuredVital == vital })
      {
        throw .unknownChannel(
          feature: i, name: feature.name, channel: RiskChannel.manifestName(of: vital))
      }
      guard feature.kind.hasValidSpans else {
        throw .invalidNumber(field: "feature \(i) (\(feature.name)) hours, lag or cap")
      }
    }
    for source in [RiskChannel.Source.shockIndex, .pulsePressure]
    where channels.contains(where: { $0.source == source }) {
      let operands: [VitalKind] =
        source == .shockIndex
        ? [.heartRate, .systolicPressure] : [.systolicPressure, .diastolicPressure]
      for vital in operands where !channels.contains(where: { $0.source.measuredVital == vital }) {
        throw .missingOperand(channel: source.name, operand: RiskChannel.manifestName(of: vital))
      }
    }
    guard inputQuantization.scale > 0, inputQuantization.scale.isFinite else {
      throw .invalidNumber(field: "input tensor scale")
    }
    self.zLimit = zLimit
    self.channels = channels
    self.features = features
    self.inputQuantization = inputQuantization
    self.news2AlertTotal = news2AlertTotal
  }

  /// The number of past hours, the current one included, that any feature looks back on.
  public var hoursOfHistory: Int {
    var hours = 1
    for feature in features { hours = max(hours, feature.kind.hoursOfHistory) }
    return hours
  }
}

/// Why a contract cannot be built.
public enum RiskContractError: Error, Hashable, CustomStringConvertible, Sendable {
  /// A number is missing, not finite, or out of its range (a standard deviation ≤ 0, say).
  case invalidNumber(field: String)
  /// A feature reads a channel the contract does not define.
  case unknownChannel(feature: Int, name: String, channel: String)
  /// A derived channel's formula reads a vital the contract does not measure.
  case missingOperand(channel: String, operand: String)
  /// Two channels have the same name.
  case duplicateChannel(String)

  /// A message naming the fault.
  public var description: String {
    switch self {
    case .invalidNumber(let field): return "\(field) is not a valid number"
    case .unknownChannel(let feature, let name, let channel):
      return "feature \(feature) (\(name)) reads channel '\(channel)', which is not defined"
    case .missingOperand(let channel, let operand):
      return "derived channel '\(channel)' needs '\(operand)', which is not measured"
    case .duplicateChannel(let name): return "channel '\(name)' is defined twice"
    }
  }
}

/// A channel of hourly values: a measured vital carried forward for a while, or a formula over
/// the carried-forward vitals.
public struct RiskChannel: Sendable {
  /// Where the channel's values come from.
  public var source: Source
  /// The mean its standardisation subtracts.
  public var mean: Double
  /// The standard deviation its standardisation divides by.
  public var standardDeviation: Double

  /// Creates a channel.
  public init(source: Source, mean: Double, standardDeviation: Double) {
    self.source = source
    self.mean = mean
    self.standardDeviation = standardDeviation
  }

  /// Where a channel's values come from.
  public enum Source: Hashable, Sendable {
    /// A measured vital, carried forward up to `maxAgeHours` after its last measurement.
    case measured(VitalKind, maxAgeHours: Int)
    /// Heart rate divided by systolic pressure.
    case shockIndex
    /// Systolic minus diastolic pressure.
    case pulsePressure

    /// The measured vital, if the channel is one.
    public var measuredVital: VitalKind? {
      if case .measured(let vital, _) = self { return vital }
      return nil
    }

    /// The channel's name in the manifest.
    public var name: String {
      switch self {
      case .measured(let vital, _): return RiskChannel.manifestName(of: vital)
      case .shockIndex: return "ShockIndex"
      case .pulsePressure: return "PulsePressure"
      }
    }
  }

  /// The manifest's name of a vital (the column names of the PhysioNet 2019 data).
  public static func manifestName(of vital: VitalKind) -> String {
    switch vital {
    case .heartRate: return "HR"
    case .spo2: return "O2Sat"
    case .temperature: return "Temp"
    case .systolicPressure: return "SBP"
    case .meanArterialPressure: return "MAP"
    case .diastolicPressure: return "DBP"
    case .respiratoryRate: return "Resp"
    case .perfusionIndex: return "PI"
    }
  }
}

/// A statistic over the hours of a window or of the stay.
public enum RiskStatistic: Hashable, Sendable {
  /// The mean: the sum in hour order, oldest first, divided by the count.
  case mean
  /// The population standard deviation from the sums of values and squares in hour order.
  case standardDeviation
  /// The largest value.
  case max
  /// The smallest value.
  case min
}

/// What a NEWS2 feature watches: one parameter's points, or the aggregate.
public enum NEWS2Watch: Hashable, Sendable {
  /// One parameter; abnormal when its points are above 0.
  case parameter(NEWS2Parameter)
  /// The aggregate; abnormal when it is at or above the contract's alert total.
  case total
}

/// A patient attribute given with every hour.
public enum RiskStatic: CaseIterable, Hashable, Sendable {
  /// Age in years.
  case age
  /// Sex: 1 male, 0 female.
  case sex
  /// Hours since ICU admission (1 in the first hour).
  case hoursSinceAdmission

  /// The attribute's name in the manifest.
  public var manifestName: String {
    switch self {
    case .age: return "Age"
    case .sex: return "Sex"
    case .hoursSinceAdmission: return "HoursSinceAdmission"
    }
  }
}

/// One entry of the model's input: what it computes and how it is standardised.
public struct RiskFeature: Sendable {
  /// The feature's name in the manifest (for messages).
  public var name: String
  /// What it computes.
  public var kind: Kind
  /// The mean its standardisation subtracts.
  public var mean: Double
  /// The standard deviation its standardisation divides by.
  public var standardDeviation: Double

  /// Creates a feature.
  public init(name: String, kind: Kind, mean: Double, standardDeviation: Double) {
    self.name = name
    self.kind = kind
    self.mean = mean
    self.standardDeviation = standardDeviation
  }

  /// The computations a feature can make; the manifest's `kinds` define each in words.
  public enum Kind: Hashable, Sendable {
    /// The channel's z at hour t − lag; 0 when missing or before the first hour.
    case value(channel: String, lag: Int)
    /// 1 when the channel has no z at hour t − lag (or before the first hour), else 0.
    case missing(channel: String, lag: Int)
    /// z(t) − z(t − lag); 0 when either is missing.
    case delta(channel: String, lag: Int)
    /// A statistic of the channel's z over the last `hours` hours (0 when none; sd: fewer than 2).
    case window(RiskStatistic, channel: String, hours: Int)
    /// A statistic of the channel's z over the whole stay so far.
    case stay(RiskStatistic, channel: String)
    /// NEWS2 points of a parameter from its carried-forward vital.
    case news2Points(NEWS2Parameter)
    /// The NEWS2 aggregate (consciousness not measured).
    case news2Total
    /// Hours since the watched score was last abnormal, capped at `cap` (cap when never).
    case news2HoursSinceAbnormal(NEWS2Watch, cap: Int)
    /// The share of the stay's hours at which the watched score was abnormal.
    case news2FractionAbnormal(NEWS2Watch)
    /// The largest NEWS2 aggregate over the last `hours` hours.
    case news2TotalWindowMax(hours: Int)
    /// 1 when the latest FiO2 within `maxAgeHours` is above air's 0.21, else 0.
    case oxygen(maxAgeHours: Int)
    /// Hours since the vital was last measured (not carried forward), capped at `cap`.
    case hoursSinceMeasured(VitalKind, cap: Int)
    /// The share of the stay's hours at which the vital was measured.
    case measuredFraction(VitalKind)
    /// The share of the last `hours` hours at which the vital was measured.
    case measuredFractionWindow(VitalKind, hours: Int)
    /// A patient attribute as it is.
    case `static`(RiskStatic)
    /// ln(1 + a patient attribute).
    case logStatic(RiskStatic)

    /// The channel the feature reads, if it reads one.
    public var channel: String? {
      switch self {
      case .value(let c, _), .missing(let c, _), .delta(let c, _), .window(_, let c, _),
        .stay(_, let c):
        return c
      default: return nil
      }
    }

    /// The measured vital whose measurement times the feature reads, if any.
    public var measuredVital: VitalKind? {
      switch self {
      case .hoursSinceMeasured(let v, _), .measuredFraction(let v),
        .measuredFractionWindow(let v, _):
        return v
      default: return nil
      }
    }

    /// How many hours, the current one included, the feature needs kept hour by hour (1 for
    /// the kinds kept as running sums or as the hour of a last event).
    public var hoursOfHistory: Int {
      switch self {
      case .value(_, let lag), .missing(_, let lag), .delta(_, let lag): return lag + 1
      case .window(_, _, let hours), .news2TotalWindowMax(let hours),
        .measuredFractionWindow(_, let hours):
        return hours
      default: return 1
      }
    }

    /// Whether its lags, window lengths, caps and ages are in range (at most two weeks).
    var hasValidSpans: Bool {
      let twoWeeks = 24 * 14
      switch self {
      case .value(_, let lag), .missing(_, let lag), .delta(_, let lag):
        return lag >= 0 && lag < twoWeeks
      case .window(_, _, let hours), .news2TotalWindowMax(let hours),
        .measuredFractionWindow(_, let hours):
        return hours >= 1 && hours <= twoWeeks
      case .oxygen(let span), .news2HoursSinceAbnormal(_, let span),
        .hoursSinceMeasured(_, let span):
        return span >= 0 && span <= twoWeeks
      default: return true
      }
    }
  }
}

/// An affine int8 quantization: real = (q − zeroPoint) · scale.
public struct Int8Quantization: Hashable, Sendable {
  /// The real value of one step.
  public var scale: Double
  /// The integer that represents 0.
  public var zeroPoint: Int

  /// Creates a quantization.
  public init(scale: Double, zeroPoint: Int) {
    self.scale = scale
    self.zeroPoint = zeroPoint
  }

  /// `clamp(round_half_away_from_zero(x / scale) + zeroPoint, −128, 127)` in binary64; a NaN
  /// (which the feature extractor never produces) quantizes to the zero point rather than trap.
  public func quantize(_ x: Double) -> Int8 {
    if x.isNaN { return Int8(clamping: zeroPoint) }
    let r = (x / scale).rounded(.toNearestOrAwayFromZero)
    return Int8(min(max(r + Double(zeroPoint), -128), 127))
  }

  /// The real value of `q`.
  public func dequantize(_ q: Int8) -> Double { Double(Int(q) - zeroPoint) * scale }
}
