import Glibc

/// The monotonic time a loop read when its `epoll_wait` returned, for everything that runs on
/// that loop's thread in the same round (as nginx's `ngx_current_msec`).
///
/// A small request read the clock ~30 times on our side (request start, each upstream header
/// line, timers, metering): `clock_gettime` through the vDSO is ~18 ns here, and perf put all the
/// clock reads at 3 % of a request's CPU (issue 13). A thread-specific slot costs a few
/// instructions. Off a loop thread the clock is read as before.
///
/// The time is the round's start: work later in the same round reads it up to that round's
/// length late (milliseconds at most under load). Durations are measured at that resolution, and
/// a timer armed during a round may fire that much early; nothing needs finer.
enum LoopClock {
    /// The slot of each loop thread's time (nil on other threads).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        guard pthread_key_create(&key, nil) == 0 else { fatalError("pthread_key_create failed") }
        return key
    }()

    /// The calling loop thread's time, or a fresh reading off a loop thread.
    static func now() -> UInt64 {
        if let slot = pthread_getspecific(key) { return slot.load(as: UInt64.self) }
        return Posix.monotonicNanoseconds()
    }

    /// Makes `slot` the calling thread's time (nil: none, the thread reads the clock again).
    static func install(_ slot: UnsafeMutablePointer<UInt64>?) {
        pthread_setspecific(key, slot)
    }
}
