/// The float32 outer-product micro-kernel of CONV_2D's fast variant.
///
/// int8 values are converted to float32 and multiplied with fused multiply-add. This is exact
/// integer arithmetic: every product `x·w` has |x|, |w| ≤ 128, so |x·w| ≤ 2^14, and a sum of at
/// most ``OuterProduct/maximumDepth`` (1024) of them stays below 2^24, where float32 represents
/// every integer and every addition is exact. The int32 result therefore equals TFLM's int32
/// accumulation bit for bit. LLVM turns these loops into `vpmovsxbd`+`vcvtdq2ps` and
/// `vfmadd231ps` on x86-64 (AVX2/AVX-512) and `fmla` on AArch64.
enum OuterProduct {
  /// The longest reduction the float32 accumulation is exact for.
  static let maximumDepth = 1024

  /// 16 consecutive int8 weights as float32.
  @inline(__always)
  static func widen(_ p: UnsafePointer<Int8>) -> SIMD16<Float> {
    var r = SIMD16<Float>()
    for i in 0..<16 { r[i] = Float(p[i]) }
    return r
  }

  /// Accumulates `Σ_k x_p[k] · w[k][0..<32]` for four pixels `p` whose inputs are read through
  /// `rows` (one pointer per pixel, `depth` int8 values each), with `w` laid out `[k][stride]`.
  @inline(__always)
  static func accumulate4x32(
    _ a:
      inout (
        SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
        SIMD16<Float>, SIMD16<Float>
      ),
    x0: UnsafePointer<Int8>, x1: UnsafePointer<Int8>, x2: UnsafePointer<Int8>,
    x3: UnsafePointer<Int8>,
    weights: UnsafePointer<Int8>, stride: Int, depth: Int
  ) {
    var w = weights
    for k in 0..<depth {
      let w0 = widen(w)
      let w1 = widen(w + 16)
      let v0 = Float(x0[k])
      let v1 = Float(x1[k])
      let v2 = Float(x2[k])
      let v3 = Float(x3[k])
      a.0.addProduct(w0, v0)
      a.1.addProduct(w1, v0)
      a.2.addProduct(w0, v1)
      a.3.addProduct(w1, v1)
      a.4.addProduct(w0, v2)
      a.5.addProduct(w1, v2)
      a.6.addProduct(w0, v3)
      a.7.addProduct(w1, v3)
      w += stride
    }
  }

  /// As ``accumulate4x32(_:x0:x1:x2:x3:weights:stride:depth:)`` for 16 channels.
  @inline(__always)
  static func accumulate4x16(
    _ a: inout (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>),
    x0: UnsafePointer<Int8>, x1: UnsafePointer<Int8>, x2: UnsafePointer<Int8>,
    x3: UnsafePointer<Int8>,
    weights: UnsafePointer<Int8>, stride: Int, depth: Int
  ) {
    var w = weights
    for k in 0..<depth {
      let w0 = widen(w)
      a.0.addProduct(w0, Float(x0[k]))
      a.1.addProduct(w0, Float(x1[k]))
      a.2.addProduct(w0, Float(x2[k]))
      a.3.addProduct(w0, Float(x3[k]))
      w += stride
    }
  }

  /// Transposes a `[rows][columns]` int8 matrix to `[columns][rows]` in place, using a
  /// temporary copy that is freed before returning (nothing is kept).
  static func transposeInPlace(_ data: UnsafeMutablePointer<Int8>, rows: Int, columns: Int) {
    let copy = UnsafeMutablePointer<Int8>.allocate(capacity: rows * columns)
    defer { copy.deallocate() }
    copy.update(from: data, count: rows * columns)
    for r in 0..<rows {
      for c in 0..<columns { data[c * rows + r] = copy[r * columns + c] }
    }
  }
}
