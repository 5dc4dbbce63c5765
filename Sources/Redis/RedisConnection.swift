import CHiredis
import Reactor

/// One asynchronous Redis connection, driven by one of our event loops: hiredis's async API
/// with its read/write hooks mapped onto the loop's epoll watch, so a command costs no thread
/// hop. Reconnects with backoff when the server goes away; commands sent while it is away
/// fail at once (their callback gets nil), so a caller can fall back without waiting.
///
/// Loop-confined: every method runs on `loop`.
public final class RedisConnection: @unchecked Sendable {
    public let loop: EventLoop
    public let endpoint: RedisEndpoint
    /// A command without a reply for this long takes the connection down (a hung server must
    /// not hold requests forever).
    public let replyTimeoutNanos: UInt64
    /// Called on the loop when the connection comes up (true) or goes down (false).
    public var onStateChange: ((Bool) -> Void)?
    /// Whether every command sent has had its reply.
    public var isIdle: Bool { sentHead == sent.count }

    /// Internal for `subscribe` (RedisConnection+Subscribe.swift).
    var context: UnsafeMutablePointer<redisAsyncContext>?
    public private(set) var isConnected = false
    private var watchedFD: Int32 = -1
    private var wanted: IOEvents = []
    private var backoffMillis = 0
    private var reconnectTimer: TimerHandle?
    /// Send times of the commands awaiting replies, oldest first (Redis answers in order).
    private var sent: [UInt64] = []
    private var sentHead = 0
    private var watchdog: TimerHandle?
    private var stopped = false
    /// True while hiredis's interest changes are only noted, to be given to epoll at once
    /// (a command queued and written in the same round never touches epoll).
    private var holdInterest = false
    /// Interest epoll has for `watchedFD`.
    private var registered: IOEvents = []
    private var flushQueued = false
    private lazy var flushHook: () -> Void = { [weak self] in self?.flush() }

    public init(loop: EventLoop, endpoint: RedisEndpoint, replyTimeoutNanos: UInt64 = 2_000_000_000) {
        self.loop = loop
        self.endpoint = endpoint
        self.replyTimeoutNanos = replyTimeoutNanos
    }

    /// Connects (and reconnects whenever the connection drops). On the loop.
    public func start() {
        stopped = false
        connect()
    }

    /// Closes the connection for good. On the loop.
    public func stop() {
        stopped = true
        if let reconnectTimer { loop.cancel(reconnectTimer) }
        reconnectTimer = nil
        if let context { redisAsyncDisconnect(context) }
    }

    /// Sends one command; `reply` runs on the loop with the reply, or nil when the connection
    /// is down or drops before the reply. Arguments are binary-safe.
    public func send(_ args: [String], _ reply: @escaping (RedisReply?) -> Void) {
        send(RedisCommand(args), reply)
    }

    /// Sends `command`; `reply` runs on the loop with the reply, or nil when the connection is
    /// down or drops before the reply. The command goes out at the end of the loop's round,
    /// with every other command queued in that round: one write, no wait for writability.
    /// An `urgent` command (a request waits on its reply) on a connection with nothing in
    /// flight is written at once instead: whatever the caller does next overlaps Redis's
    /// work, and a lone request's command would have had no company in the round anyway.
    /// Under load, with replies outstanding, it waits for the round like any other.
    public func send(_ command: RedisCommand, urgent: Bool = false, _ reply: @escaping (RedisReply?) -> Void) {
        guard isConnected, let context else {
            reply(nil)
            return
        }
        let box = Unmanaged.passRetained(ReplyBox(reply)).toOpaque()
        // hiredis asks for writability as it queues; `flush` writes first, so epoll is asked
        // only if the socket cannot take it all.
        holdInterest = true
        let status = command.withEncoded { encoded in
            encoded.withMemoryRebound(to: CChar.self) { text in
                redisAsyncFormattedCommand(context, redisReplied, box, text.baseAddress, text.count)
            }
        }
        holdInterest = false
        guard status == REDIS_OK else {
            Unmanaged<ReplyBox>.fromOpaque(box).release()
            syncInterest()
            reply(nil)
            return
        }
        let idle = sentHead == sent.count
        sent.append(EventLoop.monotonicNanoseconds())
        if watchdog == nil { armWatchdog() }
        if urgent && idle {
            flush()
        } else if !flushQueued {
            flushQueued = true
            loop.beforeWaiting(flushHook)
        }
    }

    /// Writes what this round queued. Before the connection is up, epoll drives the connect
    /// and then the write (AUTH and SELECT queued while connecting).
    private func flush() {
        flushQueued = false
        guard isConnected, let context else {
            syncInterest()
            return
        }
        holdInterest = true
        // May drop the connection (and free the context): `dropped` fails the callbacks.
        redisAsyncHandleWrite(context)
        holdInterest = false
        syncInterest()
    }

    // MARK: Connecting

