import Arithmetic
import CLinux
import Glibc
import Synchronization

/// One epoll thread. Sockets, timers and the objects that own them belong to exactly one
/// loop and are touched only on its thread; other threads hand it work with `execute`.
///
/// Thread-safety: `execute`, `stop` and `inEventLoop` may be called from any thread;
/// everything else only on the loop's own thread.
///
/// The loop's own state is `@exclusivity(unchecked)`: it is touched only on the loop's thread and
/// every access is a read or a call that ends before any handler, task or timer runs (those copy
/// what they need first), so no two accesses overlap. The run-time check cost ~80 instructions
/// an access, several per round (issue 13).
public final class EventLoop: @unchecked Sendable {
    private let epollFD: Int32
    private let wakeFD: Int32
    /// Each watched descriptor's registration, indexed by its number (a hashed lookup per event
    /// cost more, issue 13).
    @exclusivity(unchecked) private var handlers = DescriptorTable<(token: UInt64, handler: (IOEvents) -> Void)>()
    /// Registrations are numbered so an fd closed and reused within one epoll batch never
    /// receives the old registration's events: the token is generation << 32 | fd.
    @exclusivity(unchecked) private var generation: UInt64 = 1
    @exclusivity(unchecked) private var timers = TimerHeap()
    private let pending = Mutex<[@Sendable () -> Void]>([])
    /// The tasks being run, swapped with `pending` under its lock: neither array is copied or
    /// reallocated in steady state (taking a copy and emptying the shared one allocated a new
    /// buffer on every round).
    @exclusivity(unchecked) private var runningTasks: [@Sendable () -> Void] = []
    private let stopped = Atomic<Bool>(false)
    private let threadID = Mutex<pthread_t?>(nil)
    /// Work for the end of this round (`beforeWaiting`), and the batch being run (kept apart
    /// so neither array is reallocated in steady state).
    @exclusivity(unchecked) private var endOfRound: [() -> Void] = []
    @exclusivity(unchecked) private var runningEndOfRound: [() -> Void] = []
    /// Objects confined to this loop, one per key (`local`).
    @exclusivity(unchecked) private var locals: [ObjectIdentifier: AnyObject] = [:]

    public init() throws {
        epollFD = try Epoll.create()
        wakeFD = try Epoll.makeEventFD()
        try Epoll.control(epollFD, EPOLL_CTL_ADD, wakeFD, .readable, token: UInt64(UInt32(bitPattern: wakeFD)))
    }

    deinit {
        Posix.close(wakeFD)
        Posix.close(epollFD)
    }

    /// Monotonic nanoseconds: on a loop's thread, the time its current round began
    /// (`LoopClock`); elsewhere, a fresh reading.
    public static func monotonicNanoseconds() -> UInt64 { LoopClock.now() }

    /// Monotonic nanoseconds read afresh, on any thread: for state that several loops share
    /// (limit windows, circuit breakers, a once-a-minute log), where one loop's round time,
    /// older than another's, would read as time running backwards.
    public static func freshMonotonicNanoseconds() -> UInt64 { Posix.monotonicNanoseconds() }

    public var inEventLoop: Bool {
        guard let owner = threadID.withLock({ $0 }) else { return false }
        return pthread_equal(owner, pthread_self()) != 0
    }

