import Arithmetic
import CCurl
import HTTPTypes
import Reactor
import Glibc
import Synchronization

/// libcurl's multi interface driven by one of our event loops: curl's sockets sit in the
/// loop's epoll (CURLMOPT_SOCKETFUNCTION), its timeouts are loop timers
/// (CURLMOPT_TIMERFUNCTION), so an upstream chunk is read, decoded and relayed on the same
/// thread as the client's socket. The multi handle keeps connections for reuse.
///
/// Loop-confined: use only on `loop`. One per loop (`forLoop`).
public final class UpstreamClient: @unchecked Sendable {
    public let loop: EventLoop
    private var multi: UnsafeMutableRawPointer
    private var transfers: [UnsafeMutableRawPointer: UpstreamTransfer] = [:]
    /// Every upstream socket in the loop's epoll, with the events it is registered for.
    private var watched = DescriptorTable<IOEvents>()
    /// Sockets curl stopped watching (a connection back in its pool) that stay registered, so
    /// reusing the connection costs no `epoll_ctl` pair; closed through `curlClosesSocket`.
    private var parked = DescriptorTable<Void>()
    /// How many times an upstream socket was added to the epoll (for tests of reuse).
    public private(set) var socketRegistrations = 0
    /// How many of curl's "more bytes already?" checks were answered without a system call
    /// (`ReadinessShortcut`; for tests).
    public private(set) var readinessChecksSkipped = 0
    /// How many pooled connections were taken up again with curl's checks of them (liveness,
    /// "answered yet?") answered without a system call (`ReadinessShortcut`; for tests).
    public private(set) var quietReuses = 0
    /// When to act on curl's timeouts (`CurlTimerPlan`), and the loop timer armed for them.
    private var timerPlan = CurlTimerPlan()
    private var curlTimer: TimerHandle?
    /// curl's "now" runs at the end of the loop's round (`beforeWaiting`), without a timer.
    private var actionQueued = false
    /// The queued action runs even when curl's deadline is not due (`kick`).
    private var actionForced = false
    private lazy var queuedAction: () -> Void = { [weak self] in self?.runQueuedAction() }
    /// Timer callbacks from curl, and loop timers armed for them (for tests).
    public private(set) var curlTimerRequests = 0
    public private(set) var curlTimersArmed = 0
    private var pendingRemovals: [UpstreamTransfer] = []
    private var removalScheduled = false
    /// Easy handles of finished transfers, ready for the next one (`EasyHandle`): making a
    /// handle costs more than resetting one, and resetting one more than keeping its options.
    private var spareHandles: [EasyHandle] = []
    /// Handles given back with their options kept, not reset (for tests).
    public private(set) var handlesKeptWithOptions = 0
    /// Connections opened or closed on this client so far: a transfer during which it changed
    /// may have had curl retry on a fresh connection, and its handle is reset (`EasyHandle`).
    var connectionChurn = 0
    private static let maxSpareHandles = 256

    private static let registry = Mutex<[ObjectIdentifier: UpstreamClient]>([:])
    private static let pooledLimit = Atomic<Int>(1024)

    /// Connections each client's multi handle keeps (CURLMOPT_MAXCONNECTS), for clients made
    /// from now on: the daemon bounds it by the descriptors its connection cap leaves.
    public static var maxPooledConnections: Int {
        get { pooledLimit.load(ordering: .relaxed) }
        set { pooledLimit.store(max(1, newValue), ordering: .relaxed) }
    }

    /// The client of `loop`, created on first use.
    public static func forLoop(_ loop: EventLoop) -> UpstreamClient {
        registry.withLock { clients in
            if let client = clients[ObjectIdentifier(loop)] { return client }
            let client = UpstreamClient(loop: loop)
            clients[ObjectIdentifier(loop)] = client
            return client
        }
    }

    public init(loop: EventLoop) {
        CurlGlobal.ensure()
        self.loop = loop
        multi = curl_multi_init()!
        configureMulti()
    }

