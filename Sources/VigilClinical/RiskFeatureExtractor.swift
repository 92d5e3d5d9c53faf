import VigilCore

/// Computes a risk model's input, hour by hour, exactly as its ``RiskInputContract`` defines it.
///
/// The extractor keeps what the features need and nothing more: the last
/// ``RiskInputContract/hoursOfHistory`` hours of standardised channels, measurement flags and
/// NEWS2 aggregates in fixed rings, and running sums, extremes, counts and last-event hours for
/// the stay-long features. All storage is allocated when it is created; ``append(_:)`` allocates
/// nothing in a release build, however long the stay (`Scripts/check-memory` counts it).
///
/// Arithmetic follows the manifest: IEEE binary64, sums in hour order (oldest first), `ln(1 + x)`
/// through ``logOnePlus(_:)``.
public struct RiskFeatureExtractor: Sendable {
  /// The contract the features follow.
  public let contract: RiskInputContract

  /// The standardised features of the latest hour, in the model's input order.
  public private(set) var features: [Double]
  /// The latest hour's features quantized for the model's int8 input tensor.
  public private(set) var quantizedInput: [Int8]
  /// How many hours have been appended (the latest hour is `hoursSeen − 1`).
  public private(set) var hoursSeen = 0

  private let plan: [Step]
  private let channelSources: [RiskChannel.Source]
  private let maxAge: [Int]  // by VitalKind.rawValue: carry-forward limit (-1: not carried)
  private let news2OxygenMaxAge: Int?
  private let ring: Int

  // Per vital (by VitalKind.rawValue): the last measurement and how often it was measured.
  private var lastMeasuredHour: [Int]
  private var lastMeasuredValue: [Double]
  private var measuredCount: [Int]
  private var lastFiO2Hour = -1
  private var lastFiO2Value = 0.0

  // Rings of the last `ring` hours, hour h in slot h % ring.
  private var zRing: [Double]  // ring * channels; NaN when the channel had no value
  private var measuredRing: [Bool]  // ring * vitals
  private var totalRing: [Int]

  // The stay so far, per channel.
  private var staySum: [Double]
  private var staySumOfSquares: [Double]
  private var stayCount: [Int]
  private var stayMax: [Double]
  private var stayMin: [Double]

  // Per NEWS2 watch (the five parameters, then the total): last abnormal hour and count.
  private var lastAbnormalHour: [Int]
  private var abnormalCount: [Int]

  private var latest = ChartedHour(age: 0, sex: 0, hoursSinceAdmission: 0)
  private var latestPoints: [Int]  // by NEWS2Parameter.rawValue, the latest hour's

  // Case lists built once: `allCases` builds a new array on every use.
  private static let vitals = VitalKind.allCases
  private static let parameters = NEWS2Parameter.allCases
  private static let attributes = RiskStatic.allCases
  private static let vitalCount = vitals.count
  private static let totalWatch = parameters.count

  /// Creates an extractor for a new stay.
  public init(contract: RiskInputContract) {
    self.contract = contract
    let vitals = Self.vitalCount
    var maxAge = [Int](repeating: -1, count: vitals)
    for channel in contract.channels {
      if case .measured(let vital, let age) = channel.source {
        maxAge[Int(vital.rawValue)] = age
      }
    }
    self.maxAge = maxAge
    self.channelSources = contract.channels.map { $0.source }
    var oxygenAge: Int? = nil
    for feature in contract.features {
      if case .oxygen(let age) = feature.kind, oxygenAge == nil { oxygenAge = age }
    }
    self.news2OxygenMaxAge = oxygenAge
    self.plan = contract.features.map { Step($0, channels: contract.channels) }
    ring = contract.hoursOfHistory
    let channels = contract.channels.count
    features = [Double](repeating: 0, count: contract.features.count)
    quantizedInput = [Int8](repeating: 0, count: contract.features.count)
    lastMeasuredHour = [Int](repeating: -1, count: vitals)
    lastMeasuredValue = [Double](repeating: 0, count: vitals)
    measuredCount = [Int](repeating: 0, count: vitals)
    zRing = [Double](repeating: .nan, count: ring * channels)
    measuredRing = [Bool](repeating: false, count: ring * vitals)
    totalRing = [Int](repeating: 0, count: ring)
    staySum = [Double](repeating: 0, count: channels)
    staySumOfSquares = [Double](repeating: 0, count: channels)
    stayCount = [Int](repeating: 0, count: channels)
    stayMax = [Double](repeating: -.infinity, count: channels)
    stayMin = [Double](repeating: .infinity, count: channels)
    lastAbnormalHour = [Int](repeating: -1, count: Self.totalWatch + 1)
    abnormalCount = [Int](repeating: 0, count: Self.totalWatch + 1)
    latestPoints = [Int](repeating: 0, count: Self.totalWatch)
  }

