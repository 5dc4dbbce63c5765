import ChatModel
import Arithmetic
import Pricing
import Synchronization

/// The daemon's Prometheus metrics. Safe from any thread; recording is a short critical
/// section (counters in a dictionary), rendering happens only when /metrics is scraped.
public final class MetricsRegistry: Sendable {
    /// Latency histogram bucket bounds, in seconds.
    static let latencyBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        0.5, 1, 2.5, 5, 10, 30, 60,
    ]

    private struct Histogram {
        var counts = [UInt64](repeating: 0, count: MetricsRegistry.latencyBuckets.count)
        var sum = 0.0
        var count: UInt64 = 0
    }

    /// A provider's counters: a finished chat request finds them with one lookup.
    private struct ProviderCounters {
        var attempts: UInt64 = 0
        var retries: UInt64 = 0
        /// Tokens by kind, in `tokenKinds` order.
        var tokens: [UInt64] = [0, 0, 0, 0, 0]
    }

    /// The `kind` label values of `switchboard_tokens_total`, in text order.
    private static let tokenKinds = ["cache_read", "cache_write", "input", "output", "reasoning"]
    /// Label sets of the cost and per-model token counters at most (keys are few; models a
    /// client can name are many): past this, new ones count under `model="other"`.
    static let maxSpendSeries = 1000

    private struct RouteStatus: Hashable {
        var route: String
        var status: Int
    }

    private struct CostKey: Hashable {
        var provider: String
        var model: String
        var keyId: String
    }

    /// One provider, model and key's tokens and dollars, found with one lookup per request.
    private struct Spend {
        /// Tokens by kind, in `tokenKinds` order.
        var tokens: [UInt64] = [0, 0, 0, 0, 0]
        /// Nil until a priced request counts (no cost series before).
        var usd: Double?
    }

    private struct State {
        var requests = SeriesTable<RouteStatus, UInt64>()
        var latency = SeriesTable<String, Histogram>()  // route
        var providers = SeriesTable<String, ProviderCounters>()
        var fallbacks: UInt64 = 0
        /// Tokens and cost by provider, model and key.
        var spend = SeriesTable<CostKey, Spend>()
        var unpriced: [String: UInt64] = [:]  // "provider\u{0}model"
        var chat = ChatHistograms()
    }

    private let state = Mutex(State())

    public init() {}

    /// One finished HTTP exchange.
    public func recordRequest(route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.requests[RouteStatus(route: route, status: status), default: 0] &+= 1
            Self.observe(seconds, in: &s.latency[route, default: Histogram()])
        }
    }

    /// In place: a copy out of the dictionary and back would copy the bucket array per request.
    private static func observe(_ seconds: Double, in histogram: inout Histogram) {
        for (i, bound) in latencyBuckets.enumerated() where seconds <= bound { histogram.counts[i] &+= 1 }
        histogram.sum += seconds
        histogram.count &+= 1
    }

    /// One finished chat request's upstream side.
    public func recordChat(_ record: ChatRecord) {
        state.withLock { Self.count(record, in: &$0) }
    }

    /// One finished chat request's upstream side and cost (`recordChat` and `recordCost`) under
    /// one lock: what every finished request records (issue 13).
    public func recordChat(_ record: ChatRecord, cost: Cost?, keyId: String?) {
        state.withLock { s in
            Self.count(record, in: &s)
            if let provider = record.provider {
                Self.count(cost, usage: record.usage, provider: provider, model: record.model, keyId: keyId, in: &s)
            }
        }
    }

    private static func count(_ record: ChatRecord, in s: inout State) {
        if record.fallbackUsed != nil { s.fallbacks += 1 }
        guard let provider = record.provider else { return }
        count(&s.providers[provider, default: ProviderCounters()], attempts: record.attempts, tokens: record.usage)
        s.chat.observe(
            provider: provider, model: record.model ?? "", alias: record.requestedModel, door: record.door,
            status: record.status,
            firstTokenSeconds: record.firstTokenNanos.map { Double($0) / 1e9 },
            totalSeconds: Double(record.totalNanos) / 1e9, outputTokens: record.usage.outputTokens,
            attemptCount: record.attempts)
    }

    /// Attempts are at most a few (the retry policy's bound); token counts are providers' counts
    /// (clamped, but many of them): a counter holds at its top.
    private static func count(_ counters: inout ProviderCounters, attempts: Int, tokens usage: Usage) {
        counters.attempts = Saturating.add(counters.attempts, UInt64(max(attempts, 0)))
        if attempts > 1 { counters.retries = Saturating.add(counters.retries, UInt64(attempts - 1)) }
        add(usage, to: &counters.tokens)
    }

    /// `usage`'s counts onto `tokens` (in `tokenKinds` order), in place: no array per request.
    private static func add(_ usage: Usage, to tokens: inout [UInt64]) {
        add(usage.cacheReadTokens, to: &tokens[0])
        add(usage.cacheWriteTokens, to: &tokens[1])
        add(usage.inputTokens, to: &tokens[2])
        add(usage.outputTokens, to: &tokens[3])
        add(usage.reasoningTokens, to: &tokens[4])
    }

    private static func add(_ n: Int, to counter: inout UInt64) {
        if n > 0 { counter = Saturating.add(counter, UInt64(n)) }
    }

    /// One finished chat request's cost (SPEC: issue 15): dollars by provider, model and key
    /// (`""` for a request without a key), or one more request without a price. Requests that
    /// reached no provider add nothing.
    /// `usage`: its tokens are counted by the same provider, model and key. Past `maxSpendSeries`
    /// label sets (a client can name any `provider/model`) the rest count under `model="other"`.
    public func recordCost(_ cost: Cost?, usage: Usage = .zero, provider: String?, model: String?, keyId: String?) {
        guard let provider else { return }
        state.withLock { Self.count(cost, usage: usage, provider: provider, model: model, keyId: keyId, in: &$0) }
    }

    private static func count(
        _ cost: Cost?, usage: Usage, provider: String, model: String?, keyId: String?, in s: inout State
    ) {
        var key = CostKey(provider: provider, model: model ?? "", keyId: keyId ?? "")
        // Only at the bound is a second lookup needed: is this a new label set?
        if s.spend.count >= maxSpendSeries && s.spend[key] == nil { key.model = "other" }
        add(usage, cost: cost, to: &s.spend[key, default: Spend()])
        if cost == nil { s.unpriced["\(provider)\u{0}\(key.model)", default: 0] += 1 }
    }

    /// In place, in the dictionary's storage: a copy out and back would copy the token array.
    private static func add(_ usage: Usage, cost: Cost?, to spend: inout Spend) {
        add(usage, to: &spend.tokens)
        // Costs are finite and non-negative (prices and counts are range-checked).
        if let cost { spend.usd = (spend.usd ?? 0) + cost.usd }
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func render(openConnections: Int, inFlightRequests: Int) -> String {
        let s = state.withLock { $0 }
        var out = ""
        out += "# HELP switchboard_http_requests_total HTTP requests answered, by route and status.\n"
        out += "# TYPE switchboard_http_requests_total counter\n"
        for key in s.requests.keys.sorted(by: { ($0.route, $0.status) < ($1.route, $1.status) }) {
            out +=
                "switchboard_http_requests_total{route=\"\(escape(key.route))\",status=\"\(key.status)\"} "
                + "\(s.requests[key]!)\n"
        }
        out += "# HELP switchboard_http_request_duration_seconds Time from request to the end of the response.\n"
        out += "# TYPE switchboard_http_request_duration_seconds histogram\n"
        for route in s.latency.keys.sorted() {
            let h = s.latency[route]!
            let label = "route=\"\(escape(route))\""
            for (i, bound) in Self.latencyBuckets.enumerated() {
                out += "switchboard_http_request_duration_seconds_bucket{\(label),le=\"\(bound)\"} \(h.counts[i])\n"
            }
            out += "switchboard_http_request_duration_seconds_bucket{\(label),le=\"+Inf\"} \(h.count)\n"
            out += "switchboard_http_request_duration_seconds_sum{\(label)} \(h.sum)\n"
            out += "switchboard_http_request_duration_seconds_count{\(label)} \(h.count)\n"
        }
        out += "# HELP switchboard_open_connections Client connections open now.\n"
        out += "# TYPE switchboard_open_connections gauge\n"
        out += "switchboard_open_connections \(openConnections)\n"
        out += "# HELP switchboard_in_flight_requests Requests being answered now.\n"
        out += "# TYPE switchboard_in_flight_requests gauge\n"
        out += "switchboard_in_flight_requests \(inFlightRequests)\n"
        let providers = s.providers.keys.sorted()
        out += "# HELP switchboard_upstream_attempts_total Upstream attempts, by provider.\n"
        out += "# TYPE switchboard_upstream_attempts_total counter\n"
        for p in providers {
            out += "switchboard_upstream_attempts_total{provider=\"\(p)\"} \(s.providers[p]!.attempts)\n"
        }
        out += "# HELP switchboard_upstream_retries_total Upstream attempts that were retries, by provider.\n"
        out += "# TYPE switchboard_upstream_retries_total counter\n"
        for p in providers where s.providers[p]!.retries > 0 {
            out += "switchboard_upstream_retries_total{provider=\"\(p)\"} \(s.providers[p]!.retries)\n"
        }
        out += "# HELP switchboard_fallbacks_total Requests answered by a fallback model.\n"
        out += "# TYPE switchboard_fallbacks_total counter\n"
        out += "switchboard_fallbacks_total \(s.fallbacks)\n"
        out += "# HELP switchboard_tokens_total Tokens reported by providers, by provider and kind.\n"
        out += "# TYPE switchboard_tokens_total counter\n"
        for p in providers {
            for (kind, n) in s.providers[p]!.tokens.enumerated() where n > 0 {
                out += "switchboard_tokens_total{provider=\"\(p)\",kind=\"\(Self.tokenKinds[kind])\"} \(n)\n"
            }
        }
        out +=
            "# HELP switchboard_cost_usd_total What priced requests cost, in US dollars, "
            + "by provider, model and key.\n"
        out += "# TYPE switchboard_cost_usd_total counter\n"
        let spendKeys = s.spend.keys.sorted(by: {
            ($0.provider, $0.model, $0.keyId) < ($1.provider, $1.model, $1.keyId)
        })
        for key in spendKeys {
            guard let usd = s.spend[key]!.usd else { continue }
            out +=
                "switchboard_cost_usd_total{provider=\"\(escape(key.provider))\",model=\"\(escape(key.model))\","
                + "key=\"\(escape(key.keyId))\"} \(usd)\n"
        }
        out +=
            "# HELP switchboard_model_tokens_total Tokens reported by providers, by provider, model, key "
            + "and kind.\n"
        out += "# TYPE switchboard_model_tokens_total counter\n"
        for key in spendKeys {
            let labels =
                "provider=\"\(escape(key.provider))\",model=\"\(escape(key.model))\",key=\"\(escape(key.keyId))\""
            for (kind, n) in s.spend[key]!.tokens.enumerated() where n > 0 {
                out += "switchboard_model_tokens_total{\(labels),kind=\"\(Self.tokenKinds[kind])\"} \(n)\n"
            }
        }
        out +=
            "# HELP switchboard_unpriced_requests_total Requests whose model has no price (no cost recorded), "
            + "by provider and model.\n"
        out += "# TYPE switchboard_unpriced_requests_total counter\n"
        for key in s.unpriced.keys.sorted() {
            let p = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            out +=
                "switchboard_unpriced_requests_total{provider=\"\(escape(p[0]))\",model=\"\(escape(p[1]))\"} "
                + "\(s.unpriced[key]!)\n"
        }
        out += s.chat.render()
        out += ProviderActivity.shared.render()
        return out
    }

    /// A label value in the text format (one rule for every family: `ChatHistograms.escape`).
    private func escape(_ s: Substring) -> String { ChatHistograms.escape(String(s)) }
    private func escape(_ s: String) -> String { ChatHistograms.escape(s) }
}
