import VigilCore

/// The CSV that `vigil signal analyze` writes: one row per window, a field left empty where the
/// value could not be estimated honestly.
public enum AnalysisCSV {
  /// The header line.
  public static let header = "time_s,hr_bpm,spo2_pct,perfusion_index,quality,rr_bpm"
  /// Extra columns written after the standard ones when details are asked for.
  public static let detailHeader =
    "status,motion,beats,clean_beats,hr_spectral,ratio,rr_riiv,rr_riav,rr_rifv,rr_riiv_co,rr_riav_co,rr_rifv_co,rr_riiv_ca,rr_riav_ca,rr_rifv_ca,rr_fused,rr_support"

  /// One row: window end time `time` (seconds from the first sample) and its estimate. Heart
  /// rate, SpO2 and respiratory rate have one decimal, perfusion index and quality two.
  public static func row(time: Double, _ e: WindowEstimate, details: Bool = false) -> String {
    var fields: [String] = [
      trimmed(time, decimals: 3),
      field(e.heartRate?.value, 1),
      field(e.spo2?.value, 1),
      field(e.perfusionIndex?.value, 2),
      fixed(e.quality, decimals: 2),
      field(e.respiratoryRate?.value, 1),
    ]
    if details {
      fields.append(statusName(e.status))
      fields.append(e.motion ? "1" : "0")
      fields.append("\(e.beatCount)")
      fields.append("\(e.cleanBeatCount)")
      fields.append(field(e.spectralHeartRate, 1))
      fields.append(field(e.ratioOfRatios, 3))
      let c = e.respiratoryComponents
      for method in 0..<3 {
        for reading in c.readings { fields.append(field(reading.all[method], 1)) }
      }
      fields.append(field(c.fused, 1))
      fields.append("\(c.support)")
    }
    return fields.joined(separator: ",")
  }

  /// The lower-case name of a status, as written in the details columns.
  public static func statusName(_ status: SignalStatus) -> String {
    switch status {
    case .valid: return "valid"
    case .fingerOff: return "finger_off"
    case .noPulse: return "no_pulse"
    case .motion: return "motion"
    case .lowQuality: return "low_quality"
    }
  }

  private static func field(_ value: Double?, _ decimals: Int) -> String {
    guard let value else { return "" }
    return fixed(value, decimals: decimals)
  }

  /// `value` with exactly `decimals` digits after the point, rounded half away from zero.
  public static func fixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
    guard scaled < 9.0e18 else { return "\(value)" }
    let units = UInt64(scaled)
    let whole = units / UInt64(scale)
    var text = (value < 0 && units > 0 ? "-" : "") + "\(whole)"
    if decimals > 0 {
      var fraction = "\(units % UInt64(scale))"
      while fraction.utf8.count < decimals { fraction = "0" + fraction }
      text += "." + fraction
    }
    return text
  }

  /// `value` with at most `decimals` digits after the point and no trailing zeros.
  public static func trimmed(_ value: Double, decimals: Int) -> String {
    var text = fixed(value, decimals: decimals)
    guard text.contains(".") else { return text }
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }
}
