import Arithmetic
import Logging
import Reactor
import Synchronization

/// What every connection of one server shares: configuration, handler, counters. Counters
/// are atomics read from any thread; the rest is immutable.
final class ServerCore: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let logger: Logger
    let open = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    /// Set once before the server starts, read on every response. Stored plainly: keeping a
    /// closure in a `Mutex` re-wrapped it in a reabstraction thunk on every read, and the
    /// chain grew with each request.
    nonisolated(unsafe) var onAccessRecord: (@Sendable (AccessRecord) -> Void)?

    init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }
    func beginDraining() { draining.store(true, ordering: .relaxed) }

    func connectionOpened() { open.add(1, ordering: .relaxed) }
    func connectionClosed() { open.subtract(1, ordering: .relaxed) }
    func requestStarted() { inFlight.add(1, ordering: .relaxed) }

    func requestFinished(_ writer: ResponseWriter, status: Int) {
        inFlight.subtract(1, ordering: .relaxed)
        guard let hook = onAccessRecord else { return }
        hook(
            AccessRecord(
                method: writer.method, path: writer.path, route: writer.routeLabel, status: status,
                bytes: writer.bytesSent,
                durationNanos: Saturating.subtract(EventLoop.monotonicNanoseconds(), writer.startNanos),
                requestId: writer.requestId, keyId: writer.accessKeyId, model: writer.accessModel))
    }
}

/// Per-loop state: that loop's connections and its read buffer. Touched only on the loop.
final class LoopContext: @unchecked Sendable {
    var connections: [ObjectIdentifier: Connection] = [:]
    let readBuffer: UnsafeMutableRawBufferPointer
    var listener: Int32 = -1

    init() {
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit { readBuffer.deallocate() }
}
