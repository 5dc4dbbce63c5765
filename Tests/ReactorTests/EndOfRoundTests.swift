import Foundation
import Synchronization
import Testing

@testable import Reactor

@Suite("Work at the end of a loop's round")
struct EndOfRoundTests {
    /// What the loop did, in order; written on the loop, read once `done` says it finished.
    final class Record: @unchecked Sendable {
        var order: [String] = []
        let done = Atomic<Bool>(false)
    }

    /// Work queued in a round, and work that work queues, runs before the loop waits again:
    /// with nothing else to wake the loop, a missed body would never run.
    @Test func runsBeforeTheLoopWaitsAgain() throws {
        let running = try RunningLoop()
        defer { running.stop() }
        let loop = running.loop
        let record = Record()
        loop.execute {
            loop.beforeWaiting {
                record.order.append("first")
                loop.beforeWaiting {
                    record.order.append("queued by first")
                    record.done.store(true, ordering: .releasing)
                }
            }
            record.order.append("task")
        }
        let finished = RunningLoop.wait { record.done.load(ordering: .acquiring) }
        #expect(finished)
        #expect(record.order == ["task", "first", "queued by first"])
    }
}
