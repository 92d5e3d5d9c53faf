/// Elementary functions for filter design and spectra, written out because the Embedded Swift
/// core may not import the C library's `libm`.
///
/// Sine and cosine reduce the argument to [-π/4, π/4] with a two-part π/2 (Cody-Waite) and sum
/// the Taylor series to the 17th power, whose first omitted term is below 1e-19 there; the error
/// is a few units in the last place for arguments up to about 1e6 radians, far more than the
/// filter designs and spectra here need.
enum SignalMath {
  /// π/2 split into a part exact in 33 bits and the remainder, for argument reduction.
  private static let halfPiHigh = 1.570_796_326_734_125_614_17
  private static let halfPiLow = 6.077_100_506_506_192_249_32e-11

  /// The sine of `x` radians.
  static func sin(_ x: Double) -> Double {
    let (r, quadrant) = reduce(x)
    switch quadrant {
    case 0: return sinKernel(r)
    case 1: return cosKernel(r)
    case 2: return -sinKernel(r)
    default: return -cosKernel(r)
    }
  }

  /// The cosine of `x` radians.
  static func cos(_ x: Double) -> Double {
    let (r, quadrant) = reduce(x)
    switch quadrant {
    case 0: return cosKernel(r)
    case 1: return -sinKernel(r)
    case 2: return -cosKernel(r)
    default: return sinKernel(r)
    }
  }

  /// The tangent of `x` radians.
  static func tan(_ x: Double) -> Double { sin(x) / cos(x) }

  /// Splits `x` into `r` in [-π/4, π/4] and the quadrant `k mod 4` with `x = k·π/2 + r`.
  private static func reduce(_ x: Double) -> (Double, Int) {
    let k = (x / (halfPiHigh + halfPiLow)).rounded(.toNearestOrEven)
    let r = (x - k * halfPiHigh) - k * halfPiLow
    let quadrant = Int(k.truncatingRemainder(dividingBy: 4))
    return (r, (quadrant + 4) % 4)
  }

  /// sin(r) for |r| ≤ π/4 by its Taylor series to r^17.
  private static func sinKernel(_ r: Double) -> Double {
    let r2 = r * r
    var term = r
    var sum = r
    var n = 1.0
    for _ in 0..<8 {
      term *= -r2 / ((n + 1) * (n + 2))
      sum += term
      n += 2
    }
    return sum
  }

  /// cos(r) for |r| ≤ π/4 by its Taylor series to r^18.
  private static func cosKernel(_ r: Double) -> Double {
    let r2 = r * r
    var term = 1.0
    var sum = 1.0
    var n = 0.0
    for _ in 0..<9 {
      term *= -r2 / ((n + 1) * (n + 2))
      sum += term
      n += 2
    }
    return sum
  }
}
