/// One key's rate state over a sliding 60-second window: requests, tokens, and requests in
/// flight. Pure: every call takes `now` (seconds), so tests drive it without a clock.
public struct KeyWindow: Sendable, Equatable {
    public static let window = 60.0

    /// (time, tokens) of each admitted request; tokens start as an estimate and are corrected.
    private var entries: [(time: Double, tokens: Int, ticket: Int)] = []
    private var nextTicket = 1
    public private(set) var inFlight = 0

    public init() {}

    public static func == (a: KeyWindow, b: KeyWindow) -> Bool {
        a.inFlight == b.inFlight && a.entries.map(\.tokens) == b.entries.map(\.tokens)
    }

    public struct Limits: Sendable, Equatable {
        public var rpm: Int?
        public var tpm: Int?
        public var maxConcurrent: Int?
        public init(rpm: Int? = nil, tpm: Int? = nil, maxConcurrent: Int? = nil) {
            self.rpm = rpm
            self.tpm = tpm
            self.maxConcurrent = maxConcurrent
        }
    }

    /// What a refusal or an admission tells the client (`x-ratelimit-*`).
    public struct Status: Sendable, Equatable {
        public var limitRequests: Int?
        public var remainingRequests: Int?
        public var resetRequests: Double
        public var limitTokens: Int?
        public var remainingTokens: Int?
        public var resetTokens: Double
    }

    public enum Decision: Sendable, Equatable {
        case admitted(ticket: Int, Status)
        case refused(reason: String, retryAfter: Double, Status)
    }

    private mutating func expire(now: Double) {
        while let first = entries.first, now - first.time >= Self.window { entries.removeFirst() }
    }

    private func status(_ limits: Limits, now: Double) -> Status {
        let tokens = entries.reduce(0) { $0 + $1.tokens }
        let reset = entries.first.map { max(0, $0.time + Self.window - now) } ?? 0
        return Status(limitRequests: limits.rpm, remainingRequests: limits.rpm.map { max(0, $0 - entries.count) },
                      resetRequests: reset, limitTokens: limits.tpm,
                      remainingTokens: limits.tpm.map { max(0, $0 - tokens) }, resetTokens: reset)
    }

    /// Admits a request charging `estimatedTokens` up front, or says why not and when to retry.
    public mutating func admit(estimatedTokens: Int, limits: Limits, now: Double) -> Decision {
        expire(now: now)
        if let max = limits.maxConcurrent, max > 0, inFlight >= max {
            return .refused(reason: "too many concurrent requests for this key (max_concurrent \(max))", retryAfter: 1,
                            status(limits, now: now))
        }
        if let rpm = limits.rpm, rpm > 0, entries.count >= rpm {
            let wait = entries[entries.count - rpm].time + Self.window - now
            return .refused(reason: "request rate limit reached for this key (rpm \(rpm))", retryAfter: wait, status(limits, now: now))
        }
        if let tpm = limits.tpm, tpm > 0 {
            let used = entries.reduce(0) { $0 + $1.tokens }
            if used + estimatedTokens > tpm {
                // Wait until enough of the window's tokens expire (or the whole window, at worst).
                var freed = 0, wait = Self.window
                for entry in entries {
                    freed += entry.tokens
                    if used - freed + estimatedTokens <= tpm { wait = entry.time + Self.window - now; break }
                }
                return .refused(reason: "token rate limit reached for this key (tpm \(tpm))", retryAfter: max(wait, 0.001),
                                status(limits, now: now))
            }
        }
        let ticket = nextTicket
        nextTicket += 1
        entries.append((now, estimatedTokens, ticket))
        inFlight += 1
        return .admitted(ticket: ticket, status(limits, now: now))
    }

    /// The request ended: replace its estimate with the real count.
    public mutating func complete(ticket: Int, actualTokens: Int) {
        inFlight = max(0, inFlight - 1)
        if let i = entries.firstIndex(where: { $0.ticket == ticket }) { entries[i].tokens = actualTokens }
    }

    public var isIdle: Bool { entries.isEmpty && inFlight == 0 }
}
