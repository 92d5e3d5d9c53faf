/// A model input or output: where its bytes are in the arena and how to read them.
public struct TensorBinding {
  /// The tensor's bytes in the arena; valid for the interpreter's lifetime.
  public let data: UnsafeMutableRawBufferPointer
  /// The tensor's index in the model.
  public let index: Int
  /// Element type.
  public let type: TensorType
  /// Dimensions, outermost first.
  public let shape: TensorShape
  /// Quantization scale (1 when the tensor is not quantized).
  public let scale: Float
  /// Quantization zero point (0 when the tensor is not quantized).
  public let zeroPoint: Int32
}

/// The dimensions of a tensor (rank at most 8), held inline so an interpreter's input and output
/// descriptions cost no heap memory.
public struct TensorShape: RandomAccessCollection, Equatable, CustomStringConvertible {
  private var dimensions: SIMD8<Int32>
  /// The number of dimensions.
  public let rank: Int

  /// Creates a shape from its dimensions (at most 8, as the model verifier guarantees).
  public init(_ dims: [Int]) {
    precondition(dims.count <= 8, "TensorShape holds at most 8 dimensions")
    dimensions = SIMD8<Int32>()
    for (i, d) in dims.enumerated() { dimensions[i] = Int32(truncatingIfNeeded: d) }
    rank = dims.count
  }

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
    for (i, d) in enumerated() { text += (i == 0 ? "" : ", ") + String(d) }
    return text + "]"
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
  public let inputs: [TensorBinding]
  /// The model's outputs, in the model's order.
  public let outputs: [TensorBinding]

  private let kernels: [any OperatorKernel]
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
    for kernel in graph.kernels { kernel.bind(memory) }
    kernels = graph.kernels
    func binding(_ index: Int) -> TensorBinding {
      let tensor = model.tensors[index]
      return TensorBinding(
        data: UnsafeMutableRawBufferPointer(start: memory.address(index), count: tensor.byteCount),
        index: index, type: tensor.type, shape: TensorShape(tensor.shape),
        scale: tensor.quantization?.scale ?? 1, zeroPoint: tensor.quantization?.zeroPoint ?? 0)
    }
    inputs = model.inputs.map(binding)
    outputs = model.outputs.map(binding)
  }

  deinit { ownedArena?.deallocate() }

  /// Runs the model once on the current contents of the input tensors.
  public func invoke() {
    for kernel in kernels { kernel.invoke() }
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
    kernelCount = graph.kernels.count
    warnings = graph.warnings
  }
}
