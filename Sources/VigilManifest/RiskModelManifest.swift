import Foundation
import VigilClinical
import VigilCore

/// A risk model's manifest (`Models/vigil-risk.manifest.json`): the model file and its SHA-256,
/// the input contract, how to read the output, and the alarm thresholds chosen in validation.
public struct RiskModelManifest: Sendable {
  /// The model's name.
  public var name: String
  /// The model's version.
  public var version: Int
  /// The model file's name, beside the manifest.
  public var modelFile: String
  /// The model file's SHA-256, lower-case hex.
  public var modelSHA256: String
  /// The model file's size in bytes.
  public var modelBytes: Int
  /// How the input tensor is computed from the hourly vitals.
  public var input: RiskInputContract
  /// The output tensor's quantization: its real value is the log-odds of the label.
  public var outputQuantization: Int8Quantization
  /// The plain alarm: an alarm hour when the output q is at least this.
  public var alarmThresholdQ: Int8
  /// The alarm rule with a hold-off: fires when q reaches `alarmRuleThresholdQ` and no alarm
  /// fired in the previous `holdOffHours − 1` hours.
  public var holdOffHours: Int
  /// The hold-off rule's threshold on q.
  public var alarmRuleThresholdQ: Int8
  /// The hours since ICU admission up to which the model's risk was validated.
  public var validatedHoursMax: Double
  /// Beyond the validated range, an alarm hour when the NEWS2 of the latest values is at least this.
  public var fallbackNEWS2AtLeast: Int
  /// Within the validated range, with the fallback beyond it: the plain alarm's threshold on q.
  public var validatedAlarmThresholdQ: Int8
  /// Within the validated range, with the fallback beyond it: the hold-off rule's threshold on q.
  public var validatedAlarmRuleThresholdQ: Int8
}

/// Why a manifest cannot be used; each case names the place in the file.
public enum ManifestError: Error, Hashable, CustomStringConvertible, Sendable {
  /// The file cannot be read.
  case unreadable(path: String, reason: String)
  /// The file is not JSON.
  case notJSON(reason: String)
  /// A required field is absent.
  case missingField(String)
  /// A field has the wrong type or an impossible value.
  case invalidField(String, expected: String)
  /// A feature's kind, channel or parameter is one this version of Vigil does not know.
  case unknownName(field: String, name: String)
  /// The manifest's NEWS2 chart differs from the RCP chart Vigil implements.
  case news2ChartDiffers(parameter: String)
  /// The input contract is inconsistent.
  case contract(RiskContractError)

  /// A message for the engineer who installs the model.
  public var description: String {
    switch self {
    case .unreadable(let path, let reason): return "cannot read '\(path)': \(reason)"
    case .notJSON(let reason): return "not valid JSON: \(reason)"
    case .missingField(let field): return "'\(field)' is missing"
    case .invalidField(let field, let expected): return "'\(field)' must be \(expected)"
    case .unknownName(let field, let name):
      return "'\(field)' is '\(name)', which this version of Vigil does not implement"
    case .news2ChartDiffers(let parameter):
      return "the NEWS2 bands of '\(parameter)' differ from the RCP 2017 chart"
    case .contract(let error): return "inconsistent input contract: \(error)"
    }
  }
}

extension RiskModelManifest {
  /// Reads and checks a manifest file.
  public init(contentsOf path: String) throws(ManifestError) {
    guard access(path, R_OK) == 0 else {
      throw .unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw .unreadable(path: path, reason: Self.reason(error))
    }
    try self.init(json: data)
  }

  /// The system's reason a file could not be read ("No such file or directory").
  private static func reason(_ error: any Error) -> String {
    if let cocoa = error as? CocoaError,
      let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError
    {
      return String(cString: strerror(Int32(underlying.code)))
    }
    return error.localizedDescription
  }

  /// What a JSON parser said, without the decoder's wrapping.
  private static func parseFailure(_ error: any Error) -> String {
    guard case .dataCorrupted(let context) = error as? DecodingError else { return "\(error)" }
    if let underlying = context.underlyingError as NSError?,
      let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String
    {
      return detail
    }
    return context.debugDescription
  }

