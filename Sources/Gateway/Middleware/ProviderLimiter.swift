import ChatModel
import HTTPTypes
import Providers
import Synchronization

/// A provider's own limits (configured rpm, tpm, max_concurrent) plus what the provider told
/// us: after a 429, or when its rate-limit headers say nothing is left, the whole provider is
/// held back until the reset. A request that cannot go now waits, up to the configured queue
/// time, instead of failing at once. Pure decisions with an injected clock; safe from any
/// thread.
public final class ProviderLimiter: Sendable {
    public enum Decision: Sendable, Equatable {
        case admitted(ticket: Int)
        /// Try again after this many seconds.
        case wait(Double)
    }

    private struct State {
        var window = KeyWindow()
        var holdUntil = 0.0
    }

    let limits: KeyWindow.Limits
    public let queueTimeoutSeconds: Double
    /// Names this limiter's slot the same on every daemon with the same configuration (its
    /// counts' keys in Redis with the shared limits backend).
    public let identity: String
    private let now: @Sendable () -> Double
    private let state = Mutex(State())

    public init(
        rpm: Int, tpm: Int, maxConcurrent: Int, queueTimeoutSeconds: Double, identity: String = "",
        now: @escaping @Sendable () -> Double
    ) {
        limits = KeyWindow.Limits(
            rpm: rpm > 0 ? rpm : nil, tpm: tpm > 0 ? tpm : nil, maxConcurrent: maxConcurrent > 0 ? maxConcurrent : nil)
        self.queueTimeoutSeconds = queueTimeoutSeconds
        self.identity = identity
        self.now = now
    }

    /// Whether any of rpm, tpm and max_concurrent is set (what Redis counts when shared).
    var isLimited: Bool { limits.rpm != nil || limits.tpm != nil || limits.maxConcurrent != nil }

    /// How much longer every request is held back (after a 429); nil when it is not.
    func heldFor() -> Double? {
        let time = now()
        let until = state.withLock { $0.holdUntil }
        return time < until ? until - time : nil
    }

    public func tryAdmit(estimatedTokens: Int) -> Decision {
        let time = now()
        return state.withLock { s in
            if time < s.holdUntil { return .wait(s.holdUntil - time) }
            switch s.window.admit(estimatedTokens: estimatedTokens, limits: limits, now: time) {
            case .admitted(let ticket, _): return .admitted(ticket: ticket)
            // Concurrency frees up when a request ends, not on a clock: poll soon.
            case .refused(_, let retryAfter, _): return .wait(min(max(retryAfter, 0.005), 1))
            }
        }
    }

    public func complete(ticket: Int, actualTokens: Int) {
        state.withLock { $0.window.complete(ticket: ticket, actualTokens: actualTokens) }
    }

    /// Holds every request to this provider back for `seconds` (after a 429).
    public func holdBack(seconds: Double) {
        let until = now() + seconds.clamped(to: 0...60)
        state.withLock { $0.holdUntil = max($0.holdUntil, until) }
    }

    /// The (remaining, reset) header pairs providers send. Made once: a literal in `learn` would
    /// build the array and its eight strings again for every request (issue 13).
    private static let rateLimitHeaders = [
        ("x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"),
        ("x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"),
        ("anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-reset"),
        ("anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset"),
    ]

    /// Learns from a response's rate-limit headers: nothing remaining means wait for the reset.
    public func learn(from headers: HTTPHeaders) {
        for (remainingName, resetName) in Self.rateLimitHeaders {
            guard RetryHints.header(remainingName, headers) == "0",
                let reset = RetryHints.header(resetName, headers)
            else { continue }
            if let seconds = RetryHints.duration(reset) {
                holdBack(seconds: seconds)
            } else if let at = RetryHints.timestampMillis(reset) {
                holdBack(seconds: (Double(at) - Double(WallClock.unixMillis())) / 1000)
            }
        }
    }
}
