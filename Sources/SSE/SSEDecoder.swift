/// An incremental event-stream parser following the WHATWG "event stream interpretation"
/// rules: lines end in LF, CRLF or CR (a CR ending one feed and an LF starting the next are
/// one line end), a leading UTF-8 BOM is skipped, `:` lines are comments, a blank line
/// dispatches the event being built.
///
/// Handles both dialects providers use: data-only (OpenAI; Gemini with CRLF framing) and
/// event + data (Anthropic). Lines that arrive whole in one feed are parsed straight from the
/// caller's buffer; only a line cut by a feed boundary is carried over in a reused buffer, so
/// a steady stream allocates nothing per byte or per line (only the event's strings).
public struct SSEDecoder: Sendable {
    /// The start of a line cut by the end of the previous feed.
    private var partialLine: [UInt8] = []
    private var fields = SSEFieldState()
    /// The previous feed ended in CR: an LF starting the next feed ends nothing new.
    private var skipLeadingLF = false
    /// How many bytes of the stream-initial BOM have been matched (3 = done looking).
    private var bomProgress = 0

    public init() {}

    /// True when bytes of an event that has not been dispatched yet are buffered (what
    /// `finish()` would discard): a stream ending here was cut mid-event.
    public var hasPartialEvent: Bool { !partialLine.isEmpty || fields.hasPendingFields }

    /// Feeds bytes; calls `onEvent` for each event they complete, in order.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ onEvent: (SSEEvent) throws -> Void) rethrows {
        try feedInPlace(bytes) { try onEvent($0.owned) }
    }

    /// Feeds bytes; calls `onEvent` for each event they complete, in order, with the event's
    /// data lent in place (the per-chunk path: no `String` per event).
    public mutating func feedInPlace(
        _ bytes: UnsafeRawBufferPointer, _ onEvent: (SSEEventView) throws -> Void
    ) rethrows {
        let count = bytes.count
        var i = 0
        if bomProgress < 3 {
            i = skipBOM(bytes)
            if bomProgress < 3 { return }  // the whole feed was a BOM prefix
        }
        if skipLeadingLF, i < count {
            skipLeadingLF = false
            if bytes[i] == 0x0A { i += 1 }
        }
        var lineStart = i
        let base = bytes.baseAddress
        while true {
            // Eight bytes a step up to the next line end (byte by byte this loop was a tenth of
            // a relayed chunk's instructions).
            if let base {
                while i &+ 8 <= count {
                    let found = Self.lineEnds(base + i)
                    if found != 0 {
                        i &+= found.trailingZeroBitCount &>> 3
                        break
                    }
                    i &+= 8
                }
            }
            guard i < count else { break }
            let b = bytes[i]
            // Both line-end bytes are below 0x0E; one compare keeps the common path tight.
            if b > 0x0D || (b != 0x0A && b != 0x0D) {
                i += 1
                continue
            }
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<i])
            if partialLine.isEmpty {
                try fields.processLine(line, onEvent)
            } else {
                partialLine.append(contentsOf: line)
                try partialLine.withUnsafeBytes { try fields.processLine($0, onEvent) }
                partialLine.removeAll(keepingCapacity: true)
            }
            i += 1
            if b == 0x0D {
                if i < count {
                    if bytes[i] == 0x0A { i += 1 }
                } else {
                    skipLeadingLF = true
                }
            }
            lineStart = i
        }
        if lineStart < count {
            partialLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<count]))
        }
    }

    /// The high bits of the eight bytes at `word` that are LF or CR, or 0 for none (SWAR: a
    /// byte is zero in `x` when subtracting one borrows into its high bit, which it did not
    /// have). Borrows can mark bytes after the first match, never before it, so the lowest
    /// mark is the first line end.
    @inline(__always)
    static func lineEnds(_ word: UnsafeRawPointer) -> UInt64 {
        let w = UInt64(littleEndian: word.loadUnaligned(as: UInt64.self))
        let ones: UInt64 = 0x0101_0101_0101_0101
        let lf = w ^ (ones &* 0x0A), cr = w ^ (ones &* 0x0D)
        return (((lf &- ones) & ~lf) | ((cr &- ones) & ~cr)) & (ones &* 0x80)
    }

    public mutating func feed(_ bytes: [UInt8], _ onEvent: (SSEEvent) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { try feed($0, onEvent) }
    }

    public mutating func feedInPlace(_ bytes: [UInt8], _ onEvent: (SSEEventView) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { try feedInPlace($0, onEvent) }
    }

    /// The stream ended: an event without its terminating blank line is discarded (WHATWG).
    /// The decoder is then ready for a new stream (a reconnection); the last event id carries
    /// over, as it does for an EventSource.
    public mutating func finish() {
        partialLine.removeAll(keepingCapacity: true)
        fields.discardEvent()
        skipLeadingLF = false
        bomProgress = 0
    }

    /// Matches the stream-initial BOM (possibly across feeds); returns where the feed's
    /// content starts. Bytes of a BOM prefix that turns out not to be one are content.
    private mutating func skipBOM(_ bytes: UnsafeRawBufferPointer) -> Int {
        let bom: (UInt8, UInt8, UInt8) = (0xEF, 0xBB, 0xBF)
        var i = 0
        while bomProgress < 3, i < bytes.count {
            let expected = bomProgress == 0 ? bom.0 : bomProgress == 1 ? bom.1 : bom.2
            guard bytes[i] == expected else {
                // Not a BOM: give back the bytes matched so far and stop looking.
                if bomProgress > 0 { partialLine.append(contentsOf: [0xEF, 0xBB][0..<bomProgress]) }
                bomProgress = 3
                return i
            }
            bomProgress += 1
            i += 1
        }
        return i
    }
}
