import Foundation
import Testing

@testable import VigilInference

/// The stack row-buffer pooling loop (``PoolVectors/runRows(_:input:output:length:_:)``)
/// against a direct computation of TFLM's reference pooling, over many small geometries, with
/// the input and output placed against inaccessible pages so that a read or write outside them
/// crashes the test.
@Suite struct PoolRowsTests {
  /// Random geometries of 1-16 channels, SAME and VALID, sized so most fit the row buffer; the
  /// input either ends at or starts at a page boundary next to a protected page.
  @Test(arguments: [true, false])
  func matchesTheReferenceWithoutTouchingBytesOutsideTheTensors(inputAtPageEnd: Bool) throws {
    var random = SystemRandomNumberGenerator()
    var checked = 0
    for _ in 0..<3000 {
      let depth = Int.random(in: 1...16, using: &random)
      let g = PoolGeometry(
        batches: Int.random(in: 1...2, using: &random),
        inputHeight: Int.random(in: 1...8, using: &random),
        inputWidth: Int.random(in: 1...12, using: &random), depth: depth,
        filterHeight: Int.random(in: 1...4, using: &random),
        filterWidth: Int.random(in: 1...4, using: &random),
        strideHeight: Int.random(in: 1...3, using: &random),
        strideWidth: Int.random(in: 1...3, using: &random),
        padding: Bool.random(using: &random) ? .same : .valid)
      guard g.outputHeight > 0, g.outputWidth > 0,
        (0..<Int(g.outputHeight)).allSatisfy({ !g.rowRange($0).isEmpty }),
        (0..<Int(g.outputWidth)).allSatisfy({ !g.columnRange($0).isEmpty })
      else { continue }
      let length = Int(PoolVectors.lineLength(g))
      guard length != 0 else { continue }
      let inputCount = Int(g.batches * g.inputHeight * g.inputWidth * g.depth)
      let outputCount = Int(g.batches * g.outputHeight * g.outputWidth * g.depth)
      let values = (0..<inputCount).map { _ in Int8.random(in: .min ... .max, using: &random) }
      for average in [true, false] {
        let expected = Self.reference(g, values, average: average)
        let produced = try Guarded.run(
          input: values, outputCount: outputCount, inputAtPageEnd: inputAtPageEnd
        ) { input, output in
          Self.runRows(g, input: input, output: output, length: length, average: average)
        }
        #expect(produced == expected, "\(g), average: \(average)")
        checked += 1
      }
    }
    #expect(checked > 1000)
  }

  /// Runs ``PoolVectors/runRows(_:input:output:length:_:)`` with the lanes the kernels pick.
  static func runRows(
    _ g: PoolGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
    length: Int, average: Bool
  ) {
    func run<Lanes: SIMD, Wide: SIMD>(_: Lanes.Type, _: Wide.Type)
    where Lanes.Scalar == Int8, Wide.Scalar == Int32 {
      if average {
        PoolVectors.runRows(
          g, input: input, output: output, length: length,
          Averages<Lanes, Wide>(low: -128, high: 127))
      } else {
        PoolVectors.runRows(
          g, input: input, output: output, length: length,
          Maxima<Lanes, Wide>(low: -128, high: 127))
      }
    }
    switch PoolVectors.lanes(depth: Int(g.depth)) {
    case 4: run(SIMD4<Int8>.self, SIMD4<Int32>.self)
    case 8: run(SIMD8<Int8>.self, SIMD8<Int32>.self)
    default: run(SIMD16<Int8>.self, SIMD16<Int32>.self)
    }
  }

  /// TFLM's `reference_integer_ops::AveragePool` / `MaxPool` over the in-image pixels.
  static func reference(_ g: PoolGeometry, _ input: [Int8], average: Bool) -> [Int8] {
    let (h, w, d) = (Int(g.inputHeight), Int(g.inputWidth), Int(g.depth))
    var output: [Int8] = []
    for b in 0..<Int(g.batches) {
      for outY in 0..<Int(g.outputHeight) {
        for outX in 0..<Int(g.outputWidth) {
          for c in 0..<d {
            var sum: Int32 = 0
            var largest = Int32.min
            var count: Int32 = 0
            for y in g.rowRange(outY) {
              for x in g.columnRange(outX) {
                let v = Int32(input[((b * h + y) * w + x) * d + c])
                sum += v
                largest = max(largest, v)
                count += 1
              }
            }
            let value = average ? (sum > 0 ? sum + count / 2 : sum - count / 2) / count : largest
            output.append(Int8(value))
          }
        }
      }
    }
    return output
  }
}

/// Memory next to inaccessible pages.
enum Guarded {
  /// Copies `input` into memory that ends (or starts) at a protected page, runs `body` with
  /// it and an `outputCount`-byte output that ends at a protected page, and returns the output.
  static func run(
    input: [Int8], outputCount: Int, inputAtPageEnd: Bool,
    _ body: (UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void
  ) throws -> [Int8] {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let dataPages = (max(input.count, outputCount) + page - 1) / page
    // guard | input pages | guard | output pages | guard
    let total = (3 + 2 * dataPages) * page
    guard let base = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      base != MAP_FAILED
    else { throw CocoaError(.fileReadUnknown) }
    defer { munmap(base, total) }
    let bytes = base.assumingMemoryBound(to: Int8.self)
    for guardPage in [0, 1 + dataPages, 2 + 2 * dataPages] {
      mprotect(base + guardPage * page, page, PROT_NONE)
    }
    let inputStart =
      inputAtPageEnd ? bytes + (1 + dataPages) * page - input.count : bytes + page
    inputStart.update(from: input, count: input.count)
    let outputStart = bytes + (2 + 2 * dataPages) * page - outputCount
    body(UnsafePointer(inputStart), outputStart)
    return Array(UnsafeBufferPointer(start: outputStart, count: outputCount))
  }
}
