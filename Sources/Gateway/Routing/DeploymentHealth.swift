import Arithmetic

/// One deployment's health, without any I/O or clock: a value the caller moves on with the
/// time and what each attempt came to.
///
///     healthy ─429─▶ cooling(until: Retry-After) ─time─▶ healthy
///     healthy ─5xx/529/timeout/reset─▶ cooling(until: base · 2^(n-1), capped) ─time or success─▶ healthy
///     any ─error ratio over the window ≥ threshold─▶ open(until) ─time─▶ halfOpen (one probe)
///     halfOpen ─probe succeeds─▶ healthy   halfOpen ─probe fails─▶ open(until)
public struct DeploymentHealth: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case healthy
        case cooling(until: Double, rateLimited: Bool)
        case open(until: Double)
        /// One probe may go; `probeSince` is when it went (nil: none yet). A probe that never
        /// reports back (its request went elsewhere) frees the slot after `openSeconds`.
        case halfOpen(probeSince: Double?)
    }

    /// What one attempt came to, as far as the deployment's health is concerned.
    public enum Outcome: Sendable, Equatable {
        /// An answer began; `latencySeconds` is its time to first token.
        case success(latencySeconds: Double?)
        case rateLimited(retryAfterSeconds: Double?)
        /// 5xx, 529, a timeout, a reset: the deployment's fault.
        case failed
        /// Cancelled, or refused for the request's own fault: says nothing of the deployment.
        case neutral
    }

    public enum Availability: Sendable, Equatable {
        case available
        /// Out until then (monotonic seconds).
        case out(until: Double)
    }

    public let policy: HealthPolicy
    /// Set by `record`, `admit` and `outElsewhere` (DeploymentHealth+Elsewhere.swift) only.
    public internal(set) var state = State.healthy
    public private(set) var failuresInARow = 0
    /// Bit i set: the i-th most recent judged request failed.
    private var recent: UInt64 = 0
    public private(set) var recentCount = 0
    /// Time to first token, smoothed (α = 0.3); nil until one is measured.
    public private(set) var latencySeconds: Double?

    public init(policy: HealthPolicy = HealthPolicy()) {
        var policy = policy
        policy.window = min(max(policy.window, 1), 64)
        policy.minRequests = min(max(policy.minRequests, 1), policy.window)
        self.policy = policy
    }

    public var recentErrors: Int { recent.nonzeroBitCount }

    /// Whether a request may go now, without taking the half-open probe.
    public func availability(now: Double) -> Availability {
        switch state {
        case .healthy: return .available
        case .cooling(let until, _), .open(let until): return now >= until ? .available : .out(until: until)
        case .halfOpen(let since):
            guard let since, now - since < policy.openSeconds else { return .available }
            return .out(until: since + policy.openSeconds)
        }
    }

    /// Whether a request may go now; moves a state whose time is up on (cooling to healthy,
    /// open to half-open) and takes the half-open probe. Returns whether the state changed.
    public mutating func admit(now: Double) -> (Availability, changed: Bool) {
        switch state {
        case .healthy:
            return (.available, false)
        case .cooling(let until, _):
            guard now >= until else { return (.out(until: until), false) }
            state = .healthy
            return (.available, true)
        case .open(let until):
            guard now >= until else { return (.out(until: until), false) }
            state = .halfOpen(probeSince: now)
            return (.available, true)
        case .halfOpen(let since):
            if let since, now - since < policy.openSeconds { return (.out(until: since + policy.openSeconds), false) }
            state = .halfOpen(probeSince: now)
            return (.available, false)
        }
    }

    /// Learns from one attempt. Returns whether the state changed.
    @discardableResult
    public mutating func record(_ outcome: Outcome, now: Double) -> Bool {
        let before = state
        switch outcome {
        case .success(let latency):
            if let latency, latency.isFinite, latency >= 0 {
                latencySeconds = latencySeconds.map { $0 + 0.3 * (latency - $0) } ?? latency
            }
            failuresInARow = 0
            if case .halfOpen = state {
                state = .healthy
                recent = 0
                recentCount = 0
            } else {
                push(failed: false)
                // It just answered (a retry on it, or a request sent before the cool-down): a
                // fault's cool-down is over. A rate limit's stays: the quota's reset time holds.
                if case .cooling(_, rateLimited: false) = state { state = .healthy }
            }
        case .rateLimited(let hint):
            // A quota, not a fault: the breaker does not count it.
            let wait = (hint ?? policy.rateLimitSeconds).clamped(to: 0...HealthPolicy.longestOut)
            if case .open = state { break }
            state = .cooling(until: max(until(of: state) ?? now, now + wait), rateLimited: true)
        case .failed:
            failuresInARow = min(failuresInARow + 1, 62)
            if case .halfOpen = state {
                state = .open(until: now + policy.openSeconds)
                break
            }
            if case .open = state { break }  // a request sent before it opened
            push(failed: true)
            if recentCount >= policy.minRequests,
                Double(recentErrors) >= policy.errorRatio * Double(recentCount)
            {
                state = .open(until: now + policy.openSeconds)
            } else if policy.cooldownSeconds > 0 {
                let doubled = policy.cooldownSeconds * Double(sign: .plus, exponent: failuresInARow - 1, significand: 1)
                let wait = min(doubled, policy.cooldownMaxSeconds)
                state = .cooling(until: max(until(of: state) ?? now, now + wait), rateLimited: false)
            }
        case .neutral:
            if case .halfOpen = state { state = .halfOpen(probeSince: nil) }
        }
        return state != before
    }

    private func until(of state: State) -> Double? {
        if case .cooling(let until, _) = state { return until }
        return nil
    }

    private mutating func push(failed: Bool) {
        let mask: UInt64 = policy.window == 64 ? .max : (1 << UInt64(policy.window)) - 1
        recent = ((recent << 1) | (failed ? 1 : 0)) & mask
        recentCount = min(recentCount + 1, policy.window)
    }
}
