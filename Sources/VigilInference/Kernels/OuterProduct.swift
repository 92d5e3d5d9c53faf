/// The float32 outer-product micro-kernels of CONV_2D's fast variant.
///
/// int8 values are converted to float32, multiplied and added. This is exact
/// integer arithmetic: every product `x·w` has |x|, |w| ≤ 128, so |x·w| ≤ 2^14, and a sum of at
/// most ``OuterProduct/maximumDepth`` (1024) of them stays below 2^24, where float32 represents
/// every integer and every addition is exact. The int32 result therefore equals TFLM's int32
/// accumulation bit for bit.
///
/// Eight output pixels share each converted weight vector, and each pixel's inputs are
/// converted sixteen at a time into a small stack buffer, so the inner loop is one weight load
/// and conversion per 8 (or 16) multiply-adds. LLVM turns it into `vpmovsxbd`, `vcvtdq2ps`,
/// `vbroadcastss` and `vmulps`/`vaddps` (or `vfmadd231ps`, see ``madd(_:_:_:)``) on x86-64.
enum OuterProduct {
  /// `a += w · s`. Built with `-DVIGIL_FMA` (for a CPU with a fused multiply-add unit, as
  /// `Benchmarks/run` builds for this machine) it is one fused multiply-add; otherwise a
  /// multiply and an add. Both are exact here, so the results are identical; but without an
  /// FMA unit `addProduct` becomes a call to `fmaf` per lane (baseline x86-64: 20× slower), so
  /// the separate form is the default.
  @inline(__always)
  static func madd<V: SIMD>(_ a: inout V, _ w: V, _ s: Float) where V.Scalar == Float {
    #if VIGIL_FMA
      a.addProduct(w, s)
    #else
      a += w * s
    #endif
  }

  /// The longest reduction the float32 accumulation is exact for.
  static let maximumDepth = 1024

  /// The fewest output pixels (over all batches) for which CONV_2D takes this variant.
  static let minimumPixels = 4

  /// Sixteen float vectors: the accumulators of 8 pixels × 32 channels.
  typealias Accumulators32 = (
    SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
    SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
    SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>
  )
  /// Eight float vectors: the accumulators of 8 pixels × 16 channels, or 16 inputs of 8 pixels.
  typealias Vectors8 = (
    SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
    SIMD16<Float>, SIMD16<Float>
  )
  /// The input pointers of eight pixels for one run of filter taps.
  typealias Pixels = (
    UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafePointer<Int8>,
    UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafePointer<Int8>
  )

  /// Zeroed ``Accumulators32``.
  static var zero32: Accumulators32 {
    (
      .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero,
      .zero, .zero, .zero
    )
  }
  /// Zeroed ``Vectors8``.
  static var zero8: Vectors8 { (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero) }

  /// Eight 8-lane float vectors: the accumulators of 8 pixels × 8 channels.
  typealias Accumulators8x8 = (
    SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
    SIMD8<Float>, SIMD8<Float>
  )
  /// Zeroed ``Accumulators8x8``.
  static var zero8x8: Accumulators8x8 { (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero) }

  /// The whole number `x` (|x| < 2^51, as every accumulator here is) as `Int32`, without the
  /// range check of `Int32(_: Float)`: in double, adding 1.5 · 2^52 leaves the number in the
  /// low bits of the significand.
  @inline(__always)
  static func exactInt32(_ x: Float) -> Int32 {
    Int32(truncatingIfNeeded: (Double(x) + 6_755_399_441_055_744).bitPattern)
  }

  /// 16 consecutive int8 values as float32.
  @inline(__always)
  static func widen(_ p: UnsafePointer<Int8>) -> SIMD16<Float> {
    var r = SIMD16<Float>()
    for i in 0..<16 { r[i] = Float(p[i]) }
    return r
  }

  /// The first `count` (< 16) int8 values as float32, the other lanes zero: for a weight row
  /// near the end of the filter, where a 16-byte read would leave the tensor.
  @inline(__always)
  static func widen(_ p: UnsafePointer<Int8>, count: Int) -> SIMD16<Float> {
    var r = SIMD16<Float>()
    for i in 0..<count { r[i] = Float(p[i]) }
    return r
  }

  /// Weight row `w` as 16 lanes, reading only bytes before `end`.
  @inline(__always)
  static func weights(_ w: UnsafePointer<Int8>, end: UnsafePointer<Int8>) -> SIMD16<Float> {
    end - w >= 16 ? widen(w) : widen(w, count: Swift.max(0, end - w))
  }

  /// 4 consecutive int8 values as float32.
  @inline(__always)
  static func widen4(_ p: UnsafePointer<Int8>) -> SIMD4<Float> {
    var r = SIMD4<Float>()
    for i in 0..<4 { r[i] = Float(p[i]) }
    return r
  }

