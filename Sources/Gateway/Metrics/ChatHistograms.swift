/// Per-request chat histograms for `/metrics` (issue 18): time to first token, total duration,
/// output tokens per second and upstream attempts, by provider, upstream model, door and
/// status class. Label sets are bounded: past `maxSeries` distinct ones (a client can name any
/// `provider/model`), further requests count under `model="other"`.
///
/// A value type kept inside `MetricsRegistry`'s lock.
struct ChatHistograms {
    static let maxSeries = 200
    static let secondsBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
    static let rateBuckets: [Double] = [1, 5, 10, 25, 50, 100, 200, 400, 800, 1600]
    static let attemptBuckets: [Double] = [1, 2, 3, 4, 5, 10]
    private static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    struct Histogram {
        var counts: [UInt64]
        var sum = 0.0
        var count: UInt64 = 0

        init(buckets: Int) { counts = [UInt64](repeating: 0, count: buckets) }

        mutating func observe(_ value: Double, _ bounds: [Double]) {
            guard value.isFinite, value >= 0 else { return }
            for (i, bound) in bounds.enumerated() where value <= bound { counts[i] &+= 1 }
            sum += value
            count &+= 1
        }
    }

    /// `provider="…",model="…",door="…",status_class="…"` (escaped) → histogram.
    private(set) var firstToken: [String: Histogram] = [:]
    private(set) var duration: [String: Histogram] = [:]
    private(set) var outputRate: [String: Histogram] = [:]
    private(set) var attempts: [String: Histogram] = [:]

    /// One finished chat request that reached a provider.
    mutating func observe(
        provider: String, model: String, door: String = "chat", status: Int, firstTokenSeconds: Double?,
        totalSeconds: Double, outputTokens: Int, attemptCount: Int
    ) {
        let statusClass = Self.statusClasses[min(max(status, 100), 599) / 100 - 1]
        var labels = Self.labels(provider: provider, model: model, door: door, statusClass: statusClass)
        if duration[labels] == nil && duration.count >= Self.maxSeries {
            labels = Self.labels(provider: provider, model: "other", door: door, statusClass: statusClass)
        }
        if let firstTokenSeconds {
            firstToken[labels, default: Histogram(buckets: Self.secondsBuckets.count)]
                .observe(firstTokenSeconds, Self.secondsBuckets)
        }
        duration[labels, default: Histogram(buckets: Self.secondsBuckets.count)].observe(
            totalSeconds, Self.secondsBuckets)
        attempts[labels, default: Histogram(buckets: Self.attemptBuckets.count)]
            .observe(Double(attemptCount), Self.attemptBuckets)
        // Output speed after the first token: what a reader of the stream experiences.
        if let firstTokenSeconds, outputTokens > 0, totalSeconds > firstTokenSeconds {
            outputRate[labels, default: Histogram(buckets: Self.rateBuckets.count)]
                .observe(Double(outputTokens) / (totalSeconds - firstTokenSeconds), Self.rateBuckets)
        }
    }

    static func labels(provider: String, model: String, door: String = "chat", statusClass: String) -> String {
        var out = "provider=\""
        out.reserveCapacity(provider.utf8.count + model.utf8.count + 40)
        out += escape(provider)
        out += "\",model=\""
        out += escape(model)
        out += "\",door=\""
        out += door
        out += "\",status_class=\""
        out += statusClass
        out += "\""
        return out
    }

    /// The four families in the Prometheus text format.
    func render() -> String {
        var out = ""
        out += Self.family(
            "switchboard_chat_time_to_first_token_seconds",
            "Time from an answering attempt's start to its first content.", firstToken, Self.secondsBuckets)
        out += Self.family(
            "switchboard_chat_duration_seconds",
            "Time from a chat request's admission to its end.", duration, Self.secondsBuckets)
        out += Self.family(
            "switchboard_chat_output_tokens_per_second",
            "Output tokens per second after the first token.", outputRate, Self.rateBuckets)
        out += Self.family(
            "switchboard_chat_upstream_attempts",
            "Upstream attempts per chat request (retries and fallbacks included).", attempts,
            Self.attemptBuckets)
        return out
    }

    private static func family(
        _ name: String, _ help: String, _ series: [String: Histogram],
        _ bounds: [Double]
    ) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for labels in series.keys.sorted() {
            let h = series[labels]!
            for (i, bound) in bounds.enumerated() {
                out += "\(name)_bucket{\(labels),le=\"\(bound)\"} \(h.counts[i])\n"
            }
            out += "\(name)_bucket{\(labels),le=\"+Inf\"} \(h.count)\n"
            out += "\(name)_sum{\(labels)} \(h.sum)\n\(name)_count{\(labels)} \(h.count)\n"
        }
        return out
    }

    /// A Prometheus label value: backslash, double quote and line feed escaped.
    static func escape(_ s: String) -> String {
        // Per request: names almost never need escaping, and a byte scan is cheap.
        if !s.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) {
            return s
        }
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
