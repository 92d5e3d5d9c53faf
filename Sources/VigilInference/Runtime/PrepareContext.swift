/// What a kernel's `prepare` function sees: its operator, the model's tensors, and a way to
/// ask the planner for scratch memory. Errors it makes name the operator's location.
struct PrepareContext {
  /// The verified model.
  let model: Model
  /// The operator's index in execution order.
  let index: Int
  /// The operator being prepared.
  let info: OperatorInfo
  /// Scratch buffers requested so far by all kernels (bytes each).
  var scratchSizes: [Int]
  /// Which kernel variants to prefer.
  var preferences = KernelPreferences.platformDefault
  /// Things an engineer should know about the model that do not stop it from running.
  var warnings: [String] = []

  /// `subgraph 0, operator N (NAME)`.
  var location: String { "subgraph 0, operator \(index) (\(info.op.name))" }

  /// Records a warning about this operator (shown by `vigil model inspect`, logged by the
  /// daemon).
  mutating func warn(_ message: String) {
    warnings.append(location + ": " + message)
  }

  /// An error of `kind` at this operator.
  func error(_ kind: ModelError.Kind, _ detail: String) -> ModelError {
    ModelError(kind, at: location, detail)
  }

  /// Throws unless the operator has between `minimum` and `maximum` inputs.
  func expectInputs(_ minimum: Int, _ maximum: Int? = nil) throws(ModelError) {
    let count = info.inputs.count
    guard count >= minimum, count <= (maximum ?? minimum) else {
      throw error(
        .unsupportedOperatorConfiguration,
        "has \(count) inputs; expected \(minimum)\(maximum.map { $0 == minimum ? "" : "-\($0)" } ?? "")"
      )
    }
    if info.outputs.count != 1 {
      throw error(
        .unsupportedOperatorConfiguration, "has \(info.outputs.count) outputs; expected 1")
    }
  }

  /// The tensor index of input `slot`; throws if it is omitted.
  func inputIndex(_ slot: Int) throws(ModelError) -> Int {
    guard slot < info.inputs.count, info.inputs[slot] >= 0 else {
      throw error(.missingField, "input \(slot) is missing")
    }
    return info.inputs[slot]
  }

  /// Input `slot`'s tensor; throws if it is omitted.
  func input(_ slot: Int) throws(ModelError) -> TensorInfo {
    model.tensors[try inputIndex(slot)]
  }

  /// Input `slot`'s tensor, or `nil` when the operator omits it (index -1 or absent).
  func optionalInput(_ slot: Int) -> TensorInfo? {
    guard slot < info.inputs.count, info.inputs[slot] >= 0 else { return nil }
    return model.tensors[info.inputs[slot]]
  }

  /// The tensor index of the single output.
  var outputIndex: Int { info.outputs[0] }

  /// The single output tensor.
  var output: TensorInfo { model.tensors[outputIndex] }

  /// Throws unless `tensor` (named `role` in messages) has element type `type`.
  func expectType(_ tensor: TensorInfo, _ type: TensorType, _ role: String) throws(ModelError) {
    guard tensor.type == type else {
      throw error(
        .unsupportedTensorType, "\(role) '\(tensor.name)' is \(tensor.type); expected \(type)")
    }
  }

  /// The per-tensor quantization of `tensor`; throws when it is missing or per-channel.
  func perTensorQuantization(_ tensor: TensorInfo, _ role: String) throws(ModelError) -> (
    scale: Float, zeroPoint: Int32
  ) {
    guard let q = tensor.quantization else {
      throw error(.invalidQuantization, "\(role) '\(tensor.name)' has no quantization parameters")
    }
    guard !q.isPerChannel else {
      throw error(.invalidQuantization, "\(role) '\(tensor.name)' must be quantized per tensor")
    }
    if tensor.type == .int8 {
      guard q.zeroPoint >= -128, q.zeroPoint <= 127 else {
        throw error(
          .invalidQuantization, "\(role) '\(tensor.name)' zero point \(q.zeroPoint) is outside int8"
        )
      }
    }
    return (q.scale, q.zeroPoint)
  }

  /// Throws unless `tensor` holds constant data.
  func expectConstant(_ tensor: TensorInfo, _ role: String) throws(ModelError)
    -> UnsafeRawBufferPointer
  {
    guard let data = tensor.constantData else {
      throw error(
        .unsupportedOperatorConfiguration, "\(role) '\(tensor.name)' must be a constant tensor")
    }
    return data
  }

  /// Reads a constant int32 (or int64) tensor, such as a shape or axis operand.
  func constantIntegers(_ tensor: TensorInfo, _ role: String) throws(ModelError) -> [Int] {
    let data = try expectConstant(tensor, role)
    var values: [Int] = []
    switch tensor.type {
    case .int32:
      for i in 0..<tensor.elementCount {
        values.append(
          Int(Int32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))))
      }
    case .int64:
      for i in 0..<tensor.elementCount {
        values.append(
          Int(
            truncatingIfNeeded: Int64(
              littleEndian: data.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))))
      }
    default:
      throw error(
        .unsupportedTensorType,
        "\(role) '\(tensor.name)' is \(tensor.type); expected INT32 or INT64")
    }
    return values
  }

  /// Asks the planner for `bytes` of scratch memory live only while this operator runs;
  /// returns the scratch index to look up in ``TensorMemory``.
  mutating func requestScratch(bytes: Int) -> Int {
    scratchSizes.append(bytes)
    return scratchSizes.count - 1
  }

  /// Reads the builtin options table, checking it is of union type `type`; `nil` when absent.
  func options(_ type: UInt8, _ name: String) throws(ModelError) -> Table? {
    guard let table = info.options else { return nil }
    guard info.optionsType == type else {
      throw error(
        .malformed,
        "builtin options are of union type \(info.optionsType); expected \(name) (\(type))")
    }
    return table
  }
}

/// Choices between kernel variants that compute identical results.
struct KernelPreferences {
  /// Whether CONV_2D may use its outer-product variant (float32 arithmetic on exact small integers,
  /// filters transposed in place). It is the fast variant where LLVM cannot reach int8 dot
  /// instructions from Swift (x86-64); on ARM the int8 dot-product variant compiles to
  /// `smull`/`sdot` and is preferred.
  var outerProductConvolution: Bool
  /// Whether DEPTHWISE_CONV_2D, AVERAGE_POOL_2D and MAX_POOL_2D on at most 16 channels may run
  /// 16 lanes at a time (``PixelBlocks``, ``PoolVectors``); tests turn it off to check the
  /// per-pixel kernels.
  var pixelBlocks = true
  /// Whether CONV_2D, where it would take the outer product, may take the planar variant on
  /// few channels (``PlanarConvolution``); tests turn it off to check the outer product.
  var planarConvolution = true

  /// The preferences for the platform being compiled for.
  static var platformDefault: KernelPreferences {
    #if arch(x86_64)
      return KernelPreferences(outerProductConvolution: true)
    #else
      return KernelPreferences(outerProductConvolution: false)
    #endif
  }
}
