import Testing
@testable import Reactor

@Suite("Timer heap")
struct TimerHeapTests {
    @Test func firesInDeadlineOrderAndSkipsCancelled() {
        var heap = TimerHeap()
        var fired: [Int] = []
        nonisolated(unsafe) var log: [Int] = []
        _ = heap.schedule(at: 30) { log.append(3) }
        let cancelled = heap.schedule(at: 10) { log.append(1) }
        _ = heap.schedule(at: 20) { log.append(2) }
        heap.cancel(cancelled)
        #expect(heap.nextDeadline() == 20)
        for fire in heap.popDue(now: 25) { fire() }
        fired = log
        #expect(fired == [2])
        for fire in heap.popDue(now: 100) { fire() }
        #expect(log == [2, 3])
    }

    @Test func cancelledTimersDoNotAccumulate() {
        var heap = TimerHeap()
        // A long timeout per request, cancelled when the request ends: the heap must not keep them all.
        for i in 0..<100_000 {
            let handle = heap.schedule(at: UInt64(1_000_000 + i)) {}
            heap.cancel(handle)
        }
        #expect(heap.storedCount <= 2048)
    }
}
