import Foundation
import VigilInference

/// What `vigil model inspect` prints: operators, tensors with quantization and arena offsets,
/// and the arena size.
struct ModelReport: Encodable {
  struct Operator: Encodable {
    let index: Int
    let op: String
    let version: Int32
    let inputs: [Int]
    let outputs: [Int]
  }
  struct Tensor: Encodable {
    let index: Int
    let name: String
    let type: String
    let shape: [Int]
    let bytes: Int
    let constant: Bool
    let arenaOffset: Int?
    let scales: [Float]?
    let zeroPoints: [Int64]?
    let quantizedDimension: Int?
  }

  let arenaBytes: Int?
  /// Why the model cannot be prepared to run, when it cannot.
  let error: String?
  /// What an engineer should know although the model runs.
  let warnings: [String]
  let ops: [String]
  let operators: [Operator]
  let tensors: [Tensor]
  let inputs: [Int]
  let outputs: [Int]
  let constantBytes: Int
  let scratchBytes: [Int]

  init(model: Model, plan: ArenaPlan?, error: String? = nil) {
    arenaBytes = plan?.arenaBytes
    self.error = error
    warnings = plan?.warnings ?? []
    ops = model.operators.map { $0.op.name }
    operators = model.operators.enumerated().map { index, op in
      Operator(
        index: index, op: op.op.name, version: op.version, inputs: op.inputs, outputs: op.outputs)
    }
    tensors = model.tensors.enumerated().map { index, t in
      Tensor(
        index: index, name: t.name, type: t.type.description, shape: t.shape, bytes: t.byteCount,
        constant: t.isConstant, arenaOffset: plan?.tensorOffsets[index] ?? nil,
        scales: t.quantization?.scales,
        zeroPoints: t.quantization?.zeroPoints,
        quantizedDimension: t.quantization.map { $0.isPerChannel ? $0.quantizedDimension : nil }
          ?? nil)
    }
    inputs = model.inputs
    outputs = model.outputs
    constantBytes = model.tensors.reduce(0) { $0 + ($1.isConstant ? $1.byteCount : 0) }
    scratchBytes = plan?.scratchBytes ?? []
  }

  func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  func text(path: String) -> String {
    var lines: [String] = []
    lines.append("\(path): \(operators.count) operators, \(tensors.count) tensors")
    if let arenaBytes {
      lines.append(
        "arena: \(arenaBytes) bytes (activations and scratch, planned at load); constants: \(constantBytes) bytes in the file"
      )
    } else {
      lines.append(
        "arena: not planned: the model cannot run in Vigil (\(error ?? "unknown reason"))")
    }
    for warning in warnings { lines.append("warning: \(warning)") }
    lines.append("inputs: \(inputs.map(describe).joined(separator: ", "))")
    lines.append("outputs: \(outputs.map(describe).joined(separator: ", "))")
    lines.append("")
    lines.append("operators:")
    for op in operators {
      lines.append(
        "  \(pad(String(op.index), 3)) \(pad(op.op, 18)) v\(op.version)  in \(op.inputs)  out \(op.outputs)"
      )
    }
    lines.append("")
    lines.append("tensors:")
    for t in tensors {
      var quant = ""
      if let scales = t.scales, let zeros = t.zeroPoints {
        quant =
          scales.count == 1
          ? "scale \(scales[0]) zero \(zeros[0])"
          : "per-channel (\(scales.count) scales on axis \(t.quantizedDimension ?? 0))"
      }
      let place = t.constant ? "constant" : t.arenaOffset.map { "arena @\($0)" } ?? "unused"
      lines.append(
        "  \(pad(String(t.index), 3)) \(pad(t.type, 8)) \(pad("\(t.shape)", 18)) \(pad(place, 14)) \(quant)  \(t.name)"
      )
    }
    return lines.joined(separator: "\n")
  }

  private func describe(_ index: Int) -> String {
    let t = tensors[index]
    return "#\(index) \(t.type) \(t.shape)"
  }

  private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}
