/// The checked operands of an element-wise int8 binary operator (ADD, SUB, MUL): two int8
/// inputs quantized per tensor, an int8 output of their broadcast shape, and the output's fused
/// activation range.
struct BinaryOperands {
  /// Tensor indices of the two inputs and the output.
  let input1: Int, input2: Int, output: Int
  /// Per-tensor quantization of the two inputs and the output.
  let quantization1: (scale: Float, zeroPoint: Int32)
  let quantization2: (scale: Float, zeroPoint: Int32)
  let outputQuantization: (scale: Float, zeroPoint: Int32)
  /// The output clamp of the fused activation, in the output's quantized domain.
  let activationMin: Int32, activationMax: Int32
  /// The broadcast walk over the operands.
  let loops: BroadcastLoops

  /// Checks operand counts, types, quantization, broadcast shapes and options (union type
  /// `optionsType` named `optionsName`, whose field 0 is the fused activation).
  init(_ context: PrepareContext, optionsType: UInt8, optionsName: StaticString) throws(ModelError)
  {
    try context.expectInputs(2)
    let a = try context.input(0)
    let b = try context.input(1)
    let out = context.output
    try context.expectType(a, .int8, "input 1")
    try context.expectType(b, .int8, "input 2")
    try context.expectType(out, .int8, "output")
    guard
      let loops = BroadcastLoops(a: a.shape, b: b.shape, output: out.shape)
    else {
      if let shape = BroadcastLoops.broadcastShape(a.shape, b.shape) {
        throw context.error(
          .invalidShape,
          "output shape \(out.shape) is not the broadcast shape \(shape) of inputs \(a.shape) and \(b.shape)"
        )
      }
      throw context.error(
        .invalidShape, "input shapes \(a.shape) and \(b.shape) are not broadcast-compatible")
    }
    let options = try context.options(optionsType, "\(optionsName)")
    let code = try options?.i8(0, default: 0, optionsName) ?? 0
    let activation = try FusedActivation(code: code, context: context)

    quantization1 = try context.positiveScaleQuantization(a, "input 1")
    quantization2 = try context.positiveScaleQuantization(b, "input 2")
    outputQuantization = try context.positiveScaleQuantization(out, "output")
    let range = activation.int8Range(
      scale: outputQuantization.scale, zeroPoint: outputQuantization.zeroPoint)
    activationMin = range.min
    activationMax = range.max
    input1 = try context.inputIndex(0)
    input2 = try context.inputIndex(1)
    output = context.outputIndex
    self.loops = loops
  }
}