  /// 8 consecutive int8 values as float32.
  @inline(__always)
  static func widen8(_ p: UnsafePointer<Int8>) -> SIMD8<Float> {
    var r = SIMD8<Float>()
    for i in 0..<8 { r[i] = Float(p[i]) }
    return r
  }

  /// Weight row `w` as 8 lanes, reading only bytes before `end` (the other lanes zero).
  @inline(__always)
  static func weights8(_ w: UnsafePointer<Int8>, end: UnsafePointer<Int8>) -> SIMD8<Float> {
    if end - w >= 8 { return widen8(w) }
    var r = SIMD8<Float>()
    for i in 0..<Swift.max(0, end - w) { r[i] = Float(w[i]) }
    return r
  }

  /// Writes eight inputs (`x[t..<t+8]`) of each of eight pixels as floats to the first half of
  /// each pixel's staging vector.
  @inline(__always)
  static func stage8(_ x: Pixels, _ t: Int, into staging: UnsafeMutablePointer<SIMD16<Float>>) {
    let halves = UnsafeMutableRawPointer(staging)
    halves.storeBytes(of: widen8(x.0 + t), toByteOffset: 0, as: SIMD8<Float>.self)
    halves.storeBytes(of: widen8(x.1 + t), toByteOffset: 64, as: SIMD8<Float>.self)
    halves.storeBytes(of: widen8(x.2 + t), toByteOffset: 128, as: SIMD8<Float>.self)
    halves.storeBytes(of: widen8(x.3 + t), toByteOffset: 192, as: SIMD8<Float>.self)
    halves.storeBytes(of: widen8(x.4 + t), toByteOffset: 256, as: SIMD8<Float>.self)
    halves.storeBytes(of: widen8(x.5 + t), toByteOffset: 320, as: SIMD8<Float>.self)
    halves.storeBytes(of: widen8(x.6 + t), toByteOffset: 384, as: SIMD8<Float>.self)
    halves.storeBytes(of: widen8(x.7 + t), toByteOffset: 448, as: SIMD8<Float>.self)
  }

  /// Writes sixteen inputs (`x[t..<t+16]`) of each of eight pixels as floats, pixel-major, to
  /// `staging` (eight vectors on the caller's stack), from where the micro-kernels broadcast
  /// them one at a time.
  @inline(__always)
  static func stage(_ x: Pixels, _ t: Int, into staging: UnsafeMutablePointer<SIMD16<Float>>) {
    staging[0] = widen(x.0 + t)
    staging[1] = widen(x.1 + t)
    staging[2] = widen(x.2 + t)
    staging[3] = widen(x.3 + t)
    staging[4] = widen(x.4 + t)
    staging[5] = widen(x.5 + t)
    staging[6] = widen(x.6 + t)
    staging[7] = widen(x.7 + t)
  }

  /// Accumulates `Σ_k x_p[k] · w[k][0..<32]` for eight pixels over a run of `run` taps, the
  /// weights laid out `[k][stride]` (all 32 lanes of every row inside the filter).
  @inline(__always)
  static func accumulate8x32(
    _ a: inout Accumulators32, _ x: Pixels, weights: UnsafePointer<Int8>, stride: Int, run: Int,
    staging: UnsafeMutablePointer<SIMD16<Float>>
  ) {
    var t = 0
    let v = UnsafeRawPointer(staging).assumingMemoryBound(to: Float.self)
    while t + 8 <= run {
      let steps = t + 16 <= run ? 16 : 8
      if steps == 16 { stage(x, t, into: staging) } else { stage8(x, t, into: staging) }
      do {
        var w = weights + t * stride
        for j in 0..<steps {
          let w0 = widen(w)
          let w1 = widen(w + 16)
          var s = v[j]
          madd(&a.0, w0, s)
          madd(&a.1, w1, s)
          s = v[16 + j]
          madd(&a.2, w0, s)
          madd(&a.3, w1, s)
          s = v[32 + j]
          madd(&a.4, w0, s)
          madd(&a.5, w1, s)
          s = v[48 + j]
          madd(&a.6, w0, s)
          madd(&a.7, w1, s)
          s = v[64 + j]
          madd(&a.8, w0, s)
          madd(&a.9, w1, s)
          s = v[80 + j]
          madd(&a.10, w0, s)
          madd(&a.11, w1, s)
          s = v[96 + j]
          madd(&a.12, w0, s)
          madd(&a.13, w1, s)
          s = v[112 + j]
          madd(&a.14, w0, s)
          madd(&a.15, w1, s)
          w += stride
        }
      }
      t += steps
    }
    var w = weights + t * stride
    while t < run {
      let w0 = widen(w)
      let w1 = widen(w + 16)
      var s = Float(x.0[t])
      madd(&a.0, w0, s)
      madd(&a.1, w1, s)
      s = Float(x.1[t])
      madd(&a.2, w0, s)
      madd(&a.3, w1, s)
      s = Float(x.2[t])
      madd(&a.4, w0, s)
      madd(&a.5, w1, s)
      s = Float(x.3[t])
      madd(&a.6, w0, s)
      madd(&a.7, w1, s)
      s = Float(x.4[t])
      madd(&a.8, w0, s)
      madd(&a.9, w1, s)
      s = Float(x.5[t])
      madd(&a.10, w0, s)
      madd(&a.11, w1, s)
      s = Float(x.6[t])
      madd(&a.12, w0, s)
      madd(&a.13, w1, s)
      s = Float(x.7[t])
      madd(&a.14, w0, s)
      madd(&a.15, w1, s)
      w += stride
      t += 1
    }
  }

