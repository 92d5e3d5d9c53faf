import Testing

@testable import VigilInference

@Suite struct MemoryPlannerTests {
  @Test func buffersThatAreNeverLiveTogetherShareMemory() {
    let (buffers, arena) = MemoryPlanner.plan([
      PlannedBuffer(size: 100, firstUse: 0, lastUse: 1),
      PlannedBuffer(size: 100, firstUse: 2, lastUse: 3),
    ])
    #expect(buffers[0].offset == 0 && buffers[1].offset == 0)
    #expect(arena == 112)
  }

  @Test func buffersLiveTogetherGetDisjointAlignedRanges() {
    let (buffers, arena) = MemoryPlanner.plan([
      PlannedBuffer(size: 10, firstUse: 0, lastUse: 2),
      PlannedBuffer(size: 40, firstUse: 1, lastUse: 3),
      PlannedBuffer(size: 20, firstUse: 2, lastUse: 2),
    ])
    #expect(arena == 16 + 48 + 32)
    for b in buffers { #expect(b.offset % MemoryPlanner.alignment == 0) }
    #expect(Set(buffers.map(\.offset)).count == 3)
  }

  @Test func randomPlansNeverOverlapLiveBuffersAndNeedAtLeastThePeakLiveSize() {
    var seed: UInt64 = 12345
    func next(_ bound: Int) -> Int {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((seed >> 33) % UInt64(bound))
    }
    for _ in 0..<200 {
      var requests: [PlannedBuffer] = []
      for _ in 0..<(1 + next(12)) {
        let first = next(10)
        requests.append(
          PlannedBuffer(size: 1 + next(500), firstUse: first, lastUse: first + next(5)))
      }
      let (placed, arena) = MemoryPlanner.plan(requests)
      for i in placed.indices {
        #expect(placed[i].offset + placed[i].size <= arena)
        for j in placed.indices where j > i && placed[i].livesAlongside(placed[j]) {
          let disjoint =
            placed[i].offset + placed[i].size <= placed[j].offset
            || placed[j].offset + placed[j].size <= placed[i].offset
          #expect(disjoint, "buffers \(i) and \(j) overlap")
        }
      }
      for step in 0..<16 {
        let live = requests.filter { $0.firstUse <= step && step <= $0.lastUse }.reduce(0) {
          $0 + MemoryPlanner.aligned($1.size)
        }
        #expect(arena >= live)
      }
    }
  }
}
