/// What another daemon learned of a deployment (through Redis, `SharedCooldowns`): it took
/// the deployment out until a time, so this daemon does too, without a request of its own.
extension DeploymentHealth {
    /// Why another daemon took the deployment out.
    public enum OutElsewhere: String, Sendable, Equatable {
        /// A 429: the provider's `Retry-After` or rate-limit reset.
        case rateLimited = "rate_limited"
        /// A 5xx, 529, timeout or reset: a failure's cool-down.
        case failed
        /// Its error-ratio breaker opened.
        case open
    }

    /// Another daemon took the deployment out until `until` (monotonic seconds on this
    /// daemon's clock). A time already past changes nothing; an earlier end than this
    /// daemon's own never shortens it. The breaker's window and the failures in a row are
    /// this daemon's own judgement and stay as they are; a breaker opened elsewhere is a
    /// cool-down here (the half-open probe is the daemon's that opened it). Returns whether
    /// the state changed.
    @discardableResult
    public mutating func outElsewhere(until: Double, why: OutElsewhere, now: Double) -> Bool {
        guard until.isFinite, until > now else { return false }
        let end = min(until, now + HealthPolicy.longestOut)
        let before = state
        switch state {
        case .healthy:
            state = .cooling(until: end, rateLimited: why == .rateLimited)
        case .cooling(let current, let rateLimited):
            guard end > current else { return false }
            // A rate limit's end holds against a later success; a fault's does not.
            state = .cooling(until: end, rateLimited: rateLimited || why == .rateLimited)
        case .open(let current):
            guard end > current else { return false }
            state = .open(until: end)
        case .halfOpen:
            // Its probe may be on the way; the other daemon's verdict is newer.
            state = .cooling(until: end, rateLimited: why == .rateLimited)
        }
        return state != before
    }

    /// Why the deployment is out and until when, to tell the other daemons; nil when it is
    /// not out (healthy, half-open).
    public var outReason: (until: Double, why: OutElsewhere)? {
        switch state {
        case .cooling(let until, let rateLimited): return (until, rateLimited ? .rateLimited : .failed)
        case .open(let until): return (until, .open)
        case .healthy, .halfOpen: return nil
        }
    }
}
