/// The per-event buffers of the WHATWG algorithm (data, event type, last event id, retry) and
/// the field rules that fill them. Owned by one `SSEDecoder`.
struct SSEFieldState: Sendable {
    private var data: [UInt8] = []
    /// At least one `data` field arrived (the buffer may still be empty: `data:` alone).
    private var hasData = false
    private var eventType: String?
    /// The last event type made: providers name most events alike (Anthropic's
    /// `content_block_delta` on every chunk), so an equal name reuses it instead of allocating.
    private var lastEventType: String?
    private var lastEventId: String?
    private var retry: Int?

    /// Some field of the event being built has arrived.
    var hasPendingFields: Bool { hasData || eventType != nil || retry != nil }

    /// Interprets one line (without its line end); a blank line dispatches.
    mutating func processLine(
        _ line: UnsafeRawBufferPointer, _ onEvent: (SSEEventView) throws -> Void
    ) rethrows {
        guard let first = line.first else {
            try dispatch(onEvent)
            return
        }
        if first == UInt8(ascii: ":") { return }  // comment
        var nameEnd = 0
        while nameEnd < line.count, line[nameEnd] != UInt8(ascii: ":") { nameEnd += 1 }
        var valueStart = Swift.min(nameEnd + 1, line.count)
        if valueStart < line.count, line[valueStart] == 0x20 { valueStart += 1 }
        let name = UnsafeRawBufferPointer(rebasing: line[0..<nameEnd])
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart..<line.count])
        switch name.count {
        case 4 where Self.same(name, "data"):
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case 5 where Self.same(name, "event"):
            // An empty event type means "message" in WHATWG terms, i.e. not named.
            if value.isEmpty {
                eventType = nil
            } else if let last = lastEventType,
                last.utf8.withContiguousStorageIfAvailable({ Self.same($0, value) }) == true
            {
                eventType = last
            } else {
                eventType = String(decoding: value, as: UTF8.self)
                lastEventType = eventType
            }
        case 2 where Self.same(name, "id"):
            if !value.contains(0) {
                // An empty id resets the last event id (WHATWG); we report that as nil.
                lastEventId = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
            }
        case 5 where Self.same(name, "retry"):
            retry = Self.parseRetry(value) ?? retry
        default:
            break  // unknown fields are ignored
        }
    }

    /// Byte equality by index, leaving at the first difference (the generic `elementsEqual`
    /// over a `String`'s UTF-8 view cost hundreds of instructions per line).
    private static func same(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        same(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount), bytes)
    }

    private static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeRawBufferPointer) -> Bool {
        let count = a.count
        guard count == b.count else { return false }
        var i = 0
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// Forgets the event being built (not the last event id).
    mutating func discardEvent() {
        data.removeAll(keepingCapacity: true)
        hasData = false
        eventType = nil
        retry = nil
    }

    private mutating func dispatch(_ onEvent: (SSEEventView) throws -> Void) rethrows {
        // WHATWG: with no data the event type is reset and nothing is dispatched.
        guard hasData else {
            discardEvent()
            return
        }
        let (type, retry) = (eventType, retry)
        // The event's fields are cleared after the callback has read the data in place (the
        // view lends the buffer), also when it throws.
        defer { discardEvent() }
        try data.withUnsafeBytes { bytes in
            try onEvent(SSEEventView(event: type, data: bytes, id: lastEventId, retry: retry))
        }
    }

    /// ASCII digits only (WHATWG); values too large for `Int` are ignored.
    private static func parseRetry(_ value: UnsafeRawBufferPointer) -> Int? {
        guard !value.isEmpty else { return nil }
        var result = 0
        for b in value {
            guard b &- 0x30 < 10 else { return nil }
            let (times10, o1) = result.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(b - 0x30))
            if o1 || o2 { return nil }
            result = sum
        }
        return result
    }
}
