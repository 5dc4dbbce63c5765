import CLinux

/// When to hand freed memory back to the kernel. glibc keeps the peak of a burst in its
/// arenas (issue 13 measured 127–161 MB still resident minutes after 5,000 streams ended,
/// while nginx went back to its start); `malloc_trim` returns the free pages. Trimming walks
/// the heap, so it runs only when load has clearly dropped: the open connections fell to half
/// of their high-water mark since the last trim (and by at least `minimumDrop`), or to none
/// after any activity. Steady load, however high, never trims.
///
/// A value type fed samples, so the rule is unit-tested without a heap or a clock.
public struct MemoryTrimPolicy: Sendable {
    /// The smallest fall in open connections worth a trim (a few keep-alive clients coming and
    /// going are not a burst ending).
    public var minimumDrop: Int
    private var highWater = 0
    private var activeSinceTrim = false

    public init(minimumDrop: Int = 32) {
        self.minimumDrop = max(1, minimumDrop)
    }

    /// Takes one sample of the open connection count; true when memory should be trimmed now.
    public mutating func sample(openConnections: Int) -> Bool {
        let open = max(0, openConnections)
        if open > 0 { activeSinceTrim = true }
        highWater = max(highWater, open)
        let burstEnded = highWater - open >= minimumDrop && open <= highWater / 2
        let wentIdle = open == 0 && activeSinceTrim
        guard burstEnded || wentIdle else { return false }
        highWater = open
        // Connections still open at this trim are activity it did not see end: when they close,
        // going idle trims again (a burst's tail of fewer than `minimumDrop` otherwise kept
        // what it held, and the shed found transfers in flight and left the pool open).
        activeSinceTrim = open > 0
        return true
    }
}

/// Samples the open connections once a second on one event loop and trims the allocator when
/// `MemoryTrimPolicy` says the load has dropped.
public enum MemoryReturn {
    /// Starts sampling on `loop` (call after the loop runs or before: the timer is queued).
    /// When load drops, `shed` runs first (caches let go of what the burst grew: it may hand
    /// work to other loops) and the trim one interval later, so what was shed is returned too.
    /// `onTrim` hears how long each trim took, in nanoseconds, and whether memory was released.
    public static func start(
        on loop: EventLoop, intervalNanoseconds: UInt64 = 1_000_000_000,
        openConnections: @escaping @Sendable () -> Int,
        shed: @escaping @Sendable () -> Void = {},
        onTrim: @escaping @Sendable (_ nanoseconds: UInt64, _ released: Bool) -> Void = { _, _ in }
    ) {
        loop.execute {
            var policy = MemoryTrimPolicy()
            var trimDue = false
            func tick() {
                if trimDue {
                    trimDue = false
                    let started = Posix.monotonicNanoseconds()
                    let released = sb_malloc_trim() == 1
                    onTrim(Posix.monotonicNanoseconds() &- started, released)
                }
                // Every tick samples, the trim's too: a tail that ends while the trim runs is
                // still seen going idle.
                if policy.sample(openConnections: openConnections()) {
                    shed()
                    trimDue = true
                }
                loop.schedule(afterNanoseconds: intervalNanoseconds, tick)
            }
            loop.schedule(afterNanoseconds: intervalNanoseconds, tick)
        }
    }

    /// Returns the allocator's free pages to the kernel now (for memory freed after the
    /// scheduled trim ran); true when something was released.
    @discardableResult
    public static func trim() -> Bool {
        sb_malloc_trim() == 1
    }

    /// Bounds glibc's arena count (`M_ARENA_MAX`); 0 keeps glibc's default (8 per core).
    public static func limitArenas(_ count: Int) {
        _ = sb_set_arena_max(Int32(clamping: max(0, count)))
    }
}
