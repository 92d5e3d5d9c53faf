/// Field slots of the TFLite schema tables Vigil reads (`schema.fbs`, schema version 3).
/// A field's vtable entry is at `4 + 2 × slot`; a union takes two slots (type, then value).
enum Slot {
  enum Model {
    static let version = 0, operatorCodes = 1, subgraphs = 2, description = 3, buffers = 4
  }
  enum OperatorCode {
    static let deprecatedBuiltinCode = 0, customCode = 1, version = 2, builtinCode = 3
  }
  enum SubGraph {
    static let tensors = 0, inputs = 1, outputs = 2, operators = 3
  }
  enum Tensor {
    static let shape = 0, type = 1, buffer = 2, name = 3, quantization = 4, isVariable = 5
    static let sparsity = 6
  }
  enum Quantization {
    static let scale = 2, zeroPoint = 3, detailsType = 4, quantizedDimension = 6
  }
  enum Operator {
    static let opcodeIndex = 0, inputs = 1, outputs = 2, builtinOptionsType = 3, builtinOptions = 4
    static let customOptions = 5
  }
  enum Buffer {
    static let data = 0, offset = 1, size = 2
  }
}

/// Decodes and verifies a TFLite flatbuffer into ``Model``'s tensors and operators.
struct ModelReader {
  let buffer: FlatBuffer

  struct Decoded {
    var tensors: [TensorInfo]
    var operators: [OperatorInfo]
    var inputs: [Int]
    var outputs: [Int]
    var description: String?
  }

  /// The largest tensor Vigil accepts, in bytes (1 GiB): larger values are corrupt offsets,
  /// not models for a bedside monitor.
  static let maximumTensorBytes = 1 << 30

  func read() throws(ModelError) -> Decoded {
    guard buffer.count >= 8 else {
      throw ModelError(
        .truncated, at: "byte 0", "a TFLite file has at least 8 bytes; this one has \(buffer.count)"
      )
    }
    let identifier = buffer.bytes[4..<8]
    guard identifier.elementsEqual([0x54, 0x46, 0x4C, 0x33]) else {  // "TFL3"
      var found = ""
      for byte in identifier {
        found += byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "?"
      }
      throw ModelError(
        .notTFLite, at: "byte 4",
        "file identifier is '\(found)', expected 'TFL3' (not a .tflite model)")
    }
    let root = try buffer.root()
    let version = try root.u32(Slot.Model.version, default: 0, "Model.version")
    guard version == 3 else {
      throw ModelError(
        .unsupportedSchemaVersion, at: "Model.version",
        "schema version \(version); Vigil reads version 3")
    }
    let description = try root.string(Slot.Model.description, "Model.description")

    let codes = try readOperatorCodes(root)
    guard let buffers = try root.vector(Slot.Model.buffers, elementSize: 4, "Model.buffers") else {
      throw ModelError(.missingField, at: "Model", "the model has no buffers vector")
    }
    guard let subgraphs = try root.vector(Slot.Model.subgraphs, elementSize: 4, "Model.subgraphs"),
      subgraphs.count > 0
    else {
      throw ModelError(.missingField, at: "Model", "the model has no subgraph")
    }
    guard subgraphs.count == 1 else {
      throw ModelError(
        .unsupportedModelStructure, at: "Model.subgraphs",
        "the model has \(subgraphs.count) subgraphs; Vigil runs single-subgraph models (no control flow)"
      )
    }
    let subgraph = try subgraphs.table(0, "SubGraph")
    let tensors = try readTensors(subgraph, buffers: buffers)
    let inputs = try readIndexList(
      subgraph, Slot.SubGraph.inputs, tensorCount: tensors.count, "subgraph 0 inputs")
    let outputs = try readIndexList(
      subgraph, Slot.SubGraph.outputs, tensorCount: tensors.count, "subgraph 0 outputs")
    let operators = try readOperators(subgraph, codes: codes, tensors: tensors)
    try checkDataFlow(tensors: tensors, operators: operators, inputs: inputs, outputs: outputs)
    return Decoded(
      tensors: tensors, operators: operators, inputs: inputs, outputs: outputs,
      description: description)
  }

  struct OperatorCode {
    var code: Int32
    var version: Int32
    var customName: String?
  }

