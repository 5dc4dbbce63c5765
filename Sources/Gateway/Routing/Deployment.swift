import Logging
import Synchronization

/// One place an alias's requests can go: a provider (one key of its pool) and a model, with
/// a weight, live health and in-flight count. Shared by every event loop: the health sits
/// behind a small lock of its own, the in-flight count is an atomic. Built with the
/// snapshot; a reload starts afresh.
public final class Deployment: Sendable {
    public let alias: String
    public let provider: String
    /// Which key of the provider's pool (0 without a pool).
    public let keyIndex: Int
    /// The pool key's variable name (never its value); nil without a pool.
    public let keyName: String?
    public let model: String
    public let weight: Double
    /// "provider/model" or "provider[KEY_VAR]/model": a metric label and a log field.
    public let label: String
    /// The deployment's own slot when it has limits of its own (its key's endpoint, its own
    /// limiter); nil: the provider's slot for its key.
    public let slot: ProviderSlot?
    private let health: Mutex<DeploymentHealth>
    private let inFlightCount = Atomic<Int>(0)
    private let now: @Sendable () -> Double
    private static let logger = Logger(label: "switchboard.routing")

    public init(
        alias: String, provider: String, keyIndex: Int = 0, keyName: String? = nil, model: String, weight: Double,
        policy: HealthPolicy = HealthPolicy(), slot: ProviderSlot? = nil, now: @escaping @Sendable () -> Double
    ) {
        self.slot = slot
        self.alias = alias
        self.provider = provider
        self.keyIndex = keyIndex
        self.keyName = keyName
        self.model = model
        self.weight = weight
        self.now = now
        label = keyName.map { "\(provider)[\($0)]/\(model)" } ?? "\(provider)/\(model)"
        health = Mutex(DeploymentHealth(policy: policy))
    }

    public var inFlight: Int { inFlightCount.load(ordering: .relaxed) }

    /// The health as it stands (for `/v1/models` and `/metrics`).
    public var snapshot: DeploymentHealth { health.withLock { $0 } }

    public func availability(at time: Double) -> DeploymentHealth.Availability {
        health.withLock { $0.availability(now: time) }
    }

    /// What choosing a route needs of a deployment, read under one lock.
    struct Admission {
        /// Out until then (monotonic seconds); nil: the request may go.
        var outUntil: Double?
        /// Out for a rate limit (a quota), not for a fault.
        var rateLimited: Bool
        /// Time to first token (EWMA), nil until measured.
        var latencySeconds: Double?
    }

    /// Whether a request may go now (takes the half-open probe), with why not and the latency.
    func admit(at time: Double) -> Admission {
        let (availability, changed, state, latency) = health.withLock { h in
            let (a, changed) = h.admit(now: time)
            return (a, changed, h.state, h.latencySeconds)
        }
        if changed { logChange(to: state, at: time) }
        guard case .out(let until) = availability else {
            return Admission(outUntil: nil, rateLimited: false, latencySeconds: latency)
        }
        var rateLimited = false
        if case .cooling(_, true) = state { rateLimited = true }
        return Admission(outUntil: until, rateLimited: rateLimited, latencySeconds: latency)
    }

    func attemptStarted() { inFlightCount.add(1, ordering: .relaxed) }

    /// An attempt that `attemptStarted` counted is over. Returns why and until when (monotonic
    /// seconds) the attempt took the deployment out, nil when it did not (for the other
    /// daemons to hear).
    @discardableResult
    func attemptEnded(_ outcome: DeploymentHealth.Outcome) -> (until: Double, why: DeploymentHealth.OutElsewhere)? {
        inFlightCount.subtract(1, ordering: .relaxed)
        let time = now()
        let (changed, state, out) = health.withLock { h in (h.record(outcome, now: time), h.state, h.outReason) }
        guard changed else { return nil }
        logChange(to: state, at: time)
        return out
    }

    /// Another daemon took this deployment out until `until` (monotonic seconds here).
    func outElsewhere(until: Double, why: DeploymentHealth.OutElsewhere) {
        let time = now()
        let (changed, state) = health.withLock { h in (h.outElsewhere(until: until, why: why, now: time), h.state) }
        if changed { logChange(to: state, at: time, elsewhere: true) }
    }

    private func logChange(to state: DeploymentHealth.State, at time: Double, elsewhere: Bool = false) {
        var metadata: Logger.Metadata = ["alias": "\(alias)", "deployment": "\(label)"]
        if elsewhere { metadata["learned_from"] = "another daemon" }
        let message: Logger.Message
        switch state {
        case .healthy: message = "deployment healthy"
        case .cooling(let until, let rateLimited):
            message =
                rateLimited ? "deployment cooling down after a rate limit" : "deployment cooling down after a failure"
            metadata["seconds"] = "\(Self.rounded(until - time))"
        case .open(let until):
            message = "deployment breaker open"
            metadata["seconds"] = "\(Self.rounded(until - time))"
        case .halfOpen: message = "deployment breaker half-open: one probe"
        }
        Self.logger.notice(message, metadata: metadata)
    }

    private static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
