import VigilCore
import VigilInference

/// One patient's deterioration-risk monitoring: each hour's vitals through the input contract,
/// the model, and the alarm policy.
///
/// The model runs in the interpreter's fixed arena and the features in the extractor's fixed
/// storage, so an hour costs no allocation however long the stay.
public struct RiskMonitor {
  /// The features, kept across the stay.
  public private(set) var extractor: RiskFeatureExtractor
  /// The alarm policy's state.
  public private(set) var alarms: RiskAlarmState
  private let interpreter: Interpreter
  private let outputQuantization: Int8Quantization

  /// Starts a stay.
  ///
  /// - Throws: ``RiskMonitorError`` when the interpreter's model does not take the contract's
  ///   input or does not give one int8 output with the expected quantization.
  public init(
    contract: RiskInputContract, outputQuantization: Int8Quantization, policy: RiskAlarmPolicy,
    interpreter: Interpreter
  ) throws(RiskMonitorError) {
    guard interpreter.inputs.count == 1, interpreter.outputs.count == 1 else {
      throw .modelMismatch("the model must have one input and one output")
    }
    let input = interpreter.inputs[0]
    let output = interpreter.outputs[0]
    guard input.type == .int8, input.data.count == contract.features.count else {
      throw .modelMismatch("the model's input is not \(contract.features.count) int8 values")
    }
    guard output.type == .int8, output.data.count == 1 else {
      throw .modelMismatch("the model's output is not one int8 value")
    }
    guard input.scale == Float(contract.inputQuantization.scale),
      Int(input.zeroPoint) == contract.inputQuantization.zeroPoint,
      output.scale == Float(outputQuantization.scale),
      Int(output.zeroPoint) == outputQuantization.zeroPoint
    else { throw .modelMismatch("the model's quantization differs from the manifest's") }
    extractor = RiskFeatureExtractor(contract: contract)
    alarms = RiskAlarmState(policy: policy)
    self.interpreter = interpreter
    self.outputQuantization = outputQuantization
  }

  /// Adds the next hour and assesses it.
  ///
  /// - Throws: ``ChartedHourError`` when a value is not finite; the hour is then not added.
  public mutating func append(_ hour: ChartedHour) throws(ChartedHourError) -> RiskAssessment {
    try extractor.append(hour)
    extractor.quantizedInput.withUnsafeBytes { interpreter.inputs[0].data.copyMemory(from: $0) }
    interpreter.invoke()
    let q = Int8(bitPattern: interpreter.outputs[0].data[0])
    let t = extractor.hoursSeen - 1
    let latest = extractor.news2FromLatestValues
    let decision = alarms.decide(
      hour: t, hoursSinceAdmission: hour.hoursSinceAdmission, outputQ: q,
      news2FromLatestValues: latest)
    return RiskAssessment(
      hour: t, hoursSinceAdmission: hour.hoursSinceAdmission, outputQ: q,
      risk: Self.logistic(outputQuantization.dequantize(q)), news2: extractor.news2Total,
      news2FromLatestValues: latest, basis: decision.basis, alarmCondition: decision.condition,
      alarmFires: decision.fires)
  }

  /// 1 / (1 + e^−x), from the bits of binary64 without a C library.
  static func logistic(_ x: Double) -> Double { 1 / (1 + exponential(-x)) }

  /// e^x without a C library: x = k·ln2 + r with |r| ≤ ln2/2 (ln2 in two parts, so that k·ln2
  /// is exact to well below the last place), e^r by its Taylor series, scaled by 2^k.
  static func exponential(_ x: Double) -> Double {
    if x.isNaN { return x }
    if x > 709 { return .infinity }
    if x < -745 { return 0 }
    let ln2High = 6.93147180369123816490e-01  // the upper 32 bits of ln 2: k·ln2High is exact
    let ln2Low = 1.90821492927058770002e-10
    let k = (x / (ln2High + ln2Low)).rounded()
    let r = (x - k * ln2High) - k * ln2Low
    var term = 1.0
    var sum = 1.0
    for n in 1...20 {
      term *= r / Double(n)
      sum += term
    }
    return sum * Double(sign: .plus, exponent: Int(k), significand: 1)
  }
}

/// Why a risk monitor cannot start.
public enum RiskMonitorError: Error, Hashable, CustomStringConvertible, Sendable {
  /// The model file does not fit the manifest's contract.
  case modelMismatch(String)

  /// The reason.
  public var description: String {
    switch self {
    case .modelMismatch(let reason): return reason
    }
  }
}