  private func readOperatorCodes(_ root: Table) throws(ModelError) -> [OperatorCode] {
    guard
      let vector = try root.vector(Slot.Model.operatorCodes, elementSize: 4, "Model.operator_codes")
    else {
      return []
    }
    var codes: [OperatorCode] = []
    codes.reserveCapacity(vector.count)
    for index in 0..<vector.count {
      let table = try vector.table(index, "OperatorCode")
      let deprecated = Int32(
        try table.i8(
          Slot.OperatorCode.deprecatedBuiltinCode, default: 0,
          "OperatorCode.deprecated_builtin_code"))
      let builtin = try table.i32(
        Slot.OperatorCode.builtinCode, default: 0, "OperatorCode.builtin_code")
      let version = try table.i32(Slot.OperatorCode.version, default: 1, "OperatorCode.version")
      let custom = try table.string(Slot.OperatorCode.customCode, "OperatorCode.custom_code")
      codes.append(
        OperatorCode(code: max(deprecated, builtin), version: version, customName: custom))
    }
    return codes
  }

  private func readTensors(_ subgraph: Table, buffers: Vector) throws(ModelError) -> [TensorInfo] {
    guard
      let vector = try subgraph.vector(Slot.SubGraph.tensors, elementSize: 4, "SubGraph.tensors")
    else {
      throw ModelError(.missingField, at: "subgraph 0", "the subgraph has no tensors")
    }
    var tensors: [TensorInfo] = []
    tensors.reserveCapacity(vector.count)
    for index in 0..<vector.count {
      let table = try vector.table(index, "Tensor")
      let name = try table.string(Slot.Tensor.name, "Tensor.name") ?? ""
      let location = "subgraph 0, tensor \(index) '\(name)'"
      let type = TensorType(rawValue: try table.i8(Slot.Tensor.type, default: 0, "Tensor.type"))
      guard let elementSize = type.byteSize else {
        throw ModelError(
          .unsupportedTensorType, at: location, "element type \(type) is not supported")
      }
      var shape: [Int] = []
      var elements = 1
      if let dims = try table.vector(Slot.Tensor.shape, elementSize: 4, "Tensor.shape") {
        guard dims.count <= 8 else {
          throw ModelError(
            .invalidShape, at: location, "rank \(dims.count) exceeds the supported 8 dimensions")
        }
        for d in 0..<dims.count {
          let dim = Int(try dims.i32(d, "Tensor.shape"))
          guard dim >= 1 else {
            throw ModelError(
              .invalidShape, at: location,
              "dimension \(d) is \(dim); Vigil needs static, non-empty shapes")
          }
          let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
          guard !overflow, product <= ModelReader.maximumTensorBytes / elementSize else {
            throw ModelError(
              .invalidShape, at: location,
              "shape is larger than \(ModelReader.maximumTensorBytes) bytes")
          }
          elements = product
          shape.append(dim)
        }
      }
      let quantization = try readQuantization(table, shape: shape, location: location)
      let isVariable = try table.bool(Slot.Tensor.isVariable, "Tensor.is_variable")
      if try table.fieldOffset(Slot.Tensor.sparsity, size: 4, "Tensor.sparsity") != nil {
        throw ModelError(.unsupportedTensorType, at: location, "sparse tensors are not supported")
      }
      let bufferIndex = Int(try table.u32(Slot.Tensor.buffer, default: 0, "Tensor.buffer"))
      guard bufferIndex < buffers.count else {
        throw ModelError(
          .malformed, at: location,
          "buffer index \(bufferIndex) is outside the \(buffers.count) buffers")
      }
      let data = try readBufferData(
        buffers.table(bufferIndex, "Buffer"), index: bufferIndex, location: location)
      let byteCount = elements * elementSize
      if let data, data.count != byteCount {
        throw ModelError(
          .bufferSizeMismatch, at: location,
          "buffer \(bufferIndex) holds \(data.count) bytes but shape \(shape) of \(type) needs \(byteCount)"
        )
      }
      tensors.append(
        TensorInfo(
          name: name, shape: shape, type: type, quantization: quantization, constantData: data,
          isVariable: isVariable))
    }
    return tensors
  }

