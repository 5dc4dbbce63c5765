/// A small deterministic generator (SplitMix64) for tests that compare two implementations on
/// many generated inputs: the same seed gives the same cases, so a failure names a reproducible one.
public struct SeededDraw {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A number in `0..<n` (`n` > 0).
    public mutating func next(_ n: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(n))
    }

    /// One of `options` (not empty).
    public mutating func pick<T>(_ options: [T]) -> T { options[next(options.count)] }
}
