import Foundation
import Testing

@testable import VigilInference

/// Small models made by Tools/fixtures/loader_fixtures.py (TensorFlow 2.21 converter, TFLM goldens).
enum LoaderFixture {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/loader")
  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
  }
}

/// Loads `bytes` and returns the error, or nil when the model loads.
private func loadError(_ bytes: [UInt8]) -> ModelError? {
  let file = AlignedBytes(bytes)
  do {
    _ = try Model(bytes: file.bytes)
    return nil
  } catch {
    return error
  }
}

/// Offsets of fields inside a model, found with the loader's own flatbuffer reader.
private struct FieldLocator {
  let buffer: FlatBuffer
  init(_ bytes: UnsafeRawBufferPointer) { buffer = FlatBuffer(bytes: bytes) }

  func operatorCodeVersionOffset(_ index: Int) throws -> Int? {
    let codes = try buffer.root().vector(Slot.Model.operatorCodes, elementSize: 4, "codes")!
    return try codes.table(index, "code").fieldOffset(Slot.OperatorCode.version, size: 4, "version")
  }

  func operatorInputsStart(_ index: Int) throws -> Int {
    let subgraph = try buffer.root().vector(Slot.Model.subgraphs, elementSize: 4, "subgraphs")!
      .table(0, "subgraph")
    let op = try subgraph.vector(Slot.SubGraph.operators, elementSize: 4, "operators")!.table(
      index, "op")
    return try op.vector(Slot.Operator.inputs, elementSize: 4, "inputs")!.start
  }

  func tensorShapeStart(_ index: Int) throws -> Int {
    let subgraph = try buffer.root().vector(Slot.Model.subgraphs, elementSize: 4, "subgraphs")!
      .table(0, "subgraph")
    let tensor = try subgraph.vector(Slot.SubGraph.tensors, elementSize: 4, "tensors")!.table(
      index, "tensor")
    return try tensor.vector(Slot.Tensor.shape, elementSize: 4, "shape")!.start
  }
}

private func patchInt32(_ bytes: inout [UInt8], at offset: Int, _ value: Int32) {
  withUnsafeBytes(of: value.littleEndian) { for i in 0..<4 { bytes[offset + i] = $0[i] } }
}

@Suite struct ModelLoaderTests {
  @Test func theDenseFixtureDecodesToTwoFullyConnectedOperators() throws {
    let file = AlignedBytes(try LoaderFixture.bytes("dense.tflite"))
    let model = try Model(bytes: file.bytes)
    #expect(model.operators.map(\.op) == [.fullyConnected, .fullyConnected])
    #expect(model.tensors[model.inputs[0]].shape == [1, 10])
    #expect(model.tensors[model.inputs[0]].type == .int8)
    #expect(model.tensors[model.outputs[0]].shape == [1, 3])
  }

