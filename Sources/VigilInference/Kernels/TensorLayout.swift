/// Shape and operand helpers shared by the data-movement and reduction kernels
/// (CONCATENATION, PAD, STRIDED_SLICE, TRANSPOSE, MEAN, REDUCE_MAX and the reshapes).
enum TensorLayout {
  /// Row-major element strides of `shape` (the last axis has stride 1).
  static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var stride = 1
    for axis in shape.indices.reversed() {
      strides[axis] = stride
      stride *= shape[axis]
    }
    return strides
  }

  /// `values` as `n` `Int32`s, the form kernels keep shapes, strides and offsets in (every size
  /// and element offset of a tensor fits: tensors are at most 2^30 bytes).
  static func packed<let n: Int>(_ values: [Int]) -> InlineArray<n, Int32> {
    precondition(values.count == n, "packing \(values.count) values into \(n)")
    return InlineArray { Int32(truncatingIfNeeded: values[$0]) }
  }

  /// The product of `shape[range]` (1 for an empty range).
  static func product(_ shape: [Int], _ range: Range<Int>) -> Int {
    var result = 1
    for axis in range { result *= shape[axis] }
    return result
  }
}

extension PrepareContext {
  /// Throws unless `output` has exactly `input`'s quantization (scale and zero point), or
  /// neither is quantized.
  ///
  /// Operators that only move int8 values (and pooling and REDUCE_MAX, which only compare or
  /// average them) are correct only when input and output share a quantization; TFLite's
  /// converter always gives them one. A model that does not would have its values silently
  /// reinterpreted, so it is refused instead.
  func expectSameQuantization(_ input: TensorInfo, _ inputRole: String, as output: TensorInfo)
    throws(ModelError)
  {
    let a = input.quantization
    let b = output.quantization
    if a == nil && b == nil { return }
    guard let a, let b, !a.isPerChannel, !b.isPerChannel else {
      throw error(
        .invalidQuantization,
        "\(inputRole) '\(input.name)' and output '\(output.name)' must both be quantized per tensor, or neither"
      )
    }
    guard a.scale == b.scale, a.zeroPoint == b.zeroPoint else {
      throw error(
        .invalidQuantization,
        "\(inputRole) '\(input.name)' (scale \(a.scale), zero point \(a.zeroPoint)) and output '\(output.name)' (scale \(b.scale), zero point \(b.zeroPoint)) must share one quantization; this operator moves values without rescaling them"
      )
    }
  }

  /// Normalizes `axis` (negative counts from the end) for a tensor of `rank` dimensions.
  func normalizedAxis(_ axis: Int, rank: Int, _ what: String) throws(ModelError) -> Int {
    guard axis >= -rank, axis < rank else {
      throw error(
        .unsupportedOperatorConfiguration,
        "\(what) \(axis) is outside [\(-rank), \(rank - 1)] for a \(rank)-D tensor")
    }
    return axis < 0 ? axis + rank : axis
  }

  /// Reads a constant int32 operand (a shape, axis or index list), refusing other types as
  /// TFLM does, which reads these operands as int32 whatever their declared type.
  func constantInt32s(_ tensor: TensorInfo, _ role: String) throws(ModelError) -> [Int] {
    try expectType(tensor, .int32, role)
    return try constantIntegers(tensor, role)
  }
}
