/// The one ratio-of-ratios calibration curve Vigil uses, shared by the signal stage (which turns a
/// measured ratio into a saturation) and the simulation (which turns a scenario's saturation into
/// red and infrared pulse amplitudes). Keeping both directions here means a test that feeds a
/// simulated 92 % patient through the real signal code can expect 92 % back.
///
/// The curve is the common empirical linear approximation SpO2 = 110 − 25·R, where
/// R = (AC_red / DC_red) / (AC_ir / DC_ir). It is close to published empirical curves for R
/// between about 0.4 and 1.0 (SpO2 about 85-100 %; see the calibration graph in Microchip
/// application note AN1525, "Pulse Oximeter Design Using Microchip's Analog Devices and dsPIC
/// Digital Signal Controllers"), and diverges below that. It is not a clinical calibration: a real
/// device must be calibrated against arterial blood gases for its own optics. The signal stage
/// (VigilSignal) and the simulation (VigilSimulation) both read these constants, so a change here
/// changes both sides together.
public enum SpO2Calibration {
  /// The intercept `a` of SpO2 = a − b·R, in percent.
  public static let intercept = 110.0
  /// The slope `b` of SpO2 = a − b·R, in percent per unit ratio.
  public static let slope = 25.0

  /// The saturation, in percent, that the curve assigns to a ratio of ratios `r`
  /// (not clamped: callers decide how to treat values above 100 %).
  public static func saturation(ratio r: Double) -> Double { intercept - slope * r }

  /// The ratio of ratios that the curve assigns to a saturation of `spo2` percent: the inverse
  /// the simulation uses to synthesise red and infrared amplitudes.
  public static func ratio(saturation spo2: Double) -> Double { (intercept - spo2) / slope }
}
