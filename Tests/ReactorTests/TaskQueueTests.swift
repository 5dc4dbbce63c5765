import Foundation
import Synchronization
import Testing

@testable import Reactor

@Suite("Work handed to a loop with execute")
struct TaskQueueTests {
    /// What the loop ran, in order; written on the loop, read once `count` says all ran.
    final class Record: @unchecked Sendable {
        var ran: [Int] = []
        let count = Atomic<Int>(0)
    }

    /// Tasks from several threads each run exactly once, each thread's in the order it queued
    /// them, and a task queued by a running task runs too (the two task arrays the loop swaps
    /// must neither drop nor repeat one).
    @Test func everyTaskRunsOnceInItsThreadsOrder() throws {
        let running = try RunningLoop()
        defer { running.stop() }
        let loop = running.loop
        let record = Record()
        let threads = 4, perThread = 500
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                let id = t * perThread + i
                loop.execute {
                    record.ran.append(id)
                    if i % 50 == 0 {
                        loop.execute {
                            record.ran.append(-1 - id)
                            record.count.add(1, ordering: .releasing)
                        }
                    }
                    record.count.add(1, ordering: .releasing)
                }
            }
        }
        let expected = threads * perThread + threads * perThread / 50
        _ = RunningLoop.wait(seconds: 20) { record.count.load(ordering: .acquiring) >= expected }
        #expect(record.count.load(ordering: .acquiring) == expected)
        let ran = record.ran
        #expect(Set(ran).count == ran.count, "a task ran twice")
        #expect(ran.filter { $0 >= 0 }.count == threads * perThread)
        #expect(ran.filter { $0 < 0 }.count == threads * perThread / 50)
        for t in 0..<threads {
            let mine = ran.filter { $0 >= t * perThread && $0 < (t + 1) * perThread }
            #expect(mine == mine.sorted(), "thread \(t)'s tasks out of order")
        }
        for id in ran where id < 0 {
            let parent = -1 - id
            #expect(ran.firstIndex(of: parent)! < ran.firstIndex(of: id)!)
        }
    }
}