  @Test(arguments: ["dense", "conv"])
  func fixtureModelsMatchTensorFlowLiteMicroBitForBit(_ name: String) throws {
    let file = AlignedBytes(try LoaderFixture.bytes(name + ".tflite"))
    let inputs = try LoaderFixture.bytes(name + ".input.bin")
    let expected = try LoaderFixture.bytes(name + ".output.bin")
    let interpreter = try Interpreter(model: try Model(bytes: file.bytes))
    let input = interpreter.inputs[0].data
    let output = interpreter.outputs[0].data
    var actual: [UInt8] = []
    for start in stride(from: 0, to: inputs.count, by: input.count) {
      inputs.withUnsafeBytes {
        input.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + input.count)]))
      }
      interpreter.invoke()
      actual += Array(output)
    }
    #expect(actual == expected)
  }

  @Test func everyTruncationOfAModelIsRefusedWithATypedError() throws {
    let bytes = try LoaderFixture.bytes("conv.tflite")
    var loaded: [Int] = []
    for length in 0..<bytes.count where loadError(Array(bytes[0..<length])) == nil {
      loaded.append(length)
    }
    #expect(loaded.isEmpty, "prefixes of these lengths loaded: \(loaded.prefix(5))")
    let error = loadError(Array(bytes[0..<(bytes.count / 2)]))
    #expect(error?.kind == .truncated || error?.kind == .malformed)
  }

  @Test func aFileThatIsNotTFLiteSaysSo() throws {
    var bytes = try LoaderFixture.bytes("dense.tflite")
    bytes.replaceSubrange(4..<8, with: Array("PK\u{3}\u{4}".utf8))
    let error = loadError(bytes)
    #expect(error?.kind == .notTFLite)
    #expect(error?.description.contains("expected 'TFL3'") == true)
    #expect(loadError([1, 2, 3])?.kind == .truncated)
  }

  @Test func anUnsupportedOperatorIsNamedInTheError() throws {
    let error = loadError(try LoaderFixture.bytes("space_to_batch.tflite"))
    #expect(error?.kind == .unsupportedOperator)
    #expect(
      error?.description.contains("SPACE_TO_BATCH_ND") == true, "\(String(describing: error))")
  }

  @Test func anOperatorVersionBeyondWhatVigilImplementsIsRefused() throws {
    var bytes = try LoaderFixture.bytes("dense.tflite")
    let file = AlignedBytes(bytes)
    let offset = try #require(try FieldLocator(file.bytes).operatorCodeVersionOffset(0))
    patchInt32(&bytes, at: offset, 99)
    let error = loadError(bytes)
    #expect(error?.kind == .unsupportedOperatorVersion)
    #expect(error?.description.contains("version 99") == true)
  }

  @Test func aTensorIndexOutsideTheSubgraphIsRefused() throws {
    var bytes = try LoaderFixture.bytes("dense.tflite")
    let file = AlignedBytes(bytes)
    patchInt32(&bytes, at: try FieldLocator(file.bytes).operatorInputsStart(0), 1000)
    let error = loadError(bytes)
    #expect(error?.kind == .tensorIndexOutOfRange)
    #expect(error?.description.contains("1000") == true)
  }

  @Test func aConstantWhoseBufferDoesNotMatchItsShapeIsRefused() throws {
    let original = try LoaderFixture.bytes("dense.tflite")
    let file = AlignedBytes(original)
    let model = try Model(bytes: file.bytes)
    let weights = try #require(model.tensors.firstIndex { $0.isConstant && $0.type == .int8 })
    var bytes = original
    // [7, 10] → [7, 11]
    patchInt32(&bytes, at: try FieldLocator(file.bytes).tensorShapeStart(weights) + 4, 11)
    let error = loadError(bytes)
    #expect(error?.kind == .bufferSizeMismatch, "\(String(describing: error))")
    #expect(error?.description.contains("tensor \(weights)") == true)
  }

  @Test func anArenaOneByteTooSmallIsRefusedWithTheSizeNeeded() throws {
    let file = AlignedBytes(try LoaderFixture.bytes("conv.tflite"))
    let model = try Model(bytes: file.bytes)
    let needed = try Interpreter.requiredArenaBytes(for: model)
    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: needed, alignment: 16)
    defer { arena.deallocate() }
    #expect(throws: ModelError.self) {
      try Interpreter(
        model: model, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<(needed - 1)]))
    }
    do {
      _ = try Interpreter(
        model: model, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<(needed - 1)]))
    } catch {
      #expect(error.kind == .arenaTooSmall)
      #expect(error.description.contains("needs \(needed) bytes"))
    }
    _ = try Interpreter(model: model, arena: arena)
  }

  @Test func randomByteMutationsEitherLoadAndRunOrAreRefusedWithATypedError() throws {
    var seed: UInt64 = 0xC0FFEE
    func next() -> UInt64 {
      seed ^= seed << 13
      seed ^= seed >> 7
      seed ^= seed << 17
      return seed
    }
    for name in ["dense.tflite", "conv.tflite"] {
      let original = try LoaderFixture.bytes(name)
      var refused = 0
      var ran = 0
      for _ in 0..<1500 {
        var bytes = original
        for _ in 0..<(1 + Int(next() % 4)) {
          bytes[Int(next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: next())
        }
        let file = AlignedBytes(bytes)
        do {
          let model = try Model(bytes: file.bytes)
          guard try ArenaPlan(model: model).arenaBytes < 1 << 24 else { continue }
          let interpreter = try Interpreter(model: model)
          interpreter.invoke()
          ran += 1
        } catch {
          refused += 1
        }
      }
      #expect(refused + ran > 1000 && refused > 0, "\(name): \(refused) refused, \(ran) ran")
    }
  }
}
