import SSE

/// Decodes `chunks` as one stream, feed by feed, then finishes it.
func decode(_ chunks: [[UInt8]]) -> [SSEEvent] {
    var decoder = SSEDecoder()
    var events: [SSEEvent] = []
    for chunk in chunks { decoder.feed(chunk) { events.append($0) } }
    decoder.finish()
    return events
}

func decode(_ text: String) -> [SSEEvent] { decode([Array(text.utf8)]) }

/// `bytes` cut at the given (sorted, in-range) offsets.
func split(_ bytes: [UInt8], at offsets: [Int]) -> [[UInt8]] {
    var chunks: [[UInt8]] = []
    var start = 0
    for offset in offsets {
        chunks.append(Array(bytes[start..<offset]))
        start = offset
    }
    chunks.append(Array(bytes[start...]))
    return chunks
}

/// A small deterministic generator so random splits are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Asserts-friendly: the decoding of `bytes` whole, byte by byte, at every single split point
/// and at `randomRuns` random multi-splits; returns the whole-stream events and whether all agreed.
func decodeEveryWay(_ bytes: [UInt8], randomRuns: Int = 50, seed: UInt64 = 1) -> (
    events: [SSEEvent], mismatches: [String]
) {
    let whole = decode([bytes])
    var mismatches: [String] = []
    if decode(bytes.map { [$0] }) != whole { mismatches.append("byte by byte") }
    if bytes.count > 0 {
        for cut in 0...bytes.count where decode(split(bytes, at: [cut])) != whole {
            mismatches.append("split at \(cut)")
        }
    }
    var rng = SplitMix64(state: seed)
    for run in 0..<randomRuns where bytes.count > 1 {
        let cutCount = Int.random(in: 1...min(20, bytes.count), using: &rng)
        let cuts = (0..<cutCount).map { _ in Int.random(in: 0...bytes.count, using: &rng) }.sorted()
        if decode(split(bytes, at: cuts)) != whole { mismatches.append("random run \(run): \(cuts)") }
    }
    return (whole, mismatches)
}