  /// Adds the next hour of the stay and computes its ``features`` and ``quantizedInput``.
  ///
  /// - Throws: ``ChartedHourError`` when a value is NaN or infinite; the hour is then not added
  ///   and the history is unchanged.
  public mutating func append(_ hour: ChartedHour) throws(ChartedHourError) {
    let t = hoursSeen
    for vital in Self.vitals {
      if let x = hour[vital], !x.isFinite {
        throw .nonFiniteMeasurement(hour: t, field: RiskChannel.manifestName(of: vital))
      }
    }
    if let f = hour.fio2, !f.isFinite { throw .nonFiniteMeasurement(hour: t, field: "FiO2") }
    for attribute in Self.attributes where !hour[attribute].isFinite {
      throw .nonFiniteAttribute(hour: t, field: attribute.manifestName)
    }

    // Measurements of this hour.
    let slot = t % ring
    let vitals = Self.vitalCount
    for vital in Self.vitals {
      let v = Int(vital.rawValue)
      let measured = hour[vital] != nil
      if let x = hour[vital] {
        lastMeasuredHour[v] = t
        lastMeasuredValue[v] = x
        measuredCount[v] += 1
      }
      measuredRing[slot * vitals + v] = measured
    }
    if let f = hour.fio2 {
      lastFiO2Hour = t
      lastFiO2Value = f
    }
    latest = hour

    // Standardised channels, and the stay's running statistics.
    let channels = channelSources.count
    for c in 0..<channels {
      var z = Double.nan
      if let x = raw(channelSources[c], at: t) {
        let p = contract.channels[c]
        z = clamp((x - p.mean) / p.standardDeviation)
        staySum[c] += z
        staySumOfSquares[c] += z * z
        stayCount[c] += 1
        stayMax[c] = max(stayMax[c], z)
        stayMin[c] = min(stayMin[c], z)
      }
      zRing[slot * channels + c] = z
    }

    // NEWS2 of this hour from the carried-forward vitals.
    var total = 0
    for parameter in Self.parameters {
      let points = carried(parameter.vital, at: t).map { parameter.points($0) } ?? 0
      latestPoints[parameter.rawValue] = points
      total += points
      if points > 0 { markAbnormal(parameter.rawValue, at: t) }
    }
    if let age = news2OxygenMaxAge, onOxygen(at: t, maxAge: age) {
      total += NEWS2.supplementalOxygenPoints
    }
    if total >= contract.news2AlertTotal { markAbnormal(Self.totalWatch, at: t) }
    totalRing[slot] = total
    hoursSeen = t + 1

    for (i, step) in plan.enumerated() {
      let f = contract.features[i]
      let x = clamp((value(of: step, at: t) - f.mean) / f.standardDeviation)
      features[i] = x
      quantizedInput[i] = contract.inputQuantization.quantize(x)
    }
  }

  /// The NEWS2 aggregate of the latest hour as the features see it: each vital carried forward
  /// within its age limit, oxygen as the contract's oxygen feature defines it, consciousness not
  /// measured.
  public var news2Total: Int { hoursSeen == 0 ? 0 : totalRing[(hoursSeen - 1) % ring] }

