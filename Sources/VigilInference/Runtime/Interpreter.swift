/// A model input or output: where its bytes are in the arena and how to read them.
///
/// 64 bytes, laid out so nothing is padded: an interpreter keeps one per input and output.
public struct TensorBinding {
  /// The tensor's bytes in the arena; valid for the interpreter's lifetime.
  public let data: UnsafeMutableRawBufferPointer
  /// Dimensions, outermost first.
  public let shape: TensorShape
  /// Element type.
  public let type: TensorType
  private let storedIndex: Int32
  /// Quantization scale (1 when the tensor is not quantized).
  public let scale: Float
  /// Quantization zero point (0 when the tensor is not quantized).
  public let zeroPoint: Int32

  /// The tensor's index in the model.
  public var index: Int { Int(storedIndex) }

  init(
    data: UnsafeMutableRawBufferPointer, index: Int, type: TensorType, shape: TensorShape,
    scale: Float, zeroPoint: Int32
  ) {
    self.data = data
    self.shape = shape
    self.type = type
    storedIndex = Int32(truncatingIfNeeded: index)
    self.scale = scale
    self.zeroPoint = zeroPoint
  }
}

/// The dimensions of a tensor (rank at most 8), held inline so an interpreter's input and output
/// descriptions cost no heap memory.
public struct TensorShape: RandomAccessCollection, Equatable, CustomStringConvertible {
  private var dimensions: InlineArray<8, Int32>
  private let storedRank: UInt8

  /// Creates a shape from its dimensions (at most 8, as the model verifier guarantees).
  public init(_ dims: [Int]) {
    precondition(dims.count <= 8, "TensorShape holds at most 8 dimensions")
    dimensions = InlineArray(repeating: 0)
    for i in dims.indices { dimensions[i] = Int32(truncatingIfNeeded: dims[i]) }
    storedRank = UInt8(dims.count)
  }

  /// The number of dimensions.
  public var rank: Int { Int(storedRank) }
  /// The first dimension's position (0).
  public var startIndex: Int { 0 }
  /// One past the last dimension's position (the rank).
  public var endIndex: Int { rank }
  /// Dimension `i`, outermost first.
  public subscript(i: Int) -> Int { Int(dimensions[i]) }
  /// The number of elements.
  public var elementCount: Int { reduce(1, *) }
  /// The shape as `[1, 32, 32, 8]`.
  public var description: String {
    var text = "["
    for i in indices { text += (i == 0 ? "" : ", ") + String(self[i]) }
    return text + "]"
  }

  /// Whether the two shapes have the same dimensions.
  public static func == (a: TensorShape, b: TensorShape) -> Bool {
    a.elementsEqual(b)
  }
}

/// A model's inputs or outputs, in the model's order, indexed from 0.
///
/// The bindings of all inputs and outputs live in one allocation the interpreter owns; this
/// view keeps the interpreter alive while it is used.
public struct TensorBindings: RandomAccessCollection {
  private let owner: Interpreter
  private let first: Int
  /// The number of bindings.
  public let count: Int

  fileprivate init(_ owner: Interpreter, first: Int, count: Int) {
    self.owner = owner
    self.first = first
    self.count = count
  }

  /// 0.
  public var startIndex: Int { 0 }
  /// The number of bindings.
  public var endIndex: Int { count }
  /// Binding `i`, in the model's order.
  public subscript(i: Int) -> TensorBinding {
    precondition(i >= 0 && i < count, "binding index out of range")
    return owner.bindings[first + i]
  }
}

/// Runs a verified model in a fixed arena.
///
/// All memory is planned when the interpreter is created: activations and scratch live in one
/// arena at offsets fixed by ``MemoryPlanner``, and each operator's parameters are computed
/// once. ``invoke()`` then performs no heap allocation and cannot fail: every shape, index and
/// type was checked while preparing.
///
/// ```swift
/// let model = try Model(bytes: fileBytes)
/// let interpreter = try Interpreter(model: model)
/// interpreter.inputs[0].data.copyMemory(from: sample)
/// interpreter.invoke()
/// let risk = interpreter.outputs[0].data
/// ```
public final class Interpreter {
  /// Bytes of arena the plan uses.
  public let arenaBytes: Int
  /// The model's inputs, in the model's order.
  public var inputs: TensorBindings { TensorBindings(self, first: 0, count: Int(inputCount)) }
  /// The model's outputs, in the model's order.
  public var outputs: TensorBindings {
    TensorBindings(self, first: Int(inputCount), count: Int(outputCount))
  }

  /// The inputs' bindings, then the outputs'.
  fileprivate let bindings: UnsafeMutablePointer<TensorBinding>
  private let inputCount: Int32, outputCount: Int32

  /// The first kernel; the rest follow through ``OperatorKernel/next``.
  private let firstKernel: OperatorKernel?
  /// The prepared kernels in order (tests check which variants were chosen).
  var kernels: [OperatorKernel] { OperatorKernel.chain(from: firstKernel) }
  private let ownedArena: UnsafeMutableRawPointer?

  /// Prepares `model` in an arena the interpreter allocates, of exactly the planned size.
  public convenience init(model: Model) throws(ModelError) {
    try self.init(model: model, preferences: .platformDefault)
  }

