import ChatModel
import Synchronization

/// The last chat requests that ended in an error, newest first, for `GET /admin/errors` and
/// the dashboard: what an operator needs to find the request in the logs (its id), whose it
/// was and what the client was told. Never a prompt or an answer: the message is the
/// gateway's error text, already scrubbed of the configuration's secrets.
public final class RecentErrors: Sendable {
    /// Errors kept (a ring): enough for a page, small enough to copy on every read.
    public static let capacity = 100

    public struct Entry: Sendable, Equatable {
        public var timeMillis: Int64
        public var requestId: String
        public var keyId: String?
        /// The name the client asked for.
        public var model: String
        /// The provider that failed it (nil: refused before any attempt).
        public var provider: String?
        public var status: Int
        public var type: String
        public var message: String
    }

    private struct Ring {
        var entries: [Entry] = []
        var next = 0
    }

    private let ring = Mutex(Ring())

    public init() {}

    /// Keeps `record` when it ended in an error.
    func note(_ record: ChatRecord, keyId: String?, nowMillis: Int64) {
        // A client that left (499) is no error of the gateway's; a stream cut by one is.
        guard (record.status >= 400 && record.status != 499) || record.error != nil || record.finishReason == .error
        else { return }
        let entry = Entry(
            timeMillis: nowMillis, requestId: record.requestId, keyId: keyId, model: record.requestedModel,
            provider: record.provider, status: record.status, type: record.error?.type.rawValue ?? "error",
            message: record.error?.message ?? "the answer stream ended in an error")
        ring.withLock { r in
            if r.entries.count < Self.capacity {
                r.entries.append(entry)
            } else {
                r.entries[r.next] = entry
            }
            r.next = (r.next + 1) % Self.capacity
        }
    }

    /// At most `limit` entries, newest first.
    public func latest(_ limit: Int) -> [Entry] {
        let (entries, next) = ring.withLock { ($0.entries, $0.next) }
        // Before the ring is full, `next` is the count: the newest is just before it either way.
        var out: [Entry] = []
        out.reserveCapacity(min(limit, entries.count))
        var i = next
        while out.count < min(limit, entries.count) {
            i = (i - 1 + entries.count) % entries.count
            out.append(entries[i])
        }
        return out
    }
}
