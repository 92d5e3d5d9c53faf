/// A fused activation function, as TFLite's `ActivationFunctionType` numbers them.
enum FusedActivation: Int8 {
  case none = 0
  case relu = 1
  case reluN1To1 = 2
  case relu6 = 3

  /// Decodes the schema value, rejecting TANH and SIGN_BIT, which TFLM does not fuse for int8.
  init(code: Int8, context: PrepareContext) throws(ModelError) {
    guard let value = FusedActivation(rawValue: code) else {
      throw context.error(
        .unsupportedOperatorConfiguration, "fused activation \(code) is not supported")
    }
    self = value
  }

  /// TFLite's `CalculateActivationRangeQuantized` for int8 outputs: the clamp bounds of the
  /// activation expressed in the output's quantized domain.
  func int8Range(scale: Float, zeroPoint: Int32) -> (min: Int32, max: Int32) {
    func quantize(_ value: Float) -> Int32 {
      let scaled = (value / scale).rounded(.toNearestOrAwayFromZero)
      let clamped = Swift.max(Float(Int32.min / 2), Swift.min(Float(Int32.max / 2), scaled))
      return zeroPoint &+ Int32(clamped)
    }
    switch self {
    case .none: return (-128, 127)
    case .relu: return (Swift.max(-128, quantize(0)), 127)
    case .relu6: return (Swift.max(-128, quantize(0)), Swift.min(127, quantize(6)))
    case .reluN1To1: return (Swift.max(-128, quantize(-1)), Swift.min(127, quantize(1)))
    }
  }
}

/// TFLite's `Padding`: SAME pads so the output covers every input position; VALID does not pad.
enum PaddingKind: Int8 {
  case same = 0
  case valid = 1
}

/// Spatial output size and leading padding as TFLite's `ComputeOutSize` and
/// `ComputePaddingWithOffset` compute them (extra odd padding goes after, not before).
struct SpatialGeometry {
  let outputSize: Int
  let paddingBefore: Int

  init(padding: PaddingKind, inputSize: Int, filterSize: Int, stride: Int, dilation: Int) {
    let effectiveFilter = (filterSize - 1) * dilation + 1
    switch padding {
    case .same: outputSize = (inputSize + stride - 1) / stride
    case .valid: outputSize = Swift.max(0, (inputSize + stride - effectiveFilter) / stride)
    }
    let total = Swift.max(0, (outputSize - 1) * stride + effectiveFilter - inputSize)
    paddingBefore = total / 2
  }
}

/// Per-channel requantization parameters, stored once for a kernel's whole output depth.
struct ChannelMultipliers {
  let multipliers: [Int32]
  let shifts: [Int32]

  /// Wraps precomputed multipliers and shifts.
  init(multipliers: [Int32], shifts: [Int32]) {
    self.multipliers = multipliers
    self.shifts = shifts
  }

  /// Multipliers for `input scale × filter scale[c] / output scale` per output channel, as
  /// TFLite's `PopulateConvolutionQuantizationParams` computes them (in double precision from
  /// float scales).
  init(inputScale: Float, filterScales: [Float], outputScale: Float, channels: Int) {
    var multipliers: [Int32] = []
    var shifts: [Int32] = []
    multipliers.reserveCapacity(channels)
    shifts.reserveCapacity(channels)
    for channel in 0..<channels {
      let filterScale = filterScales.count == 1 ? filterScales[0] : filterScales[channel]
      let effective = Double(inputScale) * Double(filterScale)
      let real = effective / Double(outputScale)
      let m = FixedPoint.Multiplier(real)
      multipliers.append(m.multiplier)
      shifts.append(m.shift)
    }
    self.multipliers = multipliers
    self.shifts = shifts
  }
}

/// The dimensions of a 4-D NHWC tensor.
struct NHWC {
  let batches: Int, height: Int, width: Int, channels: Int

  init(_ shape: [Int]) {
    batches = shape[0]
    height = shape[1]
    width = shape[2]
    channels = shape[3]
  }
}