  /// The NEWS2 aggregate from each vital's latest measurement in the stay, however old, plus the
  /// oxygen points when the latest FiO2 of the stay is above air: the score a monitor falls back
  /// on beyond the model's validated range.
  public var news2FromLatestValues: Int {
    var total = 0
    for parameter in Self.parameters {
      let v = Int(parameter.vital.rawValue)
      if lastMeasuredHour[v] >= 0 { total += parameter.points(lastMeasuredValue[v]) }
    }
    if lastFiO2Hour >= 0, Self.isAboveAir(lastFiO2Value) {
      total += NEWS2.supplementalOxygenPoints
    }
    return total
  }

  // MARK: - Channels

  private func carried(_ vital: VitalKind, at t: Int) -> Double? {
    let v = Int(vital.rawValue)
    let last = lastMeasuredHour[v]
    guard last >= 0, maxAge[v] >= 0, t - last <= maxAge[v] else { return nil }
    return lastMeasuredValue[v]
  }

  private func raw(_ source: RiskChannel.Source, at t: Int) -> Double? {
    switch source {
    case .measured(let vital, _):
      return carried(vital, at: t)
    case .shockIndex:
      guard let hr = carried(.heartRate, at: t), let sbp = carried(.systolicPressure, at: t)
      else { return nil }
      return hr / sbp
    case .pulsePressure:
      guard let sbp = carried(.systolicPressure, at: t),
        let dbp = carried(.diastolicPressure, at: t)
      else { return nil }
      return sbp - dbp
    }
  }

  private func onOxygen(at t: Int, maxAge: Int) -> Bool {
    lastFiO2Hour >= 0 && t - lastFiO2Hour <= maxAge && Self.isAboveAir(lastFiO2Value)
  }

  private static func isAboveAir(_ fio2: Double) -> Bool {
    (fio2 > 1.0 ? fio2 / 100.0 : fio2) > 0.21
  }

  private mutating func markAbnormal(_ watch: Int, at t: Int) {
    lastAbnormalHour[watch] = t
    abnormalCount[watch] += 1
  }

  private func clamp(_ x: Double) -> Double {
    min(max(x, -contract.zLimit), contract.zLimit)
  }

  private func z(_ channel: Int, at h: Int) -> Double? {
    guard h >= 0 else { return nil }
    let z = zRing[(h % ring) * channelSources.count + channel]
    return z.isNaN ? nil : z
  }

  // MARK: - Features

  /// A feature resolved against the channel list.
  private enum Step: Sendable {
    case value(channel: Int, lag: Int)
    case missing(channel: Int, lag: Int)
    case delta(channel: Int, lag: Int)
    case window(RiskStatistic, channel: Int, hours: Int)
    case stay(RiskStatistic, channel: Int)
    case news2Points(NEWS2Parameter)
    case news2Total
    case hoursSinceAbnormal(watch: Int, cap: Int)
    case fractionAbnormal(watch: Int)
    case totalWindowMax(hours: Int)
    case oxygen(maxAge: Int)
    case hoursSinceMeasured(vital: Int, cap: Int)
    case measuredFraction(vital: Int)
    case measuredFractionWindow(vital: Int, hours: Int)
    case attribute(RiskStatic)
    case logAttribute(RiskStatic)