  private func readBufferData(_ table: Table, index: Int, location: String) throws(ModelError)
    -> UnsafeRawBufferPointer?
  {
    if let data = try table.vector(Slot.Buffer.data, elementSize: 1, "Buffer.data"), data.count > 0
    {
      return data.bytes
    }
    // Large models keep buffers after the flatbuffer: `offset` from the file start, valid if > 1.
    let offset = try table.u64(Slot.Buffer.offset, default: 0, "Buffer.offset")
    let size = try table.u64(Slot.Buffer.size, default: 0, "Buffer.size")
    guard offset > 1, size > 0 else { return nil }
    guard offset <= UInt64(buffer.count), size <= UInt64(buffer.count) - offset else {
      throw ModelError(
        .truncated, at: location,
        "buffer \(index) lies at bytes \(offset)..<\(offset &+ size), past the end of the \(buffer.count)-byte file"
      )
    }
    return UnsafeRawBufferPointer(rebasing: buffer.bytes[Int(offset)..<Int(offset + size)])
  }

  private func readQuantization(_ tensor: Table, shape: [Int], location: String) throws(ModelError)
    -> Quantization?
  {
    guard let table = try tensor.table(Slot.Tensor.quantization, "Tensor.quantization") else {
      return nil
    }
    guard
      let scaleVector = try table.vector(
        Slot.Quantization.scale, elementSize: 4, "QuantizationParameters.scale"),
      scaleVector.count > 0
    else { return nil }
    if try table.u8(
      Slot.Quantization.detailsType, default: 0, "QuantizationParameters.details_type") != 0
    {
      throw ModelError(
        .invalidQuantization, at: location, "custom or blockwise quantization is not supported")
    }
    var scales: [Float] = []
    scales.reserveCapacity(scaleVector.count)
    for i in 0..<scaleVector.count {
      let scale = try scaleVector.f32(i, "QuantizationParameters.scale")
      guard scale.isFinite, scale > 0 else {
        throw ModelError(
          .invalidQuantization, at: location,
          "scale \(i) is \(scale); scales must be finite and positive")
      }
      scales.append(scale)
    }
    var zeroPoints: [Int64] = []
    if let zeroVector = try table.vector(
      Slot.Quantization.zeroPoint, elementSize: 8, "QuantizationParameters.zero_point")
    {
      guard zeroVector.count == scales.count else {
        throw ModelError(
          .invalidQuantization, at: location,
          "\(scales.count) scales but \(zeroVector.count) zero points")
      }
      for i in 0..<zeroVector.count {
        let zeroPoint = try zeroVector.i64(i, "QuantizationParameters.zero_point")
        guard zeroPoint >= -32768, zeroPoint <= 65535 else {
          throw ModelError(
            .invalidQuantization, at: location, "zero point \(zeroPoint) is out of range")
        }
        zeroPoints.append(zeroPoint)
      }
    } else {
      zeroPoints = [Int64](repeating: 0, count: scales.count)
    }
    let dimension = Int(
      try table.i32(
        Slot.Quantization.quantizedDimension, default: 0,
        "QuantizationParameters.quantized_dimension"))
    if scales.count > 1 {
      guard dimension >= 0, dimension < shape.count, shape[dimension] == scales.count else {
        throw ModelError(
          .invalidQuantization, at: location,
          "\(scales.count) per-channel scales do not match dimension \(dimension) of shape \(shape)"
        )
      }
    }
    return Quantization(scales: scales, zeroPoints: zeroPoints, quantizedDimension: dimension)
  }

  private func readIndexList(_ table: Table, _ slot: Int, tensorCount: Int, _ what: StaticString)
    throws(ModelError)
    -> [Int]
  {
    guard let vector = try table.vector(slot, elementSize: 4, what) else { return [] }
    var indices: [Int] = []
    indices.reserveCapacity(vector.count)
    for i in 0..<vector.count {
      let index = Int(try vector.i32(i, what))
      guard index >= -1, index < tensorCount else {
        throw ModelError(
          .tensorIndexOutOfRange, at: "\(what) [\(i)]",
          "tensor index \(index) is outside 0..<\(tensorCount)")
      }
      indices.append(index)
    }
    return indices
  }

