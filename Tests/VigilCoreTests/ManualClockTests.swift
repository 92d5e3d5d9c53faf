import Testing
import VigilCore

@Suite struct ManualClockTests {
  @Test func advancingMovesTimeForwardByTheGivenDuration() {
    let clock = ManualClock()
    clock.advance(by: .milliseconds(1500))
    #expect(clock.now == Instant(nanoseconds: 1_500_000_000))
  }

  @Test func weCannotTimeTravelByAdvancingToThePast() {
    let clock = ManualClock(start: Instant(nanoseconds: 10))
    clock.advance(to: Instant(nanoseconds: 5))
    #expect(clock.now == Instant(nanoseconds: 10))
  }

  @Test func ringBufferCountsOverwritesWhenFull() {
    var ring = RingBuffer<Int>(capacity: 3)
    for value in 1...5 { ring.append(value) }
    #expect(ring.count == 3)
    #expect(ring.overwrittenCount == 2)
    #expect(ring.popFirst() == 3)
    #expect(ring[0] == 4)
  }
}
