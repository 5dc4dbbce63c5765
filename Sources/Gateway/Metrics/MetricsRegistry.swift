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

    private struct State {
        var requests: [String: UInt64] = [:]  // "route\u{0}status"
        var latency: [String: Histogram] = [:]  // route
        var upstreamAttempts: [String: UInt64] = [:]  // provider
        var retries: [String: UInt64] = [:]  // provider
        var fallbacks: UInt64 = 0
        var tokens: [String: UInt64] = [:]  // "provider\u{0}kind"
        var cost: [String: Double] = [:]  // "provider\u{0}model\u{0}key"
        var unpriced: [String: UInt64] = [:]  // "provider\u{0}model"
        var chat = ChatHistograms()
    }

    private let state = Mutex(State())

    public init() {}

    /// One finished HTTP exchange.
    public func recordRequest(route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.requests["\(route)\u{0}\(status)", default: 0] += 1
            var histogram = s.latency[route] ?? Histogram()
            for (i, bound) in Self.latencyBuckets.enumerated() where seconds <= bound {
                histogram.counts[i] += 1
            }
            histogram.sum += seconds
            histogram.count += 1
            s.latency[route] = histogram
        }
    }

    /// One finished chat request's upstream side.
    public func recordChat(_ record: ChatRecord) {
        state.withLock { s in
            if let provider = record.provider {
                s.upstreamAttempts[provider, default: 0] += UInt64(record.attempts)
                if record.attempts > 1 { s.retries[provider, default: 0] += UInt64(record.attempts - 1) }
                let u = record.usage
                for (kind, n) in [
                    ("input", u.inputTokens), ("output", u.outputTokens), ("cache_read", u.cacheReadTokens),
                    ("cache_write", u.cacheWriteTokens), ("reasoning", u.reasoningTokens),
                ] where n > 0 {
                    // Provider counts (clamped, but many of them): the counter holds at its top.
                    let key = "\(provider)\u{0}\(kind)"
                    s.tokens[key] = Saturating.add(s.tokens[key] ?? 0, UInt64(n))
                }
            }
            if record.fallbackUsed != nil { s.fallbacks += 1 }
            if let provider = record.provider {
                s.chat.observe(
                    provider: provider, model: record.model ?? "", door: record.door, status: record.status,
                    firstTokenSeconds: record.firstTokenNanos.map { Double($0) / 1e9 },
                    totalSeconds: Double(record.totalNanos) / 1e9, outputTokens: record.usage.outputTokens,
                    attemptCount: record.attempts)
            }
        }
    }

    /// One finished chat request's cost (SPEC: issue 15): dollars by provider, model and key
    /// (`""` for a request without a key), or one more request without a price. Requests that
    /// reached no provider add nothing.
    public func recordCost(_ cost: Cost?, provider: String?, model: String?, keyId: String?) {
        guard let provider else { return }
        let model = model ?? ""
        state.withLock { s in
            if let cost {
                let key = "\(provider)\u{0}\(model)\u{0}\(keyId ?? "")"
                // Costs are finite and non-negative (prices and counts are range-checked).
                s.cost[key, default: 0] += cost.usd
            } else {
                s.unpriced["\(provider)\u{0}\(model)", default: 0] += 1
            }
        }
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func render(openConnections: Int, inFlightRequests: Int) -> String {
        let s = state.withLock { $0 }
        var out = ""
        out += "# HELP switchboard_http_requests_total HTTP requests answered, by route and status.\n"
        out += "# TYPE switchboard_http_requests_total counter\n"
        for key in s.requests.keys.sorted() {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            out +=
                "switchboard_http_requests_total{route=\"\(escape(parts[0]))\",status=\"\(parts[1])\"} "
                + "\(s.requests[key]!)\n"
        }
        out += "# HELP switchboard_http_request_duration_seconds Time from request to the end of the response.\n"
        out += "# TYPE switchboard_http_request_duration_seconds histogram\n"
        for route in s.latency.keys.sorted() {
            let h = s.latency[route]!
            let label = "route=\"\(escape(Substring(route)))\""
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
        out += counterFamily(
            "switchboard_upstream_attempts_total", "Upstream attempts, by provider.", "provider", s.upstreamAttempts)
        out += counterFamily(
            "switchboard_upstream_retries_total", "Upstream attempts that were retries, by provider.", "provider",
            s.retries)
        out += "# HELP switchboard_fallbacks_total Requests answered by a fallback model.\n"
        out += "# TYPE switchboard_fallbacks_total counter\n"
        out += "switchboard_fallbacks_total \(s.fallbacks)\n"
        out += "# HELP switchboard_tokens_total Tokens reported by providers, by provider and kind.\n"
        out += "# TYPE switchboard_tokens_total counter\n"
        for key in s.tokens.keys.sorted() {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            out += "switchboard_tokens_total{provider=\"\(parts[0])\",kind=\"\(parts[1])\"} \(s.tokens[key]!)\n"
        }
        out +=
            "# HELP switchboard_cost_usd_total What priced requests cost, in US dollars, "
            + "by provider, model and key.\n"
        out += "# TYPE switchboard_cost_usd_total counter\n"
        for key in s.cost.keys.sorted() {
            let p = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            out +=
                "switchboard_cost_usd_total{provider=\"\(escape(p[0]))\",model=\"\(escape(p[1]))\","
                + "key=\"\(escape(p[2]))\"} \(s.cost[key]!)\n"
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

    private func counterFamily(_ name: String, _ help: String, _ label: String, _ values: [String: UInt64]) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
        for key in values.keys.sorted() { out += "\(name){\(label)=\"\(key)\"} \(values[key]!)\n" }
        return out
    }

    /// A label value in the text format (one rule for every family: `ChatHistograms.escape`).
    private func escape(_ s: Substring) -> String { ChatHistograms.escape(String(s)) }
}
