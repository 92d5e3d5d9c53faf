import Testing

@testable import VigilInference

/// The broadcast loop planner and walker shared by ADD, SUB and MUL, against a direct
/// index-by-index evaluation of numpy's broadcasting rule.
@Suite struct BroadcastTests {
  /// Records which operand elements each output element was computed from.
  struct Pair: Int8BinaryArithmetic {
    func left(_ a: Int8) -> Int32 { Int32(a) &* 16 }
    func right(_ b: Int8) -> Int32 { Int32(b) }
    func combine(_ left: Int32, _ right: Int32) -> Int8 { Int8(truncatingIfNeeded: left &+ right) }
  }

  /// Output element `i`'s operand indices, computed the slow, obvious way.
  static func reference(_ a: [Int], _ b: [Int], _ out: [Int]) -> [(Int, Int)] {
    let rank = out.count
    let pa = [Int](repeating: 1, count: rank - a.count) + a
    let pb = [Int](repeating: 1, count: rank - b.count) + b
    var result: [(Int, Int)] = []
    let total = out.reduce(1, *)
    for flat in 0..<total {
      var rest = flat
      var index = [Int](repeating: 0, count: rank)
      for axis in stride(from: rank - 1, through: 0, by: -1) {
        index[axis] = rest % out[axis]
        rest /= out[axis]
      }
      var ia = 0
      var ib = 0
      for axis in 0..<rank {
        ia = ia * pa[axis] + (pa[axis] == 1 ? 0 : index[axis])
        ib = ib * pb[axis] + (pb[axis] == 1 ? 0 : index[axis])
      }
      result.append((ia, ib))
    }
    return result
  }

  @Test(arguments: [
    ([1, 4, 1, 3], [1, 1, 5, 3]), ([2, 3, 4], [2, 3, 4]), ([], [2, 3]), ([3], [2, 1]),
    ([1, 2, 3, 1, 4], [2, 1, 1, 5, 1]), ([1, 2, 3, 1, 4, 2], [2, 1, 1, 5, 1, 1]), ([1], [1]),
    ([5, 1, 1], [1, 1, 7]), ([2, 1, 3, 1], [1, 4, 1, 5]), ([1, 1, 1], [1]),
    ([2, 1, 2, 1, 2, 1, 2, 1], [1, 2, 1, 2, 1, 2, 1, 2]), ([3, 1, 4], [1, 1, 2, 1, 1, 1]),
    // Channel broadcasts (the periodic strategy), under and over one 16-lane block, with and
    // without a whole number of blocks.
    ([4, 3], [3]), ([7, 3], [3]), ([5], [6, 5]), ([10, 15], [15]), ([8, 4], [1, 4]),
    // Runs of 16 or more, repeated operands, and short repeated runs (staged).
    ([3, 20], [1, 20]), ([40], [1]), ([1], [33]), ([2, 1, 17], [1, 3, 17]), ([9, 1], [9, 9]),
  ])
  func walkerVisitsTheSameOperandElementsAsNumpyBroadcasting(a: [Int], b: [Int]) throws {
    let out = try #require(BroadcastLoops.broadcastShape(a, b))
    let loops = try #require(BroadcastLoops(a: a, b: b, output: out))
    let countA = a.reduce(1, *)
    let countB = b.reduce(1, *)
    // Element values small enough that (a·16 + b) identifies the pair for counts up to 8 × 16.
    var left = (0..<countA).map { Int8($0 % 8) }
    var right = (0..<countB).map { Int8($0 % 16) }
    var output = [Int8](repeating: 0, count: out.reduce(1, *))
    left.withUnsafeMutableBufferPointer { pa in
      right.withUnsafeMutableBufferPointer { pb in
        output.withUnsafeMutableBufferPointer { po in
          loops.run(Pair(), pa.baseAddress!, pb.baseAddress!, po.baseAddress!)
        }
      }
    }
    let expected = Self.reference(a, b, out).map { Int8(($0.0 % 8) * 16 + $0.1 % 16) }
    #expect(output == expected)
  }

  @Test func broadcastPlanFusesAxesThatStepAlike() throws {
    let same = try #require(BroadcastLoops(a: [2, 3, 4], b: [2, 3, 4], output: [2, 3, 4]))
    #expect(same.innerCount == 24 && same.inner == .dense && same.outerCount == 0)
    let cross = try #require(
      BroadcastLoops(a: [1, 4, 1, 3], b: [1, 1, 5, 3], output: [1, 4, 5, 3]))
    #expect(cross.innerCount == 3 && cross.inner == .dense && cross.outerCount == 2)
    let scalar = try #require(BroadcastLoops(a: [], b: [2, 3], output: [2, 3]))
    #expect(scalar.innerCount == 6 && scalar.inner == .repeatA && scalar.outerCount == 0)
  }

  @Test func channelBroadcastsRunPeriodicallyAndOtherShortRunsAreStaged() throws {
    func strategy(_ a: [Int], _ b: [Int]) throws -> BroadcastLoops.Strategy {
      let out = try #require(BroadcastLoops.broadcastShape(a, b))
      return try #require(BroadcastLoops(a: a, b: b, output: out)).strategy
    }
    #expect(try strategy([1, 4, 6, 3], [3]) == .periodicB)
    #expect(try strategy([9], [1, 2, 9]) == .periodicA)
    #expect(try strategy([1, 3, 5, 4], [1, 1, 1, 4]) == .periodicB)
    #expect(try strategy([3, 20], [1, 20]) == .runs)
    #expect(try strategy([2, 3, 4], [2, 3, 4]) == .runs)
    #expect(try strategy([1, 4, 1, 3], [1, 1, 5, 3]) == .staged)
    #expect(try strategy([9, 1], [9, 9]) == .staged)
  }

  @Test func incompatibleShapesAndWrongOutputShapesHaveNoPlan() {
    #expect(BroadcastLoops.broadcastShape([2, 3], [4, 3]) == nil)
    #expect(BroadcastLoops(a: [2, 3], b: [3], output: [3, 2]) == nil)
    #expect(BroadcastLoops(a: [2, 3], b: [3], output: [2, 3, 1]) == nil)
    #expect(BroadcastLoops(a: [2, 3], b: [3], output: [1, 2, 3]) != nil)
  }
}