  /// Parses and checks a manifest's JSON.
  public init(json data: Data) throws(ManifestError) {
    let object: JSONValue
    do { object = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
      throw .notJSON(reason: Self.parseFailure(error))
    }
    let root = JSONNode(value: object, path: "")
    name = try root["name"].string()
    version = try root["version"].int()
    modelFile = try root["model_file"].string()
    modelSHA256 = try root["model_sha256"].string()
    guard modelSHA256.count == 64, modelSHA256.allSatisfy({ $0.isHexDigit && !$0.isUppercase })
    else { throw .invalidField("model_sha256", expected: "64 lower-case hex digits") }
    modelBytes = try root["model_bytes"].int()

    let input = root["input"]
    try Self.checkNEWS2Chart(input["news2_bands"])
    let channels = try Self.channels(input)
    var features: [RiskFeature] = []
    for node in try input["features"].array() { features.append(try Self.feature(node)) }
    guard try input["feature_count"].int() == features.count else {
      throw .invalidField("input.feature_count", expected: "the number of input.features")
    }
    let tensor = input["tensor"]
    var shape: [Int] = []
    for node in try tensor["shape"].array() { shape.append(try node.int()) }
    guard try tensor["dtype"].string() == "int8", shape == [1, features.count] else {
      throw .invalidField("input.tensor", expected: "int8 of shape [1, feature_count]")
    }
    let zLimit = try input["z_limit"].double()
    let quantization = try Self.quantization(tensor)
    let alertTotal = try input["news2_bands"]["total_alert"].int()
    do throws(RiskContractError) {
      self.input = try RiskInputContract(
        zLimit: zLimit, channels: channels, features: features,
        inputQuantization: quantization, news2AlertTotal: alertTotal)
    } catch { throw .contract(error) }

    let output = root["output"]
    outputQuantization = try Self.quantization(output["tensor"])
    let thresholds = output["thresholds"]
    alarmThresholdQ = try thresholds["alarm_80pct_sensitivity_q"].int8()
    holdOffHours = try thresholds["alarm_rule"]["hold_off_hours"].int()
    guard holdOffHours >= 1 else {
      throw .invalidField("output.thresholds.alarm_rule.hold_off_hours", expected: "at least 1")
    }
    alarmRuleThresholdQ = try thresholds["alarm_rule"]["threshold_q"].int8()
    let range = root["validated_range"]
    validatedHoursMax = try range["hours_since_admission_max"].double()
    guard validatedHoursMax >= 1 else {
      throw .invalidField("validated_range.hours_since_admission_max", expected: "at least 1")
    }
    fallbackNEWS2AtLeast = try range["fallback_news2_at_least"].int()
    validatedAlarmThresholdQ = try range["alarm_80pct_sensitivity_q"].int8()
    validatedAlarmRuleThresholdQ = try range["alarm_rule_threshold_q"].int8()
  }

  private static func quantization(_ tensor: JSONNode) throws(ManifestError) -> Int8Quantization {
    let scale = try tensor["scale"].double()
    guard scale > 0, scale.isFinite else {
      throw .invalidField(tensor["scale"].path, expected: "a positive number")
    }
    return Int8Quantization(scale: scale, zeroPoint: Int(try tensor["zero_point"].int8()))
  }

  private static func checkNEWS2Chart(_ node: JSONNode) throws(ManifestError) {
    let bands = node["bands"]
    for parameter in NEWS2Parameter.allCases {
      let name = RiskChannel.manifestName(of: parameter.vital)
      let rows = try bands[name].array()
      let chart = parameter.bands
      guard rows.count == chart.count else { throw .news2ChartDiffers(parameter: name) }
      for (row, band) in zip(rows, chart) {
        let pair = try row.array()
        guard pair.count == 2 else { throw .invalidField(row.path, expected: "[upper, points]") }
        let upper = pair[0].isNull ? nil : try pair[0].double()
        guard upper == band.upperLimit, try pair[1].int() == band.points else {
          throw .news2ChartDiffers(parameter: name)
        }
      }
    }
    guard try node["oxygen_points"].int() == NEWS2.supplementalOxygenPoints else {
      throw .news2ChartDiffers(parameter: "oxygen_points")
    }
  }

  private static func vital(_ node: JSONNode) throws(ManifestError) -> VitalKind {
    let name = try node.string()
    guard let vital = VitalKind.allCases.first(where: { RiskChannel.manifestName(of: $0) == name })
    else { throw .unknownName(field: node.path, name: name) }
    return vital
  }

  private static func channels(_ input: JSONNode) throws(ManifestError) -> [RiskChannel] {
    var channels: [RiskChannel] = []
    for node in try input["vitals"].array() {
      let source = RiskChannel.Source.measured(
        try vital(node["name"]), maxAgeHours: try node["max_age_hours"].int())
      channels.append(
        RiskChannel(
          source: source, mean: try node["mean"].double(),
          standardDeviation: try node["std"].double()))
    }
    for node in try input["derived"].array() {
      let source: RiskChannel.Source
      switch try node["name"].string() {
      case "ShockIndex": source = .shockIndex
      case "PulsePressure": source = .pulsePressure
      case let other: throw .unknownName(field: node["name"].path, name: other)
      }
      channels.append(
        RiskChannel(
          source: source, mean: try node["mean"].double(),
          standardDeviation: try node["std"].double()))
    }
    return channels
  }

  private static func attribute(_ node: JSONNode) throws(ManifestError) -> RiskStatic {
    let name = try node.string()
    guard let attribute = RiskStatic.allCases.first(where: { $0.manifestName == name }) else {
      throw .unknownName(field: node.path, name: name)
    }
    return attribute
  }

