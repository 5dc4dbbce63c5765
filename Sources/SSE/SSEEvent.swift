/// One dispatched Server-Sent Event.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field; nil when the stream did not name the event ("message").
    public var event: String?
    /// All `data:` lines joined with "\n".
    public var data: String
    /// The last event id (persists across events, per WHATWG).
    public var id: String?
    /// The `retry:` value, only on the event where it appeared.
    public var retry: Int?

    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}