    init(_ feature: RiskFeature, channels: [RiskChannel]) {
      func index(_ name: String) -> Int {
        // The contract's initialiser checked that every feature's channel exists.
        channels.firstIndex { $0.source.name == name } ?? 0
      }
      func watch(_ w: NEWS2Watch) -> Int {
        if case .parameter(let p) = w { return p.rawValue }
        return NEWS2Parameter.allCases.count
      }
      switch feature.kind {
      case .value(let c, let lag): self = .value(channel: index(c), lag: lag)
      case .missing(let c, let lag): self = .missing(channel: index(c), lag: lag)
      case .delta(let c, let lag): self = .delta(channel: index(c), lag: lag)
      case .window(let s, let c, let hours): self = .window(s, channel: index(c), hours: hours)
      case .stay(let s, let c): self = .stay(s, channel: index(c))
      case .news2Points(let p): self = .news2Points(p)
      case .news2Total: self = .news2Total
      case .news2HoursSinceAbnormal(let w, let cap):
        self = .hoursSinceAbnormal(watch: watch(w), cap: cap)
      case .news2FractionAbnormal(let w): self = .fractionAbnormal(watch: watch(w))
      case .news2TotalWindowMax(let hours): self = .totalWindowMax(hours: hours)
      case .oxygen(let age): self = .oxygen(maxAge: age)
      case .hoursSinceMeasured(let v, let cap):
        self = .hoursSinceMeasured(vital: Int(v.rawValue), cap: cap)
      case .measuredFraction(let v): self = .measuredFraction(vital: Int(v.rawValue))
      case .measuredFractionWindow(let v, let hours):
        self = .measuredFractionWindow(vital: Int(v.rawValue), hours: hours)
      case .static(let a): self = .attribute(a)
      case .logStatic(let a): self = .logAttribute(a)
      }
    }
  }

  /// The raw (not yet standardised) value of a feature at the latest hour `t`.
  private func value(of step: Step, at t: Int) -> Double {
    switch step {
    case .value(let c, let lag):
      return z(c, at: t - lag) ?? 0
    case .missing(let c, let lag):
      return z(c, at: t - lag) == nil ? 1 : 0
    case .delta(let c, let lag):
      guard let a = z(c, at: t), let b = z(c, at: t - lag) else { return 0 }
      return a - b
    case .window(let statistic, let c, let hours):
      var sum = 0.0
      var sumOfSquares = 0.0
      var count = 0
      var largest = -Double.infinity
      var smallest = Double.infinity
      for h in max(0, t - hours + 1)...t {
        guard let v = z(c, at: h) else { continue }
        sum += v
        sumOfSquares += v * v
        count += 1
        largest = max(largest, v)
        smallest = min(smallest, v)
      }
      return Self.statistic(statistic, sum, sumOfSquares, count, largest, smallest)
    case .stay(let statistic, let c):
      return Self.statistic(
        statistic, staySum[c], staySumOfSquares[c], stayCount[c], stayMax[c], stayMin[c])
    case .news2Points(let parameter):
      return Double(latestPoints[parameter.rawValue])
    case .news2Total:
      return Double(news2Total)
    case .hoursSinceAbnormal(let watch, let cap):
      let last = lastAbnormalHour[watch]
      return Double(last < 0 ? cap : min(t - last, cap))
    case .fractionAbnormal(let watch):
      return Double(abnormalCount[watch]) / Double(t + 1)
    case .totalWindowMax(let hours):
      var largest = Int.min
      for h in max(0, t - hours + 1)...t { largest = max(largest, totalRing[h % ring]) }
      return Double(largest)
    case .oxygen(let age):
      return onOxygen(at: t, maxAge: age) ? 1 : 0
    case .hoursSinceMeasured(let v, let cap):
      let last = lastMeasuredHour[v]
      return Double(last < 0 ? cap : min(t - last, cap))
    case .measuredFraction(let v):
      return Double(measuredCount[v]) / Double(t + 1)
    case .measuredFractionWindow(let v, let hours):
      var count = 0
      for h in max(0, t - hours + 1)...t where measuredRing[(h % ring) * Self.vitalCount + v] {
        count += 1
      }
      return Double(count) / Double(min(t + 1, hours))
    case .attribute(let a):
      return latest[a]
    case .logAttribute(let a):
      return logOnePlus(latest[a])
    }
  }

  private static func statistic(
    _ statistic: RiskStatistic, _ sum: Double, _ sumOfSquares: Double, _ count: Int,
    _ largest: Double, _ smallest: Double
  ) -> Double {
    guard count > 0 else { return 0 }
    switch statistic {
    case .max: return largest
    case .min: return smallest
    case .mean: return sum / Double(count)
    case .standardDeviation:
      guard count >= 2 else { return 0 }
      let n = Double(count)
      let m = sum / n
      return max(sumOfSquares / n - m * m, 0).squareRoot()
    }
  }
}