  private static func watch(_ node: JSONNode) throws(ManifestError) -> NEWS2Watch {
    if try node.string() == "total" { return .total }
    let vital = try vital(node)
    guard let parameter = NEWS2Parameter.allCases.first(where: { $0.vital == vital }) else {
      throw .unknownName(field: node.path, name: try node.string())
    }
    return .parameter(parameter)
  }

  private static func feature(_ node: JSONNode) throws(ManifestError) -> RiskFeature {
    let kindName = try node["kind"].string()
    let kind: RiskFeature.Kind
    func channel() throws(ManifestError) -> String { try node["channel"].string() }
    func lag() throws(ManifestError) -> Int { try node["lag"].int() }
    func hours() throws(ManifestError) -> Int { try node["hours"].int() }
    let statistics: [String: RiskStatistic] = [
      "mean": .mean, "sd": .standardDeviation, "max": .max, "min": .min,
    ]
    switch kindName {
    case "value": kind = .value(channel: try channel(), lag: try lag())
    case "missing": kind = .missing(channel: try channel(), lag: try lag())
    case "delta": kind = .delta(channel: try channel(), lag: try lag())
    case let k where k.hasPrefix("window_") && statistics[String(k.dropFirst(7))] != nil:
      kind = .window(
        statistics[String(k.dropFirst(7))]!, channel: try channel(), hours: try hours())
    case let k where k.hasPrefix("stay_") && statistics[String(k.dropFirst(5))] != nil:
      kind = .stay(statistics[String(k.dropFirst(5))]!, channel: try channel())
    case "news2_points":
      guard case .parameter(let p) = try watch(node["parameter"]) else {
        throw .invalidField(node["parameter"].path, expected: "a NEWS2 parameter")
      }
      kind = .news2Points(p)
    case "news2_total": kind = .news2Total
    case "news2_hours_since_abnormal":
      kind = .news2HoursSinceAbnormal(try watch(node["parameter"]), cap: try node["cap"].int())
    case "news2_fraction_abnormal": kind = .news2FractionAbnormal(try watch(node["parameter"]))
    case "news2_total_window_max": kind = .news2TotalWindowMax(hours: try hours())
    case "oxygen": kind = .oxygen(maxAgeHours: try node["max_age_hours"].int())
    case "hours_since_measured":
      kind = .hoursSinceMeasured(try vital(node["vital"]), cap: try node["cap"].int())
    case "measured_fraction": kind = .measuredFraction(try vital(node["vital"]))
    case "measured_fraction_window":
      kind = .measuredFractionWindow(try vital(node["vital"]), hours: try hours())
    case "static": kind = .static(try attribute(node["static"]))
    case "log_static": kind = .logStatic(try attribute(node["static"]))
    default: throw .unknownName(field: node["kind"].path, name: kindName)
    }
    return RiskFeature(
      name: try node["name"].string(), kind: kind, mean: try node["mean"].double(),
      standardDeviation: try node["std"].double())
  }
}

/// A parsed JSON value.
enum JSONValue: Decodable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let b = try? container.decode(Bool.self) {
      self = .bool(b)
    } else if let n = try? container.decode(Double.self) {
      self = .number(n)
    } else if let s = try? container.decode(String.self) {
      self = .string(s)
    } else if let a = try? container.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }
}

/// A value in parsed JSON with its path, so that every error names where it is.
struct JSONNode {
  /// The value, `nil` when the field is absent.
  let value: JSONValue?
  /// Where the value is, as `input.features[3].kind`.
  let path: String

  subscript(key: String) -> JSONNode {
    let child = path.isEmpty ? key : "\(path).\(key)"
    guard case .object(let fields)? = value else { return JSONNode(value: nil, path: child) }
    return JSONNode(value: fields[key], path: child)
  }

  var isNull: Bool {
    if case .null? = value { return true }
    return false
  }

  func string() throws(ManifestError) -> String {
    switch value {
    case .string(let s)?: return s
    case nil, .null?: throw .missingField(path)
    default: throw .invalidField(path, expected: "a string")
    }
  }

  func double() throws(ManifestError) -> Double {
    switch value {
    case .number(let n)? where n.isFinite: return n
    case nil, .null?: throw .missingField(path)
    default: throw .invalidField(path, expected: "a finite number")
    }
  }

  func int() throws(ManifestError) -> Int {
    let d = try double()
    guard d.rounded() == d, abs(d) < 1e15 else {
      throw .invalidField(path, expected: "an integer")
    }
    return Int(d)
  }

  func int8() throws(ManifestError) -> Int8 {
    guard let q = Int8(exactly: try int()) else {
      throw .invalidField(path, expected: "an integer from -128 to 127")
    }
    return q
  }

  func array() throws(ManifestError) -> [JSONNode] {
    switch value {
    case .array(let items)?:
      return items.enumerated().map { JSONNode(value: $1, path: "\(path)[\($0)]") }
    case nil, .null?: throw .missingField(path)
    default: throw .invalidField(path, expected: "an array")
    }
  }
}
