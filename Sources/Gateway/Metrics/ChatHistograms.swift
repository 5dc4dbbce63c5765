/// Per-request chat histograms for `/metrics` (issue 18): time to first token, total duration,
/// output tokens per second and upstream attempts, by provider, upstream model, the model the
/// client named (alias), door and status class. Label sets are bounded: past `maxSeries`
/// distinct ones (a client can name any `provider/model`), further requests count under
/// `model="other",alias="other"`.
///
/// A value type kept inside `MetricsRegistry`'s lock.
struct ChatHistograms {
    static let maxSeries = 200
    static let secondsBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
    static let rateBuckets: [Double] = [1, 5, 10, 25, 50, 100, 200, 400, 800, 1600]
    static let attemptBuckets: [Double] = [1, 2, 3, 4, 5, 10]
    private static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    /// One histogram's buckets, each counting only its own range: `render` makes them cumulative,
    /// so an observation is one increment, not one per bucket above it.
    struct Histogram {
        var counts: [UInt64]
        var sum = 0.0
        var count: UInt64 = 0

        init(buckets: Int) { counts = [UInt64](repeating: 0, count: buckets) }

        mutating func observe(_ value: Double, _ bounds: [Double]) {
            guard value.isFinite, value >= 0 else { return }
            if let i = bounds.firstIndex(where: { value <= $0 }) { counts[i] &+= 1 }
            sum += value
            count &+= 1
        }
    }

    /// A label set. Escaped into text only when `/metrics` is rendered.
    struct SeriesKey: Hashable {
        var provider: String
        var model: String
        /// What the client named: an alias, or `provider/model`.
        var alias: String
        /// The front door: chat, openai, anthropic or responses (a fixed set).
        var door: String
        /// The status's first digit, 1 to 5.
        var statusClass: Int
    }

    /// One label set's histograms; first token and output rate exist once observed.
    struct Series {
        var firstToken: Histogram?
        var duration = Histogram(buckets: ChatHistograms.secondsBuckets.count)
        var outputRate: Histogram?
        var attempts = Histogram(buckets: ChatHistograms.attemptBuckets.count)
    }

    /// Per request one lookup finds the label set's series, updated in place.
    private(set) var series = SeriesTable<SeriesKey, Series>()

    /// One finished chat request that reached a provider.
    mutating func observe(
        provider: String, model: String, alias: String, door: String = "chat", status: Int,
        firstTokenSeconds: Double?,
        totalSeconds: Double, outputTokens: Int, attemptCount: Int
    ) {
        var key = SeriesKey(
            provider: provider, model: model, alias: alias, door: door,
            statusClass: min(max(status, 100), 599) / 100)
        if series.count >= Self.maxSeries && series[key] == nil {
            key.model = "other"
            key.alias = "other"
        }
        series[key, default: Series()].observe(
            firstTokenSeconds: firstTokenSeconds, totalSeconds: totalSeconds, outputTokens: outputTokens,
            attemptCount: attemptCount)
    }

    static func labels(_ key: SeriesKey) -> String {
        var out = "provider=\""
        out.reserveCapacity(key.provider.utf8.count + key.model.utf8.count + key.alias.utf8.count + 60)
        out += escape(key.provider)
        out += "\",model=\""
        out += escape(key.model)
        out += "\",alias=\""
        out += escape(key.alias)
        out += "\",door=\""
        out += key.door
        out += "\",status_class=\""
        out += statusClasses[key.statusClass - 1]
        out += "\""
        return out
    }

    /// The four families in the Prometheus text format, label sets in text order.
    func render() -> String {
        let sorted = series.dictionary.map { (labels: Self.labels($0.key), series: $0.value) }.sorted {
            $0.labels < $1.labels
        }
        var out = ""
        out += Self.family(
            "switchboard_chat_time_to_first_token_seconds",
            "Time from an answering attempt's start to its first content.", sorted, Self.secondsBuckets
        ) { $0.firstToken }
        out += Self.family(
            "switchboard_chat_duration_seconds",
            "Time from a chat request's admission to its end.", sorted, Self.secondsBuckets
        ) { $0.duration }
        out += Self.family(
            "switchboard_chat_output_tokens_per_second",
            "Output tokens per second after the first token.", sorted, Self.rateBuckets
        ) { $0.outputRate }
        out += Self.family(
            "switchboard_chat_upstream_attempts",
            "Upstream attempts per chat request (retries and fallbacks included).", sorted,
            Self.attemptBuckets
        ) { $0.attempts }
        return out
    }

    private static func family(
        _ name: String, _ help: String, _ sorted: [(labels: String, series: Series)],
        _ bounds: [Double], _ histogram: (Series) -> Histogram?
    ) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (labels, series) in sorted {
            guard let h = histogram(series) else { continue }
            var cumulative: UInt64 = 0
            for (i, bound) in bounds.enumerated() {
                cumulative &+= h.counts[i]
                out += "\(name)_bucket{\(labels),le=\"\(bound)\"} \(cumulative)\n"
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

extension ChatHistograms.Series {
    fileprivate mutating func observe(
        firstTokenSeconds: Double?, totalSeconds: Double, outputTokens: Int, attemptCount: Int
    ) {
        typealias H = ChatHistograms
        if let firstTokenSeconds {
            if firstToken == nil { firstToken = H.Histogram(buckets: H.secondsBuckets.count) }
            firstToken?.observe(firstTokenSeconds, H.secondsBuckets)
        }
        duration.observe(totalSeconds, H.secondsBuckets)
        attempts.observe(Double(attemptCount), H.attemptBuckets)
        // Output speed after the first token: what a reader of the stream experiences.
        if let firstTokenSeconds, outputTokens > 0, totalSeconds > firstTokenSeconds {
            if outputRate == nil { outputRate = H.Histogram(buckets: H.rateBuckets.count) }
            outputRate?.observe(Double(outputTokens) / (totalSeconds - firstTokenSeconds), H.rateBuckets)
        }
    }
}