    private func connect() {
        reconnectTimer = nil
        guard !stopped, context == nil else { return }
        let made =
            endpoint.socketPath.map { redisAsyncConnectUnix($0) }
            ?? redisAsyncConnect(endpoint.host, Int32(endpoint.port))
        guard let ac = made else {
            scheduleReconnect()
            return
        }
        if ac.pointee.err != 0 {
            redisAsyncFree(ac)
            scheduleReconnect()
            return
        }
        context = ac
        let me = Unmanaged.passUnretained(self).toOpaque()
        ac.pointee.data = me
        ac.pointee.ev.data = me
        ac.pointee.ev.addRead = { RedisConnection.from($0).want(.readable, true) }
        ac.pointee.ev.delRead = { RedisConnection.from($0).want(.readable, false) }
        ac.pointee.ev.addWrite = { RedisConnection.from($0).want(.writable, true) }
        ac.pointee.ev.delWrite = { RedisConnection.from($0).want(.writable, false) }
        ac.pointee.ev.cleanup = { RedisConnection.from($0).detach() }
        redisAsyncSetConnectCallback(ac) { ac, status in
            RedisConnection.from(ac!.pointee.data).connected(ok: status == REDIS_OK)
        }
        redisAsyncSetDisconnectCallback(ac) { ac, _ in
            RedisConnection.from(ac!.pointee.data).dropped()
        }
        // The connect completes when the socket turns writable.
        want(.writable, true)
        if let password = endpoint.password { queueSetup(["AUTH", password]) }
        if endpoint.database != 0 { queueSetup(["SELECT", String(endpoint.database)]) }
    }

    /// AUTH and SELECT go out first, queued while connecting (hiredis pipelines them).
    private func queueSetup(_ args: [String]) {
        isConnected = true
        send(args) { _ in }
        isConnected = false
    }

    private func connected(ok: Bool) {
        guard ok else {
            // hiredis frees the context after this callback.
            context = nil
            detach()
            failPending()
            scheduleReconnect()
            return
        }
        backoffMillis = 0
        isConnected = true
        onStateChange?(true)
    }

    private func dropped() {
        // hiredis frees the context (and fails its pending callbacks) after this callback.
        context = nil
        let was = isConnected
        isConnected = false
        detach()
        failPending()
        if was { onStateChange?(false) }
        if !stopped { scheduleReconnect() }
    }

    private func scheduleReconnect() {
        guard !stopped, reconnectTimer == nil else { return }
        backoffMillis = backoffMillis == 0 ? 50 : min(backoffMillis * 2, 2000)
        reconnectTimer = loop.schedule(afterNanoseconds: UInt64(backoffMillis) * 1_000_000) { [self] in connect() }
    }

    // MARK: Replies

    fileprivate func replied() {
        if sentHead < sent.count { sentHead += 1 }
        if sentHead == sent.count {
            sent.removeAll(keepingCapacity: true)
            sentHead = 0
        }
    }

    private func failPending() {
        sent.removeAll(keepingCapacity: true)
        sentHead = 0
    }

    private func armWatchdog() {
        watchdog = loop.schedule(afterNanoseconds: replyTimeoutNanos / 4) { [self] in
            watchdog = nil
            guard sentHead < sent.count else { return }
            let now = EventLoop.monotonicNanoseconds(), oldest = sent[sentHead]
            if now > oldest, now &- oldest > replyTimeoutNanos, let context {
                // Fails every pending callback with nil, then `dropped` reconnects.
                redisAsyncFree(context)
                return
            }
            armWatchdog()
        }
    }

    // MARK: The epoll adapter

    private static func from(_ raw: UnsafeMutableRawPointer?) -> RedisConnection {
        Unmanaged<RedisConnection>.fromOpaque(raw!).takeUnretainedValue()
    }

    private func want(_ event: IOEvents, _ on: Bool) {
        guard context != nil else { return }
        if on { wanted.insert(event) } else { wanted.remove(event) }
        if !holdInterest { syncInterest() }
    }

    /// Gives epoll the interest hiredis last asked for, when it differs from what epoll has.
    private func syncInterest() {
        guard let context else { return }
        let fd = sb_redis_fd(context)
        if watchedFD == fd {
            guard wanted != registered else { return }
            try? loop.rewatch(fd: fd, events: wanted)
        } else {
            if watchedFD >= 0 { loop.unwatch(fd: watchedFD) }
            watchedFD = fd
            try? loop.watch(fd: fd, events: wanted) { [unowned self] ready in socketReady(ready) }
        }
        registered = wanted
    }

    private func detach() {
        if watchedFD >= 0 { loop.unwatch(fd: watchedFD) }
        watchedFD = -1
        wanted = []
        registered = []
    }

    private func socketReady(_ ready: IOEvents) {
        guard let context else { return }
        if ready.contains(.writable) || (!isConnected && !ready.isDisjoint(with: [.hangup, .error])) {
            redisAsyncHandleWrite(context)
        }
        // The write may have dropped the connection (and freed the context).
        guard let context = self.context else { return }
        if !ready.isDisjoint(with: [.readable, .hangup, .error]) { redisAsyncHandleRead(context) }
    }
}

private final class ReplyBox {
    let reply: (RedisReply?) -> Void
    init(_ reply: @escaping (RedisReply?) -> Void) { self.reply = reply }
}

/// hiredis's reply callback: nil reply when the connection dropped before the answer.
private func redisReplied(
    _ ac: UnsafeMutablePointer<redisAsyncContext>?, _ reply: UnsafeMutableRawPointer?,
    _ box: UnsafeMutableRawPointer?
) {
    let callback = Unmanaged<ReplyBox>.fromOpaque(box!).takeRetainedValue()
    if let reply {
        if let data = ac?.pointee.data {
            Unmanaged<RedisConnection>.fromOpaque(data).takeUnretainedValue().replied()
        }
        callback.reply(RedisReply(reply.assumingMemoryBound(to: redisReply.self)))
    } else {
        callback.reply(nil)
    }
}
