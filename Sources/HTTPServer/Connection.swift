import Arithmetic
import HTTPTypes
import Logging
import Reactor

/// One client connection: reads and parses requests, hands each to the handler, writes the
/// responses in order, enforces the timeouts. Loop-confined to `loop`; owns `fd`.
///
/// Requests are handled one at a time: while a response is in flight the connection stops
/// reading (still hearing hang-ups), so pipelined requests wait in the kernel and in the
/// parser's buffer and are answered in order. The pause is lazy: the epoll keeps its read
/// interest until bytes actually arrive during a response (a client waiting for its answer
/// sends none), which saves the two `epoll_ctl` a request would otherwise cost.
final class Connection {
    let fd: Int32
    let loop: EventLoop
    private let server: ServerCore
    private let context: LoopContext
    private var parser: HTTPRequestParser

    private var out: [UInt8] = []
    private var outStart = 0
    private var interest: IOEvents = .readable
    private var timer: TimerHandle?
    private var timerIsHeaderTimer = false
    /// When the connection last went idle (monotonic nanoseconds). The idle timer stays armed
    /// across a request and, when it fires, closes only a connection idle for the whole
    /// `idleTimeout` since then (else it waits out the rest): cancelling it for every request
    /// and arming it again after the response cost ~1,600 instructions a request (issue 13).
    private var idleSince: UInt64 = 0
    private var activeWriter: ResponseWriter?
    private(set) var closed = false
    private var closeAfterFlush = false
    private var aboveHighWater = false
    private var processing = false
    /// Bytes arrived while reading was paused: the read interest is off until the pause ends.
    private var readPaused = false

    init(fd: Int32, loop: EventLoop, server: ServerCore, context: LoopContext) {
        self.fd = fd
        self.loop = loop
        self.server = server
        self.context = context
        self.parser = HTTPRequestParser(
            maxHeaderBytes: server.configuration.maxHeaderBytes,
            maxBodyBytes: server.configuration.maxBodyBytes)
    }

    var pendingBytes: Int { out.count - outStart }
    var isAboveHighWater: Bool { pendingBytes > server.configuration.highWaterMark }
    var isDraining: Bool { server.isDraining }
    var isIdle: Bool { activeWriter == nil && !parser.isMidRequest }

    func start() {
        do {
            try loop.watch(fd: fd, events: .readable) { [unowned self] events in self.handle(events) }
        } catch {
            Posix.close(fd)
            server.connectionClosed()
            return
        }
        context.connections[ObjectIdentifier(self)] = self
        armIdleTimer()
    }

    // MARK: Events

    private func handle(_ events: IOEvents) {
        if events.contains(.error) { close(); return }
        if events.contains(.readable) {
            if wantsToRead {
                readAvailable()
            } else if !events.contains(.hangup) {
                // A pipelined request during a response: it waits in the kernel from now on.
                readPaused = true
                updateInterest()
            }
        }
        if closed { return }
        if events.contains(.hangup), !events.contains(.readable) || !wantsToRead {
            close()
            return
        }
        if events.contains(.writable) { flush() }
    }

    private func readAvailable() {
        let buffer = context.readBuffer
        do {
            switch try Posix.read(fd, into: buffer) {
            case .done(0):
                close()
                return
            case .done(let n):
                parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            case .wouldBlock:
                return
            }
        } catch {
            close()
            return
        }
        processInput()
    }

