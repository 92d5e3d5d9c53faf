/// The result of preparing every operator of a model and planning its memory.
struct PreparedGraph {
  /// The first kernel to run; the others follow through ``OperatorKernel/next``, in order
  /// (operators that need no work, such as aliased reshapes, are left out).
  var firstKernel: OperatorKernel?
  /// The last kernel of the chain.
  private var lastKernel: OperatorKernel?
  /// The number of kernels in the chain.
  private(set) var kernelCount = 0
  /// Arena bytes the plan needs.
  var arenaBytes = 0
  /// Arena offset of each tensor's buffer (nil for constants and unused tensors).
  var tensorOffsets: [Int?]
  /// Constant data of each tensor.
  var constants: [UnsafeRawBufferPointer?]
  /// Arena offset of each scratch buffer.
  var scratchOffsets: [Int] = []
  /// Size of each scratch buffer.
  var scratchSizes: [Int] = []
  /// Warnings raised while preparing (see ``PrepareContext/warn(_:)``).
  var warnings: [String] = []

  init(model: Model, preferences: KernelPreferences = .platformDefault) throws(ModelError) {
    let tensorCount = model.tensors.count
    tensorOffsets = [Int?](repeating: nil, count: tensorCount)
    constants = model.tensors.map { $0.constantData }
    guard !model.inputs.isEmpty, !model.outputs.isEmpty else {
      throw ModelError(
        .unsupportedModelStructure, at: "subgraph 0", "the model has no inputs or no outputs")
    }

    // 1. Prepare every operator; note which outputs may share their input's memory.
    var scratchSizes: [Int] = []
    var scratchOwners: [Int] = []
    var aliasOf = [Int?](repeating: nil, count: tensorCount)
    // Index loops and plain arrays (not `enumerated()` or sets): their element types would make
    // the runtime instantiate, and keep, type metadata while loading.
    for index in model.operators.indices {
      let info = model.operators[index]
      var context = PrepareContext(
        model: model, index: index, info: info, scratchSizes: scratchSizes)
      context.preferences = preferences
      let prepared = try KernelRegistry.prepare(&context)
      warnings += context.warnings
      for _ in scratchSizes.count..<context.scratchSizes.count { scratchOwners.append(index) }
      scratchSizes = context.scratchSizes
      switch prepared {
      case .kernel(let kernel):
        append(kernel)
      case .alias(let input, let output, let copy):
        // Share memory unless the input is constant (the output must stay writable by the
        // caller) or a model input feeds a model output directly (writing the next input would
        // change the last output).
        let root = Self.root(of: input, aliasOf)
        if model.tensors[root].isConstant
          || (model.inputs.contains(root) && model.outputs.contains(output))
        {
          append(copy)
        } else {
          aliasOf[output] = root
        }
      }
    }

    // 2. Lifetimes of the arena buffers (one per tensor that is not constant or aliased).
    var firstUse = [Int](repeating: Int.max, count: tensorCount)
    var lastUse = [Int](repeating: Int.min, count: tensorCount)
    func touch(_ tensor: Int, _ at: Int) {
      let root = Self.root(of: tensor, aliasOf)
      guard !model.tensors[root].isConstant else { return }
      firstUse[root] = Swift.min(firstUse[root], at)
      lastUse[root] = Swift.max(lastUse[root], at)
    }
    for input in model.inputs { touch(input, -1) }
    for index in model.operators.indices {
      let info = model.operators[index]
      for tensor in info.inputs where tensor >= 0 { touch(tensor, index) }
      for tensor in info.outputs { touch(tensor, index) }
    }
    for output in model.outputs { touch(output, Int.max) }

    var requests: [PlannedBuffer] = []
    var owners: [Int] = []  // tensor index, or -(scratch index + 1)
    for tensor in 0..<tensorCount where firstUse[tensor] != Int.max && aliasOf[tensor] == nil {
      requests.append(
        PlannedBuffer(
          size: model.tensors[tensor].byteCount, firstUse: firstUse[tensor],
          lastUse: lastUse[tensor]))
      owners.append(tensor)
    }
    for (scratch, size) in scratchSizes.enumerated() where size > 0 {
      requests.append(
        PlannedBuffer(size: size, firstUse: scratchOwners[scratch], lastUse: scratchOwners[scratch])
      )
      owners.append(-(scratch + 1))
    }

    // 3. Plan.
    self.scratchSizes = scratchSizes
    let (placed, total) = MemoryPlanner.plan(requests)
    arenaBytes = total
    scratchOffsets = [Int](repeating: 0, count: scratchSizes.count)
    for (buffer, owner) in zip(placed, owners) {
      if owner >= 0 {
        tensorOffsets[owner] = buffer.offset
      } else {
        scratchOffsets[-owner - 1] = buffer.offset
      }
    }
    for tensor in 0..<tensorCount where aliasOf[tensor] != nil {
      tensorOffsets[tensor] = tensorOffsets[Self.root(of: tensor, aliasOf)]
    }
  }

  /// Adds `kernel` at the end of the chain.
  private mutating func append(_ kernel: OperatorKernel) {
    if let lastKernel { lastKernel.next = kernel } else { firstKernel = kernel }
    lastKernel = kernel
    kernelCount += 1
  }

  /// The kernels in order (for tests and reports; the interpreter follows the chain).
  var kernels: [OperatorKernel] { OperatorKernel.chain(from: firstKernel) }

  private static func root(of tensor: Int, _ aliasOf: [Int?]) -> Int {
    var current = tensor
    while let next = aliasOf[current] { current = next }
    return current
  }

  /// Tensor and scratch addresses for an arena starting at `arenaBase`.
  func memory(arenaBase: UnsafeMutableRawPointer) -> TensorMemory {
    let base = Int(bitPattern: arenaBase)
    var addresses: [Int] = []
    addresses.reserveCapacity(tensorOffsets.count)
    for tensor in tensorOffsets.indices {
      if let offset = tensorOffsets[tensor] {
        addresses.append(base + offset)
      } else if let constant = constants[tensor] {
        addresses.append(Int(bitPattern: constant.baseAddress))
      } else {
        addresses.append(0)
      }
    }
    var scratch: [Int] = []
    scratch.reserveCapacity(scratchOffsets.count)
    for offset in scratchOffsets { scratch.append(base + offset) }
    return TensorMemory(tensorAddresses: addresses, scratchAddresses: scratch)
  }
}