  /// As ``accumulate8x32(_:_:weights:stride:run:)`` for one block of 16 lanes, reading no weight
  /// byte at or after `end` (lanes past the filter's last channel hold other rows' weights or
  /// zero; their sums are never stored).
  @inline(__always)
  static func accumulate8x16(
    _ a: inout Vectors8, _ x: Pixels, weights: UnsafePointer<Int8>, stride: Int, run: Int,
    end: UnsafePointer<Int8>, staging: UnsafeMutablePointer<SIMD16<Float>>
  ) {
    var t = 0
    let v = UnsafeRawPointer(staging).assumingMemoryBound(to: Float.self)
    while t + 8 <= run {
      let steps = t + 16 <= run ? 16 : 8
      if steps == 16 { stage(x, t, into: staging) } else { stage8(x, t, into: staging) }
      do {
        var w = weights + t * stride
        for j in 0..<steps {
          let w0 = OuterProduct.weights(w, end: end)
          madd(&a.0, w0, v[j])
          madd(&a.1, w0, v[16 + j])
          madd(&a.2, w0, v[32 + j])
          madd(&a.3, w0, v[48 + j])
          madd(&a.4, w0, v[64 + j])
          madd(&a.5, w0, v[80 + j])
          madd(&a.6, w0, v[96 + j])
          madd(&a.7, w0, v[112 + j])
          w += stride
        }
      }
      t += steps
    }
    var w = weights + t * stride
    while t < run {
      let w0 = OuterProduct.weights(w, end: end)
      madd(&a.0, w0, Float(x.0[t]))
      madd(&a.1, w0, Float(x.1[t]))
      madd(&a.2, w0, Float(x.2[t]))
      madd(&a.3, w0, Float(x.3[t]))
      madd(&a.4, w0, Float(x.4[t]))
      madd(&a.5, w0, Float(x.5[t]))
      madd(&a.6, w0, Float(x.6[t]))
      madd(&a.7, w0, Float(x.7[t]))
      w += stride
      t += 1
    }
  }

  /// As ``accumulate8x16(_:_:weights:stride:run:end:staging:)`` for a block of 8 lanes, for
  /// the last (at most 8) output channels.
  @inline(__always)
  static func accumulate8x8(
    _ a: inout Accumulators8x8, _ x: Pixels, weights: UnsafePointer<Int8>, stride: Int, run: Int,
    end: UnsafePointer<Int8>, staging: UnsafeMutablePointer<SIMD16<Float>>
  ) {
    var t = 0
    let v = UnsafeRawPointer(staging).assumingMemoryBound(to: Float.self)
    while t + 8 <= run {
      let steps = t + 16 <= run ? 16 : 8
      if steps == 16 { stage(x, t, into: staging) } else { stage8(x, t, into: staging) }
      do {
        var w = weights + t * stride
        for j in 0..<steps {
          let w0 = weights8(w, end: end)
          madd(&a.0, w0, v[j])
          madd(&a.1, w0, v[16 + j])
          madd(&a.2, w0, v[32 + j])
          madd(&a.3, w0, v[48 + j])
          madd(&a.4, w0, v[64 + j])
          madd(&a.5, w0, v[80 + j])
          madd(&a.6, w0, v[96 + j])
          madd(&a.7, w0, v[112 + j])
          w += stride
        }
      }
      t += steps
    }
    var w = weights + t * stride
    while t < run {
      let w0 = weights8(w, end: end)
      madd(&a.0, w0, Float(x.0[t]))
      madd(&a.1, w0, Float(x.1[t]))
      madd(&a.2, w0, Float(x.2[t]))
      madd(&a.3, w0, Float(x.3[t]))
      madd(&a.4, w0, Float(x.4[t]))
      madd(&a.5, w0, Float(x.5[t]))
      madd(&a.6, w0, Float(x.6[t]))
      madd(&a.7, w0, Float(x.7[t]))
      w += stride
      t += 1
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
