import Reactor
import Synchronization

/// SplitMix64: the random draws of deployment choice. The system generator makes a system
/// call per draw; this is a few multiplications. Not for secrets.
struct RoutingRandom: RandomNumberGenerator {
    private var state: UInt64
    private static let sequence = Atomic<UInt64>(0)

    /// Seeded from the clock and a process-wide sequence, so two requests in the same
    /// nanosecond still draw differently.
    init() {
        let n = Self.sequence.add(1, ordering: .relaxed).newValue
        state = EventLoop.monotonicNanoseconds() ^ (n &* 0x9E37_79B9_7F4A_7C15)
    }

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
