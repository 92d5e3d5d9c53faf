import VigilCore

/// How the analyser turns a ratio of ratios into a reported saturation: a linear curve, the
/// saturations it is trusted for, and how far above 100 % a reading may be clamped.
///
/// Pulse oximeters compute `R = (AC_red/DC_red) / (AC_ir/DC_ir)` and map it to SpO2 with a curve
/// fitted for each probe design against arterial blood samples. The default,
/// ``empiricalLinear``, is the commonly cited empirical linear approximation
/// `SpO2 = 110 − 25·R` (100 % at R = 0.4, 85 % at R = 1.0), whose constants live in
/// `VigilCore.SpO2Calibration`, the one place the simulation also reads to invert the curve, so
/// a simulated saturation comes back through this code unchanged. It is not a probe-specific
/// calibration: a deployed probe needs its own fitted `intercept` and `slope`, and readings must
/// be marked accordingly.
public struct SaturationCalibration: Hashable, Sendable {
  /// SpO2 at R = 0, percent.
  public var intercept: Double
  /// Fall in SpO2 per unit of R, percent.
  public var slope: Double
  /// The saturations the curve is trusted for; outside it a reading is refused, not clamped.
  /// ISO 80601-2-61 asks for accuracy to be specified over 70-100 %; the linear approximation
  /// is kept to 50-100 %.
  public var validRange: ClosedRange<Double>
  /// How far above 100 % a computed value may lie and still be reported as 100 % (a ratio a
  /// little below the curve's 100 % point is measurement noise at full saturation).
  public var clampMargin: Double

  /// Creates a linear calibration `SpO2 = intercept − slope·R`.
  public init(
    intercept: Double, slope: Double, validRange: ClosedRange<Double> = 50...100,
    clampMargin: Double = 3
  ) {
    self.intercept = intercept
    self.slope = slope
    self.validRange = validRange
    self.clampMargin = clampMargin
  }

  /// The commonly cited empirical linear approximation, `SpO2 = 110 − 25·R`, with the constants
  /// of `VigilCore.SpO2Calibration`.
  public static let empiricalLinear = SaturationCalibration(
    intercept: SpO2Calibration.intercept, slope: SpO2Calibration.slope)

  /// The saturation the curve gives for ratio `r`, unclamped.
  public func rawSaturation(ratio r: Double) -> Double { intercept - slope * r }

  /// The ratio of ratios that the curve maps to `spo2` percent: the inverse, for synthetic
  /// signals.
  public func ratio(forSaturation spo2: Double) -> Double { (intercept - spo2) / slope }

  /// The reported saturation for ratio `r`: values up to ``clampMargin`` above the range are
  /// reported at its upper end; anything else outside ``validRange`` (or a non-finite or
  /// non-positive ratio) is refused as `nil`.
  public func saturation(ratio r: Double) -> Percent? {
    guard r.isFinite, r > 0 else { return nil }
    let s = rawSaturation(ratio: r)
    if s > validRange.upperBound {
      return s <= validRange.upperBound + clampMargin ? Percent(validRange.upperBound) : nil
    }
    return s >= validRange.lowerBound ? Percent(s) : nil
  }
}
