/// A handle to cancel a scheduled timer.
public struct TimerHandle: Hashable, Sendable {
    let id: UInt64
}

/// Pending timers ordered by deadline (a binary min-heap); cancellation is lazy.
struct TimerHeap {
    private struct Entry {
        var deadline: UInt64
        var id: UInt64
    }

    private var heap: [Entry] = []
    private var callbacks: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 1

    /// The earliest live deadline (drops cancelled entries on the way).
    mutating func nextDeadline() -> UInt64? {
        while let top = heap.first, callbacks[top.id] == nil { popTop() }
        return heap.first?.deadline
    }

    mutating func schedule(at deadline: UInt64, _ fire: @escaping () -> Void) -> TimerHandle {
        let id = nextID
        nextID += 1
        callbacks[id] = fire
        heap.append(Entry(deadline: deadline, id: id))
        siftUp(heap.count - 1)
        return TimerHandle(id: id)
    }

    mutating func cancel(_ handle: TimerHandle) {
        guard callbacks.removeValue(forKey: handle.id) != nil else { return }
        // Cancelled entries stay in the heap until they surface; under load (a timeout per
        // request, minutes long) that is unbounded growth, so sweep once they dominate.
        if heap.count > 1024, heap.count > 2 * callbacks.count {
            heap.removeAll { callbacks[$0.id] == nil }
            for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        }
    }

    /// Entries in the heap, live or cancelled (for tests).
    var storedCount: Int { heap.count }

    /// Removes and returns the callbacks due at `now`, earliest first.
    mutating func popDue(now: UInt64) -> [() -> Void] {
        var due: [() -> Void] = []
        while let top = heap.first, top.deadline <= now {
            popTop()
            if let fire = callbacks.removeValue(forKey: top.id) { due.append(fire) }
        }
        return due
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
