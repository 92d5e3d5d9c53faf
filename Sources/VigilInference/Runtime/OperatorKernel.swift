/// One prepared operator: validated and parameterised at load, then run by ``Interpreter``.
///
/// A kernel is created by its operator's `prepare` function, which checks every operand and
/// computes everything that does not depend on the data (multipliers, shapes, loop bounds).
/// After the memory plan is fixed the interpreter calls ``bind(_:)`` once with the addresses of
/// the kernel's tensors; ``invoke()`` then only reads inputs and writes outputs: it never
/// allocates, never fails, and never touches memory outside its operands.
///
/// Kernels are subclasses rather than conforming types so that an interpreter can chain them
/// through ``next``: a list of existentials would cost an array and, while loading, the
/// runtime's metadata for its element and storage types.
class OperatorKernel {
  /// The kernel that runs after this one. (Final and unchecked for exclusivity, so following
  /// the chain at invoke costs neither a call, an access check nor reference counting.)
  @exclusivity(unchecked) final var next: OperatorKernel?

  init() {}

  /// Resolves tensor and scratch addresses; called once, after planning.
  func bind(_ memory: TensorMemory) {}
  /// Runs the operator.
  func invoke() {}

  /// The kernels from `first` along ``next``, in order (for tests and reports; invoking follows
  /// the chain itself).
  static func chain(from first: OperatorKernel?) -> [OperatorKernel] {
    var result: [OperatorKernel] = []
    var kernel = first
    while let current = kernel {
      result.append(current)
      kernel = current.next
    }
    return result
  }
}

/// Addresses of every tensor and scratch buffer, available while kernels are bound.
///
/// Addresses are held as integer bit patterns (0 for a tensor with no data): arrays of optional
/// pointers would make the runtime instantiate, and keep, their metadata while loading.
struct TensorMemory {
  /// Arena address of each tensor, or its constant data, by tensor index.
  let tensorAddresses: [Int]
  /// Arena address of each scratch buffer, by scratch index.
  let scratchAddresses: [Int]

  /// The address of tensor `index`'s data.
  func address(_ index: Int) -> UnsafeMutableRawPointer {
    UnsafeMutableRawPointer(bitPattern: tensorAddresses[index])!
  }

  /// The address of tensor `index`'s data as int8 elements.
  func int8(_ index: Int) -> UnsafeMutablePointer<Int8> {
    address(index).assumingMemoryBound(to: Int8.self)
  }

  /// The address of scratch buffer `index`.
  func scratch(_ index: Int) -> UnsafeMutableRawPointer {
    UnsafeMutableRawPointer(bitPattern: scratchAddresses[index])!
  }

  /// The address of tensor `index`'s data (kernels keep indices as `Int32`).
  func address(_ index: Int32) -> UnsafeMutableRawPointer { address(Int(index)) }

  /// The address of tensor `index`'s data as int8 elements.
  func int8(_ index: Int32) -> UnsafeMutablePointer<Int8> { int8(Int(index)) }

  /// The address of scratch buffer `index`.
  func scratch(_ index: Int32) -> UnsafeMutableRawPointer { scratch(Int(index)) }
}
