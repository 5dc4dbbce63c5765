import Arithmetic
import Dispatch
import Glibc
import Logging
import Reactor

/// Our HTTP/1.1 server: one SO_REUSEPORT listener per event loop, connections that stay on
/// the loop that accepted them.
public final class HTTPServer: @unchecked Sendable {
    private let core: ServerCore
    private let group: EventLoopGroup
    private var contexts: [ObjectIdentifier: LoopContext] = [:]

    public init(configuration: HTTPServerConfiguration, group: EventLoopGroup, handler: any HTTPHandler, logger: Logger)
    {
        core = ServerCore(configuration: configuration, handler: handler, logger: logger)
        self.group = group
    }

    /// Called once per finished response (also for refused and cut-off ones, status 499).
    /// Set it before `start()`.
    public var onAccessRecord: (@Sendable (AccessRecord) -> Void)? {
        get { core.onAccessRecord }
        set { core.onAccessRecord = newValue }
    }

    public var openConnections: Int { core.open.load(ordering: .relaxed) }
    public var inFlightRequests: Int { core.inFlight.load(ordering: .relaxed) }
    /// Connections accepted at most; the next is answered 503.
    public var connectionCap: Int { core.configuration.maxConnections }

    /// Binds and starts accepting; returns the bound port. The group must be started.
    public func start() throws -> Int {
        let configuration = core.configuration
        if Posix.portIsTaken(host: configuration.host, port: configuration.port) {
            throw IOError(
                call: "bind(\(configuration.host):\(configuration.port)): address already in use", errno: EADDRINUSE)
        }
        var port = configuration.port
        var sockets: [(EventLoop, Int32)] = []
        for loop in group.loops {
            let (fd, bound) = try Posix.listen(host: configuration.host, port: port)
            port = bound
            sockets.append((loop, fd))
            contexts[ObjectIdentifier(loop)] = LoopContext()
        }
        let registered = DispatchGroup()
        for (loop, fd) in sockets {
            let context = contexts[ObjectIdentifier(loop)]!
            registered.enter()
            loop.execute { [self] in
                context.listener = fd
                watchListener(fd, loop: loop, context: context)
                registered.leave()
            }
        }
        registered.wait()
        return port
    }

    private func watchListener(_ fd: Int32, loop: EventLoop, context: LoopContext) {
        try? loop.watch(fd: fd, events: .readable) { [self] _ in acceptAll(fd, loop: loop, context: context) }
    }

    private func acceptAll(_ listener: Int32, loop: EventLoop, context: LoopContext) {
        while true {
            let fd: Int32
            do {
                guard case .done(let accepted) = try Posix.accept(listener) else { return }
                fd = accepted
            } catch {
                if DescriptorExhaustion.isExhaustion(error.errno) {
                    pauseAccepting(listener, loop: loop, context: context, errno: error.errno)
                } else {
                    core.logger.warning("accept failed: \(error)")
                }
                return
            }
            Posix.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            core.connectionOpened()
            if core.open.load(ordering: .relaxed) > core.configuration.maxConnections {
                refuseOverCapacity(fd)
                continue
            }
            Connection(fd: fd, loop: loop, server: core, context: context).start()
        }
    }

    /// Out of descriptors: the pending connection stays in the kernel's backlog. The listener
    /// stays readable, so watching it would spin on EMFILE; stop for a moment instead (as nginx
    /// does) and try again once streams may have ended.
    private func pauseAccepting(_ listener: Int32, loop: EventLoop, context: LoopContext, errno code: Int32) {
        DescriptorExhaustion.shared.record("accept", errno: code)
        loop.unwatch(fd: listener)
        _ = loop.schedule(afterNanoseconds: 100_000_000) { [self] in
            guard context.listener == listener else { return }
            watchListener(listener, loop: loop, context: context)
            acceptAll(listener, loop: loop, context: context)
        }
    }

    /// Over the connection limit: a best-effort 503 and close, never a hang.
    private func refuseOverCapacity(_ fd: Int32) {
        let requestId = RequestID.make()
        let message =
            "server is at its connection limit (\(core.configuration.maxConnections) connections: "
            + "\(core.configuration.connectionCapReason))"
        let body = errorBody(type: "overloaded", message: message, requestId: requestId)
        let response =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nx-request-id: \(requestId)\r\nConnection: close\r\n\r\n"
        let bytes = Array(response.utf8) + body
        _ = bytes.withUnsafeBytes { try? Posix.send(fd, $0) }
        Posix.close(fd)
        core.connectionClosed()
    }

    /// Stops accepting: listeners close, idle connections close, busy ones close after
    /// their current response.
    public func stopAccepting() {
        core.beginDraining()
        onEveryLoop { context, loop in
            if context.listener >= 0 {
                loop.unwatch(fd: context.listener)
                Posix.close(context.listener)
                context.listener = -1
            }
            for connection in Array(context.connections.values) { connection.closeIfIdle() }
        }
    }

    /// Waits until no request is in flight; false when `timeoutSeconds` passed first.
    public func waitUntilDrained(timeoutSeconds: Double) -> Bool {
        // The clock itself, not a loop's round time: this waits in place.
        let deadline = Saturating.add(
            EventLoop.freshMonotonicNanoseconds(), Saturating.nanoseconds(seconds: timeoutSeconds))
        while inFlightRequests > 0 {
            if EventLoop.freshMonotonicNanoseconds() >= deadline { return false }
            usleep(10_000)
        }
        return true
    }

    /// Closes the listeners and every connection now.
    public func closeAll() {
        onEveryLoop { context, loop in
            if context.listener >= 0 {
                loop.unwatch(fd: context.listener)
                Posix.close(context.listener)
                context.listener = -1
            }
            for connection in Array(context.connections.values) { connection.close() }
        }
    }

    private func onEveryLoop(_ body: @escaping @Sendable (LoopContext, EventLoop) -> Void) {
        let done = DispatchGroup()
        for loop in group.loops {
            guard let context = contexts[ObjectIdentifier(loop)] else { continue }
            done.enter()
            loop.execute {
                body(context, loop)
                done.leave()
            }
        }
        _ = done.wait(timeout: .now() + 5)
    }
}
