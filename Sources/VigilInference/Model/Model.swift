/// The quantization of a tensor: `real = scale × (q − zeroPoint)`, per tensor or per channel.
public struct Quantization: Equatable, Sendable {
  /// One scale per tensor, or one per channel along ``quantizedDimension``.
  public var scales: [Float]
  /// One zero point per scale.
  public var zeroPoints: [Int64]
  /// The axis the per-channel scales run along.
  public var quantizedDimension: Int

  /// The single scale of a per-tensor quantization.
  public var scale: Float { scales[0] }
  /// The single zero point of a per-tensor quantization.
  public var zeroPoint: Int32 { Int32(truncatingIfNeeded: zeroPoints[0]) }
  /// Whether there is one scale per channel.
  public var isPerChannel: Bool { scales.count > 1 }
}

/// One tensor of the model's subgraph, as the verifier decoded it.
public struct TensorInfo {
  /// The tensor's name in the file (for messages and `inspect`).
  public var name: String
  /// Dimensions, outermost first.
  public var shape: [Int]
  /// Element type.
  public var type: TensorType
  /// Quantization parameters, when the file has any.
  public var quantization: Quantization?
  /// The constant data (weights, biases, shape operands), or `nil` for activations.
  public var constantData: UnsafeRawBufferPointer?
  /// Whether the file marks the tensor variable (state); Vigil supports none.
  public var isVariable: Bool

  /// Number of elements.
  public var elementCount: Int { shape.reduce(1, *) }
  /// Size of the data in bytes.
  public var byteCount: Int { elementCount * (type.byteSize ?? 0) }
  /// Whether the data is constant in the file.
  public var isConstant: Bool { constantData != nil }
}

/// One operator of the model's subgraph, as the verifier decoded it.
public struct OperatorInfo {
  /// The builtin operator.
  public var op: BuiltinOperator
  /// The operator version recorded in the file.
  public var version: Int32
  /// Input tensor indices; -1 marks an omitted optional input.
  public var inputs: [Int]
  /// Output tensor indices.
  public var outputs: [Int]
  /// The builtin options table, when present.
  var options: Table?
  /// The union type of the options table (`BuiltinOptions`).
  var optionsType: UInt8
}

/// A verified TFLite model: the single subgraph's tensors and operators, decoded from the
/// flatbuffer with every offset, length, index, shape, type and buffer size checked.
///
/// The model reads from `bytes` and keeps pointers into it for constant data: the caller keeps
/// the bytes alive and unchanged while the model or any ``Interpreter`` made from it is in use.
/// A `Model` is only needed while preparing an interpreter; it can be released afterwards.
public struct Model {
  /// The model's tensors in file order.
  public private(set) var tensors: [TensorInfo]
  /// The model's operators in execution order.
  public private(set) var operators: [OperatorInfo]
  /// Indices of the subgraph's input tensors.
  public private(set) var inputs: [Int]
  /// Indices of the subgraph's output tensors.
  public private(set) var outputs: [Int]
  /// The description string the converter wrote, if any.
  public private(set) var modelDescription: String?

  /// Weight tensors the interpreter has rearranged in place, when the model's bytes were handed
  /// over with ``init(exclusiveBytes:)``; `nil` when the bytes are read-only.
  let rearrangement: WeightRearrangement?

  /// Verifies and decodes a TFLite flatbuffer whose bytes stay read-only.
  ///
  /// - Throws: ``ModelError`` naming the offset, operator or tensor at fault.
  public init(bytes: UnsafeRawBufferPointer) throws(ModelError) {
    try self.init(bytes: bytes, rearrangement: nil)
  }

  /// Verifies and decodes a TFLite flatbuffer whose bytes belong to this model alone.
  ///
  /// Interpreters made from it may rearrange constant weight tensors *in place* into the layout
  /// their fastest kernels read (for example CONV_2D filters transposed to input-major order on
  /// x86-64), which costs no memory. The bytes then no longer equal the file: no other `Model`
  /// may be made from them, and copies of this `Model` share the record of what was rearranged.
  public init(exclusiveBytes bytes: UnsafeMutableRawBufferPointer) throws(ModelError) {
    try self.init(bytes: UnsafeRawBufferPointer(bytes), rearrangement: WeightRearrangement())
  }

  private init(bytes: UnsafeRawBufferPointer, rearrangement: WeightRearrangement?)
    throws(ModelError)
  {
    self.rearrangement = rearrangement
    let reader = ModelReader(buffer: FlatBuffer(bytes: bytes))
    let decoded = try reader.read()
    tensors = decoded.tensors
    operators = decoded.operators
    inputs = decoded.inputs
    outputs = decoded.outputs
    modelDescription = decoded.description
  }
}

/// The record of weight tensors rearranged in place, shared by every copy of a ``Model`` made
/// with `init(exclusiveBytes:)`.
///
/// A plain list of integers rather than a dictionary: a model rearranges a handful of tensors,
/// and a dictionary's (or a tuple array's) storage type would make the runtime instantiate,
/// and keep, type metadata while loading.
final class WeightRearrangement {
  /// Pairs of (tensor index, layout code): −1 for `.innerMajor`, `C > 0` for
  /// `.multiplierMajor(depth: C)`.
  private var records: [Int] = []

  /// The layout of tensor `index`: `.file` unless it was rearranged.
  func layout(of index: Int) -> WeightLayout {
    var i = 0
    while i < records.count {
      if records[i] == index {
        return records[i + 1] < 0 ? .innerMajor : .multiplierMajor(depth: records[i + 1])
      }
      i += 2
    }
    return .file
  }

  /// Notes that tensor `index`, in `.file` layout until now, has been rearranged to `layout`.
  func record(_ index: Int, _ layout: WeightLayout) {
    switch layout {
    case .file: return
    case .innerMajor: records += [index, -1]
    case .multiplierMajor(let depth): records += [index, depth]
    }
  }
}

/// How a constant weight tensor's bytes are laid out.
enum WeightLayout: Equatable {
  /// As in the file: `[output channels][inner]`, the inner dimension contiguous.
  case file
  /// Transposed: `[inner][output channels]`, the output channels contiguous (CONV_2D's
  /// outer-product variant).
  case innerMajor
  /// A depthwise filter `[1, KH, KW, C·M]` (channel `c·M + m`) reordered within each tap to
  /// `[m][c]` for `C = depth` input channels (DEPTHWISE_CONV_2D with a depth multiplier above 1).
  case multiplierMajor(depth: Int)
}