    /// Parses and dispatches whatever complete requests are buffered, one at a time.
    private func processInput() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while !closed, activeWriter == nil, !closeAfterFlush {
            switch parser.next() {
            case .needMore:
                if parser.isMidRequest { armHeaderTimer() } else { armIdleTimer() }
                updateInterest()
                return
            case .sendContinue:
                send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            case .failure(let error):
                refuse(status: error.status, message: error.message)
                return
            case .request(let head, let body):
                // The idle timer stays (see `idleSince`); the head's deadline is met.
                if timerIsHeaderTimer { cancelTimer() }
                dispatch(head, body)
            }
        }
        updateInterest()
    }

    private func dispatch(_ head: HTTPRequestHead, _ body: [UInt8]) {
        let request = HTTPRequest(
            method: head.method, target: head.target, versionMinor: head.versionMinor,
            headers: head.headers, body: body, requestId: RequestID.make())
        let writer = ResponseWriter(
            connection: self, loop: loop, requestId: request.requestId, method: head.method,
            path: request.path, versionMinor: head.versionMinor,
            keepAlive: head.keepAlive && !server.isDraining)
        activeWriter = writer
        server.requestStarted()
        updateInterest()
        server.handler.handle(request, writer)
    }

    /// Answers a request the parser refused, then closes.
    private func refuse(status: Int, message: String) {
        let requestId = RequestID.make()
        let writer = ResponseWriter(
            connection: self, loop: loop, requestId: requestId, method: "", path: "",
            versionMinor: 1, keepAlive: false)
        writer.routeLabel = "refused"
        activeWriter = writer
        server.requestStarted()
        writer.respondJSON(
            status: status, body: errorBody(type: "invalid_request", message: message, requestId: requestId))
    }

    /// The in-flight response is complete.
    func responseFinished(_ writer: ResponseWriter) {
        guard writer === activeWriter else { return }
        activeWriter = nil
        server.requestFinished(writer, status: writer.status)
        if !writer.keepAlive || server.isDraining {
            closeAfterFlush = true
            if pendingBytes == 0 { close() } else { updateInterest() }
            return
        }
        processInput()
    }

    // MARK: Writing

    /// Sends now what the socket takes; buffers the rest and waits for writability.
    func send(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { send($0) }
    }

    /// The same, from bytes the caller owns (copied only when the socket cannot take them all).
    func send(_ bytes: UnsafeRawBufferPointer) {
        guard !closed else { return }
        if pendingBytes == 0 {
            do {
                var written = 0
                if case .done(let n) = try Posix.send(fd, bytes) { written = n }
                if written == bytes.count { return }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[written...]))
            } catch {
                close()
                return
            }
        } else {
            out.append(contentsOf: bytes)
        }
        if isAboveHighWater { aboveHighWater = true }
        updateInterest()
    }

    private func flush() {
        while pendingBytes > 0 {
            do {
                let result = try out.withUnsafeBytes { raw throws(IOError) in
                    try Posix.send(fd, UnsafeRawBufferPointer(rebasing: raw[outStart..<out.count]))
                }
                guard case .done(let n) = result else { break }
                outStart += n
            } catch {
                close()
                return
            }
        }
        if pendingBytes == 0 {
            out.removeAll(keepingCapacity: out.capacity <= 1 << 20)
            outStart = 0
            if closeAfterFlush { close(); return }
        } else if outStart > 64 * 1024, outStart * 2 > out.count {
            out.removeFirst(outStart)
            outStart = 0
        }
        updateInterest()
        if aboveHighWater, pendingBytes < server.configuration.lowWaterMark {
            aboveHighWater = false
            activeWriter?.drained()
        }
    }

    /// Not while a response is in flight or the connection is to close after it.
    private var wantsToRead: Bool { activeWriter == nil && !closeAfterFlush }

    private func updateInterest() {
        guard !closed else { return }
        var wanted: IOEvents = []
        if wantsToRead { readPaused = false }
        if !readPaused, wantsToRead || interest.contains(.readable) { wanted.insert(.readable) }
        if pendingBytes > 0 { wanted.insert(.writable) }
        guard wanted != interest else { return }
        interest = wanted
        do { try loop.rewatch(fd: fd, events: wanted) } catch { close() }
    }

    // MARK: Timers

    private func armHeaderTimer() {
        if timer != nil, timerIsHeaderTimer { return }
        cancelTimer()
        timerIsHeaderTimer = true
        let delay = Saturating.nanoseconds(seconds: server.configuration.headerTimeout)
        timer = loop.schedule(afterNanoseconds: delay) { [weak self] in
            self?.headerTimedOut()
        }
    }

    private func armIdleTimer() {
        idleSince = EventLoop.monotonicNanoseconds()
        if timer != nil, !timerIsHeaderTimer { return }
        cancelTimer()
        timerIsHeaderTimer = false
        scheduleIdleTimer(afterNanoseconds: Saturating.nanoseconds(seconds: server.configuration.idleTimeout))
    }

    private func scheduleIdleTimer(afterNanoseconds delay: UInt64) {
        timer = loop.schedule(afterNanoseconds: delay) { [weak self] in self?.idleTimerFired() }
    }

    /// Closes a connection idle for `idleTimeout`; one that went idle later waits out the rest.
    /// A request in flight keeps it open: the timer ends, and the response arms a new one.
    private func idleTimerFired() {
        timer = nil
        guard isIdle, !closed else { return }
        let timeout = Saturating.nanoseconds(seconds: server.configuration.idleTimeout)
        let idle = EventLoop.monotonicNanoseconds() &- idleSince
        if idle >= timeout { close() } else { scheduleIdleTimer(afterNanoseconds: timeout - idle) }
    }

    private func cancelTimer() {
        if let timer { loop.cancel(timer) }
        timer = nil
    }

    private func headerTimedOut() {
        timer = nil
        guard activeWriter == nil, !closed else { return }
        refuse(status: 408, message: "request not received in time")
    }

    // MARK: Closing

    func close() {
        guard !closed else { return }
        closed = true
        cancelTimer()
        loop.unwatch(fd: fd)
        Posix.close(fd)
        context.connections[ObjectIdentifier(self)] = nil
        if let writer = activeWriter {
            activeWriter = nil
            server.requestFinished(writer, status: 499)
            writer.clientDisconnected()
        }
        server.connectionClosed()
    }

    /// Shutdown: idle connections close now, busy ones after their response.
    func closeIfIdle() {
        if activeWriter == nil { close() } else { activeWriter?.keepAlive = false }
    }
}
