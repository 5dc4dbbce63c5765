import Synchronization

/// What each provider is doing now (issue 18): upstream attempts in flight, waits at its
/// limiter, and how its latest attempts ended. Read by `/metrics` and `/admin/activity`.
///
/// Process-wide (like `DescriptorExhaustion`): every execution, whichever door made it, reports
/// here without being handed a registry. Touched once per attempt, never per chunk.
public final class ProviderActivity: Sendable {
    public static let shared = ProviderActivity()

    /// One provider's figures.
    public struct Provider: Sendable, Equatable {
        public var inFlight = 0
        /// Times a request waited for a slot at the provider's limiter.
        public var limiterWaits: UInt64 = 0
        /// The waits the limiter announced, added up (seconds).
        public var limiterWaitSeconds = 0.0
        /// Attempts that failed before an answer began, since the last one that answered.
        public var consecutiveFailures = 0
        public var lastSuccessMillis: Int64?
        public var lastFailureMillis: Int64?
    }

    /// Per attempt, the provider found last is found again without hashing its name.
    private let state = Mutex(SeriesTable<String, Provider>())

    public init() {}

    /// An upstream attempt began.
    public func attemptStarted(provider: String) {
        state.withLock { $0[provider, default: Provider()].inFlight += 1 }
    }

    /// An upstream attempt ended: `answered` true when its answer began (whatever came after),
    /// false when the provider failed it, nil when the attempt says nothing of the provider (the
    /// client left, or the provider refused the client's request as invalid).
    public func attemptEnded(provider: String, answered: Bool?, nowMillis: Int64) {
        state.withLock { s in
            // In place: one lookup, not a copy out and a second lookup to store it back.
            Self.attemptEnded(&s[provider, default: Provider()], answered: answered, nowMillis: nowMillis)
        }
    }

    private static func attemptEnded(_ p: inout Provider, answered: Bool?, nowMillis: Int64) {
        p.inFlight = max(0, p.inFlight - 1)
        if answered == true {
            p.consecutiveFailures = 0
            p.lastSuccessMillis = nowMillis
        } else if answered == false {
            // Bounded by the attempts this process can make; saturates rather than traps.
            p.consecutiveFailures = p.consecutiveFailures == Int.max ? Int.max : p.consecutiveFailures + 1
            p.lastFailureMillis = nowMillis
        }
    }

    /// A request found the provider's limiter full and waits `seconds` for a slot.
    public func limiterWait(provider: String, seconds: Double) {
        state.withLock { s in
            s[provider, default: Provider()].limiterWaits &+= 1
            if seconds.isFinite, seconds > 0 { s[provider, default: Provider()].limiterWaitSeconds += seconds }
        }
    }

    /// Every provider seen so far, by name.
    public var providers: [String: Provider] { state.withLock { $0.dictionary } }

    /// The gauge and counters in the Prometheus text format.
    func render() -> String {
        let all = providers
        let names = all.keys.sorted()
        var out = "# HELP switchboard_upstream_in_flight Upstream attempts (streams) in flight, by provider.\n"
        out += "# TYPE switchboard_upstream_in_flight gauge\n"
        for name in names {
            out +=
                "switchboard_upstream_in_flight{provider=\"\(ChatHistograms.escape(name))\"} \(all[name]!.inFlight)\n"
        }
        out += "# HELP switchboard_provider_limiter_waits_total Requests that waited at a provider's limiter.\n"
        out += "# TYPE switchboard_provider_limiter_waits_total counter\n"
        for name in names {
            let label = ChatHistograms.escape(name)
            out += "switchboard_provider_limiter_waits_total{provider=\"\(label)\"} \(all[name]!.limiterWaits)\n"
        }
        out +=
            "# HELP switchboard_provider_limiter_wait_seconds_total Waits announced by providers' limiters, "
            + "added up.\n"
        out += "# TYPE switchboard_provider_limiter_wait_seconds_total counter\n"
        for name in names {
            let label = ChatHistograms.escape(name)
            out +=
                "switchboard_provider_limiter_wait_seconds_total{provider=\"\(label)\"} "
                + "\(all[name]!.limiterWaitSeconds)\n"
        }
        return out
    }
}

extension ChatOutcome {
    /// What this attempt says of its provider's health (`ProviderActivity.attemptEnded`): a
    /// failure counts when it was the provider's (5xx, overloaded, rate limited, unreachable).
    var providerVerdict: Bool? {
        switch result {
        case .completed: return true
        case .cancelled: return nil
        case .failedBeforeFirstByte(let failure):
            return failure.retryable || failure.error.status >= 500 || failure.error.status == 429 ? false : nil
        }
    }
}