  private func readOperators(_ subgraph: Table, codes: [OperatorCode], tensors: [TensorInfo])
    throws(ModelError)
    -> [OperatorInfo]
  {
    guard
      let vector = try subgraph.vector(
        Slot.SubGraph.operators, elementSize: 4, "SubGraph.operators")
    else {
      return []
    }
    var operators: [OperatorInfo] = []
    operators.reserveCapacity(vector.count)
    for index in 0..<vector.count {
      let table = try vector.table(index, "Operator")
      let codeIndex = Int(
        try table.u32(Slot.Operator.opcodeIndex, default: 0, "Operator.opcode_index"))
      guard codeIndex < codes.count else {
        throw ModelError(
          .malformed, at: "subgraph 0, operator \(index)",
          "opcode index \(codeIndex) is outside the \(codes.count) operator codes")
      }
      let code = codes[codeIndex]
      let name =
        code.code == 32
        ? "CUSTOM '\(code.customName ?? "")'" : BuiltinOperator.schemaName(code: code.code)
      let location = "subgraph 0, operator \(index) (\(name))"
      guard let op = BuiltinOperator(rawValue: code.code) else {
        throw ModelError(
          .unsupportedOperator, at: location, "operator \(name) is not supported by Vigil")
      }
      guard code.version >= 1, code.version <= op.maximumVersion else {
        throw ModelError(
          .unsupportedOperatorVersion, at: location,
          "version \(code.version) is not supported; Vigil implements versions 1-\(op.maximumVersion)"
        )
      }
      let inputs = try readIndexList(
        table, Slot.Operator.inputs, tensorCount: tensors.count, "Operator.inputs")
      let outputs = try readIndexList(
        table, Slot.Operator.outputs, tensorCount: tensors.count, "Operator.outputs")
      guard !outputs.contains(-1), !outputs.isEmpty else {
        throw ModelError(
          .malformed, at: location, "the operator has no output or an omitted output")
      }
      let optionsType = try table.u8(
        Slot.Operator.builtinOptionsType, default: 0, "Operator.builtin_options_type")
      let options = try table.table(Slot.Operator.builtinOptions, "Operator.builtin_options")
      operators.append(
        OperatorInfo(
          op: op, version: code.version, inputs: inputs, outputs: outputs, options: options,
          optionsType: optionsType))
    }
    return operators
  }

  /// Checks that every activation an operator reads is a model input or written by an earlier
  /// operator, that no operator writes a constant or a tensor written before, and that the
  /// model's outputs are produced.
  private func checkDataFlow(
    tensors: [TensorInfo], operators: [OperatorInfo], inputs: [Int], outputs: [Int]
  )
    throws(ModelError)
  {
    var written = [Bool](repeating: false, count: tensors.count)
    for index in inputs {
      guard index >= 0 else {
        throw ModelError(.malformed, at: "subgraph 0 inputs", "an input index is -1")
      }
      guard !tensors[index].isConstant else {
        throw ModelError(
          .unsupportedModelStructure, at: "subgraph 0 inputs", "input tensor \(index) is a constant"
        )
      }
      written[index] = true
    }
    // Index loops rather than `enumerated()`: a tuple of a non-trivial struct would make the
    // runtime instantiate (and keep) its metadata while loading.
    for opIndex in operators.indices {
      let op = operators[opIndex]
      let location = "subgraph 0, operator \(opIndex) (\(op.op.name))"
      for input in op.inputs where input >= 0 {
        guard tensors[input].isConstant || written[input] else {
          throw ModelError(
            .unsupportedModelStructure, at: location,
            "reads tensor \(input) '\(tensors[input].name)' before any operator writes it")
        }
      }
      for output in op.outputs {
        guard !tensors[output].isConstant, !written[output] else {
          throw ModelError(
            .unsupportedModelStructure, at: location,
            "writes tensor \(output) '\(tensors[output].name)', which is a constant or already written"
          )
        }
        guard !tensors[output].isVariable else {
          throw ModelError(
            .unsupportedModelStructure, at: location, "variable tensors are not supported")
        }
        written[output] = true
      }
    }
    for output in outputs {
      guard output >= 0, written[output] else {
        throw ModelError(
          .unsupportedModelStructure, at: "subgraph 0 outputs",
          "output tensor \(output) is never written")
      }
    }
  }
}
