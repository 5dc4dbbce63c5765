/// One dispatched event as the decoder holds it, without making a `String` of its data: the
/// relay's per-chunk path reads the data's bytes in place (a `String` per event was validated,
/// copied and read back as bytes on every relayed chunk).
///
/// `data` points into the decoder's buffer: valid only inside the callback that received it.
public struct SSEEventView {
    /// The `event:` field; nil when the stream did not name the event ("message").
    public let event: String?
    /// All `data:` lines joined with "\n", as the stream sent them (not checked as UTF-8).
    public let data: UnsafeRawBufferPointer
    /// The last event id (persists across events, per WHATWG).
    public let id: String?
    /// The `retry:` value, only on the event where it appeared.
    public let retry: Int?

    public init(event: String?, data: UnsafeRawBufferPointer, id: String?, retry: Int?) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }

    /// The event with its data as a `String` (invalid UTF-8 repaired), to keep past the callback.
    public var owned: SSEEvent {
        SSEEvent(event: event, data: String(decoding: data, as: UTF8.self), id: id, retry: retry)
    }

    /// True when the data is exactly `literal` (OpenAI's `[DONE]`), compared as bytes.
    public func dataEquals(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard data.count == count else { return false }
        let expected = literal.utf8Start
        var i = 0
        while i < count {
            if data[i] != expected[i] { return false }
            i += 1
        }
        return true
    }
}

extension SSEEvent {
    /// The event's data lent as bytes for the length of `body` (the `String` path's view).
    public func withView<R>(_ body: (SSEEventView) throws -> R) rethrows -> R {
        var text = data
        return try text.withUTF8 { utf8 in
            try body(SSEEventView(event: event, data: UnsafeRawBufferPointer(utf8), id: id, retry: retry))
        }
    }
}
