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
        let loop = try EventLoop()
        let thread = Thread { loop.run() }
        thread.start()
        defer { loop.stop() }
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
        let deadline = Date().addingTimeInterval(10)
        while !record.done.load(ordering: .acquiring), Date() < deadline { usleep(1_000) }
        let finished = record.done.load(ordering: .acquiring)
        #expect(finished)
        #expect(record.order == ["task", "first", "queued by first"])
    }
}
