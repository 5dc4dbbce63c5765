import Glibc

/// Wall-clock time for records (monotonic time is `EventLoop.monotonicNanoseconds()`).
enum WallClock {
    static func unixMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func unixSeconds() -> Int { Int(unixMillis() / 1000) }
}