    private func configureMulti() {
        let me = Unmanaged.passUnretained(self).toOpaque()
        sb_multi_setopt_socket_cb(multi) { _, socket, what, user, _ in
            Unmanaged<UpstreamClient>.fromOpaque(user!).takeUnretainedValue().curlWantsSocket(socket, what)
        }
        sb_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        sb_multi_setopt_timer_cb(multi) { _, timeout, user in
            Unmanaged<UpstreamClient>.fromOpaque(user!).takeUnretainedValue().curlWantsTimer(timeout)
        }
        sb_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)
        sb_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0)
        sb_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, Self.maxPooledConnections)
    }

    deinit {
        spareHandles.removeAll()
        curl_multi_cleanup(multi)
    }

    /// A handle for a new transfer: a spare one, or a new one.
    func takeHandle() -> EasyHandle {
        let handle = spareHandles.popLast() ?? EasyHandle()
        handle.churnAtStart = connectionChurn
        return handle
    }

    /// A finished transfer's handle (already out of the multi handle): kept for reuse (reset
    /// unless it ended cleanly), or freed when enough are spare.
    func giveBack(_ handle: EasyHandle) {
        guard spareHandles.count < Self.maxSpareHandles else { return }
        if handle.endedCleanly { handlesKeptWithOptions &+= 1 }
        handle.finishTransfer()
        spareHandles.append(handle)
    }

    /// Frees spare easy handles beyond `keeping` (each holds curl's receive and upload buffers,
    /// tens of KB): after a burst they are memory nobody uses.
    public func shedSpareHandles(keeping: Int) {
        while spareHandles.count > max(0, keeping) { spareHandles.removeLast() }
    }

    /// Closes the connection pool a burst left behind when nothing is in flight and more than
    /// `keepingAtMost` idle connections sit in it (curl has no call to shrink a pool: a fresh
    /// multi handle is the way). The next request pays one connect; a steady load never gets here.
    /// Returns false when transfers in flight kept the pool.
    @discardableResult
    public func shedIdleConnections(keepingAtMost limit: Int) -> Bool {
        guard parked.count > max(0, limit) else { return true }
        guard transfers.isEmpty, pendingRemovals.isEmpty else { return false }
        if let curlTimer { loop.cancel(curlTimer) }
        curlTimer = nil
        timerPlan.clear()
        curl_multi_cleanup(multi)  // closes every pooled socket through `curlClosesSocket`
        for fd in watched.descriptors {
            loop.unwatch(fd: fd)
            ReadinessShortcut.forget(fd)
        }
        watched.removeAll()
        parked.removeAll()
        multi = curl_multi_init()!
        configureMulti()
        return true
    }

    /// Spare easy handles kept for the next transfers (for tests).
    public var spareHandleCount: Int { spareHandles.count }

    /// Starts a transfer; callbacks arrive on this loop.
    public func start(_ request: UpstreamRequest, delegate: UpstreamDelegate) -> UpstreamTransfer {
        let transfer = UpstreamTransfer(request: request, delegate: delegate, client: self)
        transfers[transfer.easy] = transfer
        transfer.started()
        curl_multi_add_handle(multi, transfer.easy)
        return transfer
    }

    /// Connections curl holds open (for tests of reuse).
    public var activeTransfers: Int { transfers.count }

    // MARK: Removal

    func remove(_ transfer: UpstreamTransfer) {
        guard transfers.removeValue(forKey: transfer.easy) != nil else { return }
        curl_multi_remove_handle(multi, transfer.easy)
    }

    /// For cancellation from inside a curl callback, where removal is not allowed.
    func removeSoon(_ transfer: UpstreamTransfer) {
        pendingRemovals.append(transfer)
        guard !removalScheduled else { return }
        removalScheduled = true
        loop.schedule(afterNanoseconds: 0) { [weak self] in
            guard let self else { return }
            removalScheduled = false
            let due = pendingRemovals
            pendingRemovals.removeAll()
            for transfer in due { remove(transfer) }
        }
    }

    /// After an unpause: let curl act on what it holds.
    func kick() {
        actionForced = true
        queueAction()
    }

    // MARK: curl → loop

    private func curlWantsSocket(_ socket: curl_socket_t, _ what: Int32) -> Int32 {
        let fd = Int32(socket)
        if what == CURL_POLL_REMOVE {
            // Back in the pool: stay registered for reading only (an idle connection is never
            // writable-interesting; left so, level-triggered epoll would fire on it forever).
            guard let current = watched[fd] else { return 0 }
            if current != .readable {
                guard (try? loop.rewatch(fd: fd, events: .readable)) != nil else {
                    ReadinessShortcut.setWatched(fd, false)
                    return 0
                }
                watched[fd] = .readable
            }
            // Quiet until the epoll says otherwise (`socketReady`): curl's liveness check of it
            // is answered without a system call (`ReadinessShortcut`).
            _ = ReadinessShortcut.takeAnswered(fd)
            ReadinessShortcut.setWatched(fd, true)
            parked[fd] = ()
            return 0
        }
        var events: IOEvents = []
        if what & CURL_POLL_IN != 0 { events.insert(.readable) }
        if what & CURL_POLL_OUT != 0 { events.insert(.writable) }
        if parked.removeValue(forKey: fd) != nil, ReadinessShortcut.takeAnswered(fd) { quietReuses &+= 1 }
        if let current = watched[fd] {
            if current != events, (try? loop.rewatch(fd: fd, events: events)) == nil {
                ReadinessShortcut.setWatched(fd, false)
                watched[fd] = events
                return 0
            }
        } else {
            guard (try? loop.watch(fd: fd, events: events) { [unowned self] ready in socketReady(fd, ready) }) != nil
            else {
                ReadinessShortcut.setWatched(fd, false)
                return 0
            }
            socketRegistrations &+= 1
        }
        watched[fd] = events
        ReadinessShortcut.setWatched(fd, events.contains(.readable))
        return 0
    }

    /// curl closes a socket (a dead or evicted pooled connection, a failed transfer): it leaves
    /// the epoll first, so a later descriptor with the same number starts clean.
    func curlClosesSocket(_ socket: curl_socket_t) -> Int32 {
        connectionChurn &+= 1
        let fd = Int32(socket)
        ReadinessShortcut.forget(fd)
        if watched.removeValue(forKey: fd) != nil { loop.unwatch(fd: fd) }
        parked.removeValue(forKey: fd)
        return close(fd)
    }

    /// Upstream sockets registered while curl does not watch them (pooled, idle).
    public var parkedSockets: Int { parked.count }

    private func curlWantsTimer(_ timeoutMillis: Int) -> Int32 {
        curlTimerRequests &+= 1
        // "now" needs no clock: only a later deadline is measured from it.
        let now = timeoutMillis > 0 ? EventLoop.monotonicNanoseconds() : 0
        switch timerPlan.curlSays(timeoutMillis, now: now) {
        case .nothing: break
        case .queueAction: queueAction()
        case .arm(let due): armCurlTimer(at: due, now: now)
        }
        return 0
    }

    private func queueAction() {
        guard !actionQueued else { return }
        actionQueued = true
        loop.beforeWaiting(queuedAction)
    }

    private func runQueuedAction() {
        actionQueued = false
        let forced = actionForced
        actionForced = false
        if timerPlan.actionRuns(forced: forced) { act(on: sb_socket_timeout(), events: 0) }
    }

    private func armCurlTimer(at due: UInt64, now: UInt64) {
        if let curlTimer { loop.cancel(curlTimer) }
        curlTimersArmed &+= 1
        curlTimer = loop.schedule(afterNanoseconds: due &- now) { [weak self] in self?.curlTimerFired() }
    }

    private func curlTimerFired() {
        curlTimer = nil
        let now = EventLoop.monotonicNanoseconds()
        switch timerPlan.timerFired(now: now) {
        case .nothing: break
        case .act: act(on: sb_socket_timeout(), events: 0)
        case .rearm(let due): armCurlTimer(at: due, now: now)
        }
    }

    private func socketReady(_ fd: Int32, _ ready: IOEvents) {
        if parked.contains(fd) {
            // An idle pooled connection spoke or closed (the server's keep-alive ended): it
            // leaves the epoll; curl finds it dead when it next looks and closes it.
            parked.removeValue(forKey: fd)
            watched.removeValue(forKey: fd)
            loop.unwatch(fd: fd)
            ReadinessShortcut.setWatched(fd, false)
            return
        }
        var mask: Int32 = 0
        if ready.contains(.readable) || ready.contains(.hangup) { mask |= CURL_CSELECT_IN }
        if ready.contains(.writable) { mask |= CURL_CSELECT_OUT }
        if ready.contains(.error) { mask |= CURL_CSELECT_ERR }
        guard mask & CURL_CSELECT_IN != 0 else {
            act(on: curl_socket_t(fd), events: mask)
            return
        }
        ReadinessShortcut.beginReading(fd)
        act(on: curl_socket_t(fd), events: mask)
        if ReadinessShortcut.endReading(fd) { readinessChecksSkipped &+= 1 }
    }

    private func act(on socket: curl_socket_t, events: Int32) {
        var running: Int32 = 0
        curl_multi_socket_action(multi, socket, events, &running)
        collectFinished()
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let transfer = transfers.removeValue(forKey: easy) else {
                curl_multi_remove_handle(multi, easy)
                continue
            }
            curl_multi_remove_handle(multi, easy)
            // Clean: done without error, and no connection came or went meanwhile (`EasyHandle`).
            transfer.handle.endedCleanly = code == CURLE_OK && transfer.handle.churnAtStart == connectionChurn
            transfer.curlFinished(code)
        }
    }
}
