import Arithmetic

/// One key's rate state over a sliding 60-second window: requests, tokens, and requests in
/// flight. Pure: every call takes `now` (seconds), so tests drive it without a clock.
public struct KeyWindow: Sendable, Equatable {
    public static let window = 60.0

    /// (time, tokens, ticket) of each admitted request, oldest first; tokens start as an
    /// estimate and are corrected. Expired entries are skipped by `head` and compacted in bulk,
    /// and the token sum is kept as it changes: admitting is O(1) amortized however busy the
    /// window (a provider's window holds every request of the last minute). Token arithmetic
    /// saturates: the counts come from providers.
    private var entries: [(time: Double, tokens: Int, ticket: Int)] = []
    private var head = 0
    private var tokenSum = 0
    private var nextTicket = 1
    public private(set) var inFlight = 0

    public init() {}

    /// Live entries, oldest first.
    private var live: ArraySlice<(time: Double, tokens: Int, ticket: Int)> { entries[head...] }

    public static func == (a: KeyWindow, b: KeyWindow) -> Bool {
        a.inFlight == b.inFlight && a.live.map(\.tokens) == b.live.map(\.tokens)
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

    private var count: Int { entries.count - head }

    private mutating func expire(now: Double) {
        while head < entries.count, now - entries[head].time >= Self.window {
            tokenSum = Saturating.subtract(tokenSum, entries[head].tokens)
            head += 1
        }
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
            tokenSum = 0  // exact again, even after sums that saturated

        } else if head > 1024 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }

    private func status(_ limits: Limits, now: Double) -> Status {
        let reset = head < entries.count ? max(0, entries[head].time + Self.window - now) : 0
        return Status(
            limitRequests: limits.rpm, remainingRequests: limits.rpm.map { max(0, $0 - count) },
            resetRequests: reset, limitTokens: limits.tpm,
            remainingTokens: limits.tpm.map { max(0, Saturating.subtract($0, tokenSum)) }, resetTokens: reset)
    }

    /// Admits a request charging `estimatedTokens` up front, or says why not and when to retry.
    public mutating func admit(estimatedTokens: Int, limits: Limits, now: Double) -> Decision {
        expire(now: now)
        if let max = limits.maxConcurrent, max > 0, inFlight >= max {
            return .refused(
                reason: "too many concurrent requests for this key (max_concurrent \(max))", retryAfter: 1,
                status(limits, now: now))
        }
        if let rpm = limits.rpm, rpm > 0, count >= rpm {
            let wait = entries[entries.count - rpm].time + Self.window - now
            return .refused(
                reason: "request rate limit reached for this key (rpm \(rpm))", retryAfter: wait,
                status(limits, now: now))
        }
        if let tpm = limits.tpm, tpm > 0 {
            let used = tokenSum
            if Saturating.add(used, estimatedTokens) > tpm {
                // Wait until enough of the window's tokens expire (or the whole window, at worst).
                var freed = 0, wait = Self.window
                for entry in live {
                    freed = Saturating.add(freed, entry.tokens)
                    if Saturating.add(Saturating.subtract(used, freed), estimatedTokens) <= tpm {
                        wait = entry.time + Self.window - now
                        break
                    }
                }
                return .refused(
                    reason: "token rate limit reached for this key (tpm \(tpm))", retryAfter: max(wait, 0.001),
                    status(limits, now: now))
            }
        }
        let ticket = nextTicket
        nextTicket += 1
        inFlight += 1
        // Without a request or token limit nothing needs the history: only concurrency counts.
        if limits.rpm ?? 0 > 0 || limits.tpm ?? 0 > 0 {
            entries.append((now, estimatedTokens, ticket))
            tokenSum = Saturating.add(tokenSum, estimatedTokens)
        }
        return .admitted(ticket: ticket, status(limits, now: now))
    }

    /// The request ended: replace its estimate with the real count.
    public mutating func complete(ticket: Int, actualTokens: Int) {
        inFlight = max(0, inFlight - 1)
        // Tickets grow with each entry, so the entry (if still in the window) is found by bisection.
        var low = head, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].ticket < ticket { low = mid + 1 } else { high = mid }
        }
        if low < entries.count, entries[low].ticket == ticket {
            tokenSum = Saturating.add(tokenSum, Saturating.subtract(actualTokens, entries[low].tokens))
            entries[low].tokens = actualTokens
        }
    }

    public var isIdle: Bool { count == 0 && inFlight == 0 }
}
