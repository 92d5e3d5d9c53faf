/// One prepared operator: validated and parameterised at load, then run by ``Interpreter``.
///
/// A kernel is created by its operator's `prepare` function, which checks every operand and
/// computes everything that does not depend on the data (multipliers, shapes, loop bounds).
/// After the memory plan is fixed the interpreter calls ``bind(_:)`` once with the addresses of
/// the kernel's tensors; ``invoke()`` then only reads inputs and writes outputs: it never
/// allocates, never fails, and never touches memory outside its operands.
protocol OperatorKernel: AnyObject {
  /// Resolves tensor and scratch addresses; called once, after planning.
  func bind(_ memory: TensorMemory)
  /// Runs the operator.
  func invoke()
}

/// Addresses of every tensor and scratch buffer, available while kernels are bound.
struct TensorMemory {
  /// Arena address of each tensor, or its constant data, by tensor index.
  let tensorAddresses: [UnsafeMutableRawPointer?]
  /// Arena address of each scratch buffer, by scratch index.
  let scratchAddresses: [UnsafeMutableRawPointer]

  /// The address of tensor `index`'s data.
  func address(_ index: Int) -> UnsafeMutableRawPointer {
    tensorAddresses[index]!
  }

  /// The address of tensor `index`'s data as int8 elements.
  func int8(_ index: Int) -> UnsafeMutablePointer<Int8> {
    address(index).assumingMemoryBound(to: Int8.self)
  }

  /// The address of scratch buffer `index`.
  func scratch(_ index: Int) -> UnsafeMutableRawPointer { scratchAddresses[index] }
}
