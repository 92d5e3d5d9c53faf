// libFuzzer entry point for the TFLite loader: every byte sequence must either load, plan and
// run, or be refused with a ModelError. Built and run by Tools/fuzz/run (ASan + libFuzzer).
// The module sources are compiled in directly (-module-name VigilInference), so no import.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  // Copy into a 16-byte-aligned buffer, as Vigil's loaders do.
  let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
  defer { buffer.deallocate() }
  buffer.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size))
  let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<size])
  guard let model = try? Model(bytes: bytes) else { return 0 }
  // Bound the work per input so the fuzzer explores structure, not huge tensors.
  guard let plan = try? ArenaPlan(model: model), plan.arenaBytes <= 4 << 20 else { return 0 }
  guard let interpreter = try? Interpreter(model: model) else { return 0 }
  for input in interpreter.inputs {
    for i in input.data.indices { input.data[i] = UInt8(truncatingIfNeeded: i &* 37) }
  }
  interpreter.invoke()
  return 0
}
