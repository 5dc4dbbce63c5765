#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A fixed set of event loops, one thread each (default: one per core).
public final class EventLoopGroup: @unchecked Sendable {
    public let loops: [EventLoop]
    private let cursor = Atomic<Int>(0)
    private var threads: [pthread_t] = []
    private let lock = Mutex(())

    public init(count: Int = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) throws {
        Posix.ignoreSIGPIPE()
        loops = try (0..<max(1, count)).map { _ in try EventLoop() }
    }

    /// Starts one thread per loop. Call once.
    public func start() {
        lock.withLock { _ in
            for loop in loops {
                let box = Unmanaged.passRetained(LoopBox(loop))
                var thread = pthread_t()
                pthread_create(
                    &thread, nil,
                    { raw in
                        let box = Unmanaged<LoopBox>.fromOpaque(raw!).takeRetainedValue()
                        box.loop.run()
                        return nil
                    }, box.toOpaque())
                threads.append(thread)
            }
        }
    }

    /// Round-robin.
    public func next() -> EventLoop {
        loops[cursor.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// Stops every loop and waits for its thread.
    public func shutdown() {
        let joined: [pthread_t] = lock.withLock { _ in
            let all = threads
            threads.removeAll()
            return all
        }
        loops.forEach { $0.stop() }
        for thread in joined { pthread_join(thread, nil) }
    }
}

private final class LoopBox {
    let loop: EventLoop
    init(_ loop: EventLoop) { self.loop = loop }
}
