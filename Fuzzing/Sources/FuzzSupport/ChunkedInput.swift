/// A fuzz input for the streaming decoders: the first bytes choose where the body is cut
/// into feeds, the rest is the body. So the fuzzer explores feed boundaries (a line end,
/// an escape, a chunk-size line split across reads) as well as the bytes themselves.
///
/// Layout: byte 0 is the plan. `0xFF` feeds the body one byte at a time. Otherwise its low
/// three bits are the number of cuts, each taken from the next two bytes (little-endian,
/// modulo the body length), and `flags` (its high five bits) are left to the target.
/// Byte 0 = `0x00` means: no cuts, body from byte 1 (what the seed corpora use).
public struct ChunkedInput {
    public let body: [UInt8]
    /// Where the body is cut, ascending, each in `1..<body.count`.
    public let cuts: [Int]
    public let flags: UInt8

    public init(_ data: UnsafeBufferPointer<UInt8>) {
        guard let plan = data.first else {
            body = []; cuts = []; flags = 0
            return
        }
        if plan == 0xFF {
            body = Array(data.dropFirst())
            cuts = body.isEmpty ? [] : Array(1..<body.count)
            flags = 0
            return
        }
        let wanted = Int(plan & 0x07)
        let header = min(wanted * 2, data.count - 1)
        body = Array(data[(1 + header)...])
        flags = plan >> 3
        var positions: [Int] = []
        if body.count > 1 {
            for k in 0..<header / 2 {
                let raw = Int(data[1 + 2 * k]) | Int(data[2 + 2 * k]) << 8
                positions.append(1 + raw % (body.count - 1))
            }
        }
        cuts = Array(Set(positions)).sorted()
    }

    /// The body in its feeds, in order (their concatenation is `body`).
    public var chunks: [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var start = 0
        for cut in cuts {
            out.append(body[start..<cut])
            start = cut
        }
        out.append(body[start...])
        return out
    }
}

/// Fails the run, as a trap the fuzzer records, when a property of the code under test does
/// not hold. Thrown errors are ordinary outcomes for the targets; only these and the runtime's
/// own traps (overflow, bounds, force-unwrap) and AddressSanitizer reports are findings.
public func fuzzExpect(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError("fuzz property violated: \(message())", file: file, line: line) }
}