    /// Runs `task` on the loop soon. Any thread.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        pending.withLock { $0.append(task) }
        Epoll.signal(wakeFD)
    }

    /// Asks the loop to return from `run()`. Any thread.
    public func stop() {
        stopped.store(true, ordering: .releasing)
        Epoll.signal(wakeFD)
    }

    /// Calls `handler` on readiness of `fd` (level-triggered; hang-ups are always reported).
    public func watch(fd: Int32, events: IOEvents, _ handler: @escaping (IOEvents) -> Void) throws {
        generation = generation &+ 1
        let token = (generation << 32) | UInt64(UInt32(bitPattern: fd))
        try Epoll.control(epollFD, EPOLL_CTL_ADD, fd, events, token: token)
        handlers[fd] = (token, handler)
    }

    public func rewatch(fd: Int32, events: IOEvents) throws {
        guard let entry = handlers[fd] else { return }
        try Epoll.control(epollFD, EPOLL_CTL_MOD, fd, events, token: entry.token)
    }

    /// Stops watching `fd`. Events already collected for it in this round are dropped.
    public func unwatch(fd: Int32) {
        guard handlers.removeValue(forKey: fd) != nil else { return }
        Epoll.remove(epollFD, fd)
    }

    @discardableResult
    public func schedule(afterNanoseconds delay: UInt64, _ fire: @escaping () -> Void) -> TimerHandle {
        // Saturating: a delay too long to add (from a hostile option) means "never", not "now".
        timers.schedule(at: Saturating.add(LoopClock.now(), delay), fire)
    }

    public func cancel(_ timer: TimerHandle) {
        timers.cancel(timer)
    }

    /// The object this loop keeps for `key` (a client of some server, confined to the loop),
    /// made by `make` on first use. Loop thread only: found without a lock. Each key must
    /// always be asked for the same type.
    public func local<Object: AnyObject>(_ key: AnyObject, make: () -> Object) -> Object {
        if let found = locals[ObjectIdentifier(key)] { return unsafeDowncast(found, to: Object.self) }
        let made = make()
        locals[ObjectIdentifier(key)] = made
        return made
    }

    /// Runs `body` once on this loop after the current round's handlers, tasks and timers,
    /// before the loop waits again: what several handlers queue in one round (commands to a
    /// server, say) goes out in one system call, without a wake-up of its own. Loop thread only.
    public func beforeWaiting(_ body: @escaping () -> Void) {
        endOfRound.append(body)
    }

    /// Runs the end-of-round work, including what it queues itself.
    private func runEndOfRound() {
        while !endOfRound.isEmpty {
            swap(&endOfRound, &runningEndOfRound)
            for body in runningEndOfRound { body() }
            runningEndOfRound.removeAll(keepingCapacity: true)
        }
    }

    /// Runs the loop on the calling thread until `stop()`.
    public func run() {
        threadID.withLock { $0 = pthread_self() }
        let capacity: Int32 = 512
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(capacity))
        let clock = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        clock.initialize(to: Posix.monotonicNanoseconds())
        LoopClock.install(clock)
        defer {
            LoopClock.install(nil)
            clock.deallocate()
            events.deallocate()
        }
        while !stopped.load(ordering: .acquiring) {
            runEndOfRound()
            var timeout: Int32 = -1
            if let deadline = timers.nextDeadline() {
                let now = Posix.monotonicNanoseconds()
                if deadline <= now {
                    timeout = 0
                } else {
                    // Rounded up to whole milliseconds without adding to `deadline - now` (which
                    // may be near UInt64.max for a timer that never fires).
                    let remaining = deadline - now
                    timeout = Int32(min(remaining / 1_000_000 + (remaining % 1_000_000 > 0 ? 1 : 0), 60_000))
                }
            }
            let count = Epoll.wait(epollFD, events, capacity, timeout)
            clock.pointee = Posix.monotonicNanoseconds()
            for i in 0..<count {
                let token = events[i].data.u64
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: token))
                if fd == wakeFD, token >> 32 == 0 {
                    Epoll.drain(wakeFD)
                    continue
                }
                if let entry = handlers[fd], entry.token == token {
                    entry.handler(Epoll.events(events[i].events))
                }
            }
            runTasks()
            // Timers due by now, read afresh (the round's events may have taken a while); what
            // they run reads this time too.
            clock.pointee = Posix.monotonicNanoseconds()
            for fire in timers.popDue(now: clock.pointee) { fire() }
        }
        runTasks()
        runEndOfRound()
        threadID.withLock { $0 = nil }
    }

    private func runTasks() {
        var tasks: [@Sendable () -> Void] = []
        swap(&tasks, &runningTasks)
        pending.withLock { swap(&$0, &tasks) }
        for task in tasks { task() }
        tasks.removeAll(keepingCapacity: true)
        swap(&tasks, &runningTasks)
    }
}
