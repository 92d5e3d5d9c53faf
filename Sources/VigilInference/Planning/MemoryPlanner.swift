/// A buffer to place in the arena: its size and the operators during which it must hold data.
public struct PlannedBuffer: Equatable, Sendable {
  /// Size in bytes.
  public var size: Int
  /// The first operator index that writes or needs the buffer (-1 for model inputs).
  public var firstUse: Int
  /// The last operator index that reads it (`Int.max` for model outputs).
  public var lastUse: Int
  /// Where the planner placed it, from the arena start.
  public var offset: Int = 0

  /// Creates a buffer request.
  public init(size: Int, firstUse: Int, lastUse: Int) {
    self.size = size
    self.firstUse = firstUse
    self.lastUse = lastUse
  }

  /// Whether the two buffers hold data at the same time.
  func livesAlongside(_ other: PlannedBuffer) -> Bool {
    firstUse <= other.lastUse && other.firstUse <= lastUse
  }
}

/// Places buffers with overlapping lifetimes at disjoint offsets, reusing memory between
/// buffers that are never live together.
///
/// The plan is made once, at load. It tries several greedy orders (largest first, as TFLM's
/// `GreedyMemoryPlanner` does; longest-lived first; earliest first) and keeps the smallest
/// arena, so Vigil's arena is never larger than the greedy-by-size plan.
public enum MemoryPlanner {
  /// Every offset and size is a multiple of this (TFLM's `MicroArenaBufferAlignment`).
  public static let alignment = 16

  /// Rounds `size` up to the planner's alignment.
  public static func aligned(_ size: Int) -> Int { (size + alignment - 1) / alignment * alignment }

  /// Places `buffers` and returns them with offsets set, and the arena size the plan needs.
  public static func plan(_ buffers: [PlannedBuffer]) -> (buffers: [PlannedBuffer], arenaBytes: Int)
  {
    guard !buffers.isEmpty else { return ([], 0) }
    let indices = Array(buffers.indices)
    let orders: [[Int]] = [
      indices.sorted { (buffers[$0].size, -$0) > (buffers[$1].size, -$1) },
      indices.sorted {
        let a = buffers[$0]
        let b = buffers[$1]
        let spanA = a.lastUse == Int.max ? Int.max : a.lastUse - a.firstUse
        let spanB = b.lastUse == Int.max ? Int.max : b.lastUse - b.firstUse
        return (spanA, a.size, -$0) > (spanB, b.size, -$1)
      },
      indices.sorted {
        (buffers[$0].firstUse, -buffers[$0].size, $0) < (
          buffers[$1].firstUse, -buffers[$1].size, $1
        )
      },
    ]
    var best: [PlannedBuffer] = []
    var bestSize = Int.max
    for order in orders {
      let (placed, size) = placeGreedily(buffers, order: order)
      if size < bestSize {
        best = placed
        bestSize = size
      }
    }
    return (best, bestSize)
  }

  /// Places buffers in `order`, each at the lowest aligned offset where it overlaps no
  /// already-placed buffer that is live at the same time.
  static func placeGreedily(_ buffers: [PlannedBuffer], order: [Int]) -> ([PlannedBuffer], Int) {
    var result = buffers
    var placed: [Int] = []
    var arenaBytes = 0
    for index in order {
      let size = aligned(result[index].size)
      // Live neighbours (indices into `result`), sorted by offset. (Plain `Int` arrays: an
      // array of tuples would make the runtime instantiate, and keep, its metadata at load.)
      var occupied: [Int] = []
      for other in placed where result[other].livesAlongside(result[index]) {
        occupied.append(other)
      }
      occupied.sort { result[$0].offset < result[$1].offset }
      var candidate = 0
      for other in occupied {
        let start = result[other].offset
        if candidate + size <= start { break }
        candidate = Swift.max(candidate, start + aligned(result[other].size))
      }
      result[index].offset = candidate
      placed.append(index)
      arenaBytes = Swift.max(arenaBytes, candidate + size)
    }
    return (result, arenaBytes)
  }
}
