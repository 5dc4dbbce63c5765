import Synchronization

/// What one emulator instance has been told to do with every provider request from now on
/// (`POST /_mock/command`): fail with a status (all, a deterministic share, or the next N),
/// with a `retry-after`, and/or answer after a delay. So tests can run several instances as
/// deployments of one alias and make one of them rate-limited, failing or slow.
/// `DELETE /_mock/command` clears it. Thread-safe: every loop shares one.
final class InstanceCommand: Sendable {
    struct Orders: Sendable, Equatable {
        /// The status failures answer with; nil: none fail.
        var status: Int?
        /// The share of requests that fail, spread evenly (0.5: every second one).
        var ratio = 1.0
        /// At most this many fail; nil: no end.
        var count: Int?
        /// Sent as the failure's `retry-after`.
        var retryAfter: String?
        /// Every answer waits this long first.
        var delayMilliseconds: Int?
    }

    /// What the next request does: fail (with a retry-after), and its delay.
    struct Verdict: Sendable, Equatable {
        var failStatus: Int?
        var retryAfter: String?
        var delayMilliseconds: Int?
    }

    private struct State {
        var orders = Orders()
        var seen = 0
        var failed = 0
    }

    private let state = Mutex(State())

    func set(_ orders: Orders) { state.withLock { $0 = State(orders: orders) } }

    func clear() { set(Orders()) }

    /// Counts the request and says what to do with it.
    func next() -> Verdict {
        state.withLock { s in
            let o = s.orders
            guard let status = o.status else { return Verdict(delayMilliseconds: o.delayMilliseconds) }
            s.seen += 1
            // Request n fails when ⌊n·ratio⌋ grows: ratio 0.5 fails the 2nd, 4th, …
            let due = (Double(s.seen) * o.ratio).rounded(.down) > (Double(s.seen - 1) * o.ratio).rounded(.down)
            guard due, s.failed < (o.count ?? .max) else { return Verdict(delayMilliseconds: o.delayMilliseconds) }
            s.failed += 1
            return Verdict(failStatus: status, retryAfter: o.retryAfter, delayMilliseconds: o.delayMilliseconds)
        }
    }

    /// The orders from `/_mock/command`'s query: `status`, `ratio`, `count`, `retry_after`,
    /// `delay_ms`. Numbers are range-checked; a bad one is named.
    static func orders(_ items: [(String, String)]) -> Result<Orders, CommandError> {
        var orders = Orders()
        for (name, value) in items {
            switch name {
            case "status":
                guard let n = Int(value), (200...599).contains(n) else { return .failure(.init("status: 200 to 599")) }
                orders.status = n
            case "ratio":
                guard let r = Double(value), (0...1).contains(r) else { return .failure(.init("ratio: 0 to 1")) }
                orders.ratio = r
            case "count":
                guard let n = Int(value), (0...1_000_000_000).contains(n) else {
                    return .failure(.init("count: 0 to 1000000000"))
                }
                orders.count = n
            case "retry_after":
                guard !value.isEmpty, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                    return .failure(.init("retry_after: a header value"))
                }
                orders.retryAfter = value
            case "delay_ms":
                guard let n = Int(value), (0...3_600_000).contains(n) else {
                    return .failure(.init("delay_ms: 0 to 3600000"))
                }
                orders.delayMilliseconds = n
            default:
                return .failure(.init("unknown parameter \(name) (status, ratio, count, retry_after, delay_ms)"))
            }
        }
        return .success(orders)
    }

    struct CommandError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
