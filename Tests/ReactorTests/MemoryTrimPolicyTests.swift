import Reactor
import Testing

@Suite struct MemoryTrimPolicyTests {
    /// Feeds the samples in order; which of them asked for a trim.
    private func trims(_ samples: [Int], minimumDrop: Int = 32) -> [Bool] {
        var policy = MemoryTrimPolicy(minimumDrop: minimumDrop)
        return samples.map { policy.sample(openConnections: $0) }
    }

    @Test func steadyLoadNeverTrims() {
        #expect(!trims(Array(repeating: 5_000, count: 1_000)).contains(true))
    }

    @Test func aBurstEndingTrimsWhenHalfTheConnectionsAreGone() {
        // After a trim the high-water mark restarts at 500: 400 is not half of it, 250 is.
        #expect(trims([1_000, 600, 500, 400, 250]) == [false, false, true, false, true])
    }

    @Test func smallDropsAreNotABurstEnding() {
        #expect(trims([40, 10]) == [false, false])
    }

    @Test func goingIdleTrimsOnceAfterActivity() {
        #expect(trims([0, 3, 0, 0]) == [false, false, true, false])
    }

    @Test func aTailStillOpenAtTheTrimTrimsAgainWhenItCloses() {
        // 20 left when the burst-ended trim ran: their transfers held the pool then.
        #expect(trims([1_000, 20, 0, 0]) == [false, true, true, false])
    }

    @Test func hostileCountsDoNotTrap() {
        #expect(trims([Int.min, Int.max, 0], minimumDrop: Int.min) == [false, false, true])
    }
}
