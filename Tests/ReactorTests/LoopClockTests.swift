import Foundation
import Synchronization
import Testing

@testable import Reactor

@Suite("A loop's round time")
struct LoopClockTests {
    /// Readings taken on the loop; written there, read once `done` says it finished.
    final class Readings: @unchecked Sendable {
        var round: [UInt64] = []
        var fresh: [UInt64] = []
        var nextRound: UInt64 = 0
        let done = Atomic<Bool>(false)
    }

    private static func busy(nanoseconds: UInt64) {
        let start = EventLoop.freshMonotonicNanoseconds()
        while EventLoop.freshMonotonicNanoseconds() - start < nanoseconds {}
    }

    /// On a loop, every read in one round is the round's time, however long the round's work
    /// takes; the next round reads a later time; the fresh clock moves within a round.
    @Test func oneRoundReadsOneTime() throws {
        let running = try RunningLoop()
        defer { running.stop() }
        let loop = running.loop
        let readings = Readings()
        let before = EventLoop.monotonicNanoseconds()
        loop.execute {
            readings.round.append(EventLoop.monotonicNanoseconds())
            readings.fresh.append(EventLoop.freshMonotonicNanoseconds())
            Self.busy(nanoseconds: 2_000_000)
            readings.round.append(EventLoop.monotonicNanoseconds())
            readings.fresh.append(EventLoop.freshMonotonicNanoseconds())
            _ = loop.schedule(afterNanoseconds: 1_000_000) {
                readings.nextRound = EventLoop.monotonicNanoseconds()
                readings.done.store(true, ordering: .releasing)
            }
        }
        let finished = RunningLoop.wait { readings.done.load(ordering: .acquiring) }
        #expect(finished)
        #expect(readings.round.count == 2 && readings.round[0] == readings.round[1])
        #expect(readings.fresh.count == 2 && readings.fresh[1] - readings.fresh[0] >= 2_000_000)
        #expect(readings.round[0] >= before)
        #expect(readings.nextRound >= readings.round[0] + 2_000_000)
    }

    /// Off a loop's thread the clock is read afresh each time.
    @Test func offALoopEachReadIsFresh() {
        let first = EventLoop.monotonicNanoseconds()
        Self.busy(nanoseconds: 1_000_000)
        #expect(EventLoop.monotonicNanoseconds() - first >= 1_000_000)
    }
}
