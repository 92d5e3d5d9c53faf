/// `ln(1 + x)` computed exactly as the C library of the training machine computes `log1p`
/// (glibc 2.36 on x86-64, whose `log1p` picks its FMA build on a CPU with FMA and AVX2), so that
/// a feature the model's manifest defines as `ln(1 + value)` has the same bits here as in
/// training on every target: on Embedded Swift ones without a C library, and on boards whose C
/// library rounds differently (glibc's build without FMA differs in about 1 of 40,000 values).
///
/// The algorithm: reduce `1 + x = 2^k · (1 + f)` with `√2/2 < 1 + f < √2`, carry the rounding
/// error of `1 + x` in a correction term `c`, and evaluate `ln(1 + f)` from `s = f / (2 + f)`
/// with a degree-14 minimax polynomial in `s` (fdlibm's, in glibc's evaluation order). Its error is below one unit in the last place.
/// `VigilClinicalTests` compares it with the platform's `log1p` bit for bit.
public func logOnePlus(_ x: Double) -> Double {
  let ln2High = 6.93147180369123816490e-01  // 0x3fe62e42_fee00000
  let ln2Low = 1.90821492927058770002e-10  // 0x3dea39ef_35793c76
  let lp1 = 6.666666666666735130e-01
  let lp2 = 3.999999999940941908e-01
  let lp3 = 2.857142874366239149e-01
  let lp4 = 2.222219843214978396e-01
  let lp5 = 1.818357216161805012e-01
  let lp6 = 1.531383769920937332e-01
  let lp7 = 1.479819860511658591e-01

  let hx = Int32(bitPattern: UInt32(truncatingIfNeeded: x.bitPattern >> 32))
  let ax = hx & 0x7fff_ffff
  var k: Int32 = 1
  var f = 0.0
  var c = 0.0
  var hu: Int32 = 0

  if hx < 0x3fda_827a {  // x < 0.41422
    if ax >= 0x3ff0_0000 {  // x <= -1
      if x == -1.0 { return -.infinity }
      return .nan
    }
    if ax < 0x3e20_0000 {  // |x| < 2^-29
      if ax < 0x3c90_0000 { return x }  // |x| < 2^-54
      return x - x * x * 0.5
    }
    if hx > 0 || hx <= Int32(bitPattern: 0xbfd2_bec3) {  // -0.2929 < x < 0.41422
      k = 0
      f = x
      hu = 1
    }
  }
  if hx >= 0x7ff0_0000 { return x + x }  // +inf or NaN
  if k != 0 {
    var u: Double
    if hx < 0x4340_0000 {
      u = 1.0 + x
      hu = Int32(bitPattern: UInt32(truncatingIfNeeded: u.bitPattern >> 32))
      k = (hu >> 20) - 1023
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0)  // the rounding error of 1 + x
      c /= u
    } else {
      u = x
      hu = Int32(bitPattern: UInt32(truncatingIfNeeded: u.bitPattern >> 32))
      k = (hu >> 20) - 1023
      c = 0
    }
    hu &= 0x000f_ffff
    let low = u.bitPattern & 0xffff_ffff
    if hu < 0x6_a09e {  // normalise u into [1, √2)
      u = Double(bitPattern: (UInt64(UInt32(bitPattern: hu | 0x3ff0_0000)) << 32) | low)
    } else {  // normalise u/2 into [√2/2, 1)
      k += 1
      u = Double(bitPattern: (UInt64(UInt32(bitPattern: hu | 0x3fe0_0000)) << 32) | low)
      hu = (0x0010_0000 - hu) >> 2
    }
    f = u - 1.0
  }
  let hfsq = 0.5 * f * f
  let dk = Double(k)
  if hu == 0 {  // |f| < 2^-20
    if f == 0 {
      if k == 0 { return 0 }
      c = c.addingProduct(dk, ln2Low)
      return c.addingProduct(dk, ln2High)
    }
    let r = hfsq * (1.0).addingProduct(-0.66666666666666666, f)
    if k == 0 { return f - r }
    return (-((r - c.addingProduct(dk, ln2Low)) - f)).addingProduct(dk, ln2High)
  }
  let s = f / (2.0 + f)
  let z = s * s
  // glibc's order of evaluation, with the multiply-adds its x86-64 build fuses on a CPU with
  // FMA (the training machine's): `addingProduct` rounds once, every other operation on its own.
  let z2 = z * z
  let z4 = z2 * z2
  let z6 = z4 * z2
  let r2 = lp2.addingProduct(z, lp3)
  let r3 = lp4.addingProduct(z, lp5)
  let r4 = lp6.addingProduct(z, lp7)
  let r = (z2 * r2).addingProduct(z, lp1).addingProduct(z4, r3).addingProduct(z6, r4)
  if k == 0 { return f - (hfsq - s * (hfsq + r)) }
  let tail = s * (hfsq + r) + c.addingProduct(dk, ln2Low)
  return (-((hfsq - tail) - f)).addingProduct(dk, ln2High)
}