  /// Prepares `model` choosing kernel variants by `preferences` (tests run every variant).
  convenience init(model: Model, preferences: KernelPreferences) throws(ModelError) {
    let graph = try PreparedGraph(model: model, preferences: preferences)
    let arena = UnsafeMutableRawPointer.allocate(
      byteCount: Swift.max(graph.arenaBytes, 1), alignment: MemoryPlanner.alignment)
    self.init(graph: graph, model: model, arenaBase: arena, owned: true)
  }

  /// Prepares `model` in the caller's `arena`, which must stay valid for the interpreter's
  /// lifetime.
  ///
  /// - Throws: ``ModelError`` with kind `.arenaTooSmall` saying how many bytes are needed
  ///   (including any bytes needed to align the arena's start to 16 bytes).
  public convenience init(model: Model, arena: UnsafeMutableRawBufferPointer) throws(ModelError) {
    let graph = try PreparedGraph(model: model)
    let address = Int(bitPattern: arena.baseAddress)
    let slack =
      (MemoryPlanner.alignment - address % MemoryPlanner.alignment) % MemoryPlanner.alignment
    guard let base = arena.baseAddress, arena.count >= graph.arenaBytes + slack else {
      throw ModelError(
        .arenaTooSmall, at: "arena",
        "the model needs \(graph.arenaBytes + slack) bytes of arena (\(graph.arenaBytes) planned"
          + (slack > 0
            ? " + \(slack) to align the arena's start to \(MemoryPlanner.alignment) bytes" : "")
          + "); \(arena.count) were given")
    }
    self.init(graph: graph, model: model, arenaBase: base + slack, owned: false)
  }

  /// The arena size `model` needs, in bytes, for an arena whose start is 16-byte aligned.
  public static func requiredArenaBytes(for model: Model) throws(ModelError) -> Int {
    try PreparedGraph(model: model).arenaBytes
  }

  private init(graph: PreparedGraph, model: Model, arenaBase: UnsafeMutableRawPointer, owned: Bool)
  {
    arenaBytes = graph.arenaBytes
    ownedArena = owned ? arenaBase : nil
    let memory = graph.memory(arenaBase: arenaBase)
    var kernel = graph.firstKernel
    while let current = kernel {
      current.bind(memory)
      kernel = current.next
    }
    firstKernel = graph.firstKernel
    inputCount = Int32(model.inputs.count)
    outputCount = Int32(model.outputs.count)
    bindings = .allocate(capacity: model.inputs.count + model.outputs.count)
    for i in 0..<(model.inputs.count + model.outputs.count) {
      let index = i < model.inputs.count ? model.inputs[i] : model.outputs[i - model.inputs.count]
      let tensor = model.tensors[index]
      var scale: Float = 1
      var zeroPoint: Int32 = 0
      if let q = tensor.quantization {
        scale = q.scale
        zeroPoint = q.zeroPoint
      }
      (bindings + i).initialize(
        to: TensorBinding(
          data: UnsafeMutableRawBufferPointer(
            start: memory.address(index), count: tensor.byteCount),
          index: index, type: tensor.type, shape: TensorShape(tensor.shape), scale: scale,
          zeroPoint: zeroPoint))
    }
  }

  deinit {
    bindings.deinitialize(count: Int(inputCount + outputCount))
    bindings.deallocate()
    ownedArena?.deallocate()
  }

  /// Runs the model once on the current contents of the input tensors.
  public func invoke() {
    // Unretained traversal: the interpreter owns the chain for as long as it runs.
    var kernel = firstKernel.map { Unmanaged.passUnretained($0) }
    while let current = kernel {
      current._withUnsafeGuaranteedRef { $0.invoke() }
      kernel = current._withUnsafeGuaranteedRef { $0.next.map { Unmanaged.passUnretained($0) } }
    }
  }
}

/// Where the planner puts each tensor, for `vigil model inspect`.
public struct ArenaPlan {
  /// Total arena bytes needed.
  public let arenaBytes: Int
  /// Arena offset of each tensor by index; `nil` for constants and tensors never used.
  /// Tensors sharing memory (aliased reshapes) have the same offset.
  public let tensorOffsets: [Int?]
  /// Sizes of the scratch buffers operators use while they run.
  public let scratchBytes: [Int]
  /// Arena offsets of those scratch buffers.
  public let scratchOffsets: [Int]
  /// Number of operators that run at invoke (aliased reshapes cost nothing and are skipped).
  public let kernelCount: Int
  /// What an engineer should know about the model although it runs, such as places where
  /// TFLite Micro's arithmetic, which Vigil reproduces, differs from TensorFlow Lite's.
  public let warnings: [String]

  /// Prepares `model` and reports its memory plan without allocating an arena.
  public init(model: Model) throws(ModelError) {
    let graph = try PreparedGraph(model: model)
    arenaBytes = graph.arenaBytes
    tensorOffsets = graph.tensorOffsets
    scratchBytes = graph.scratchSizes
    scratchOffsets = graph.scratchOffsets
    kernelCount = graph.kernelCount
    warnings = graph.warnings
  }
}
