import Arithmetic
import HTTPTypes

/// What a request asks the emulator to do: a scenario name and its `key=value` options.
///
/// Read from the model name (`text+chunks=50+interval_ms=10`; any other model name means the
/// default `text` scenario) and from `x-mock-*` headers (`x-mock-scenario: tools`,
/// `x-mock-chunks: 3`, `x-mock-interval-ms: 5`), the headers winning. Tests reach the
/// emulator through the gateway, which forwards the model id but not the client's headers;
/// benchmarks call it directly and may use either form.
struct MockOptions: Sendable, Equatable {
    static let scenarios: Set<String> = [
        "text", "tools", "thinking", "error", "midstream_error", "disconnect", "stall", "echo", "fixture",
        "server_tools",
    ]

    var scenario = "text"
    var values: [String: String] = [:]
    /// With `echo_key=1`: the API key the request carried, for error messages to quote.
    var echoedKey: String?

    init() {}

    init(model: String, headers: HTTPHeaders) {
        parseModel(model)
        for header in headers {
            let lower = header.name.lowercased(), value = header.value
            guard lower.hasPrefix("x-mock-") else { continue }
            let key = String(lower.dropFirst(7)).replacingDashes()
            let trimmed = value.trimmingSpaces()
            if key == "scenario" { scenario = trimmed } else { values[key] = trimmed }
        }
        if values["fixture"] != nil { scenario = "fixture" }
    }

    private mutating func parseModel(_ model: String) {
        // Gemini model names may arrive as "models/<name>".
        var name = Substring(model)
        if name.hasPrefix("models/") { name = name.dropFirst(7) }
        for (i, part) in name.split(separator: "+", omittingEmptySubsequences: true).enumerated() {
            if let eq = part.firstIndex(of: "=") {
                values[String(part[..<eq])] = String(part[part.index(after: eq)...])
            } else if i == 0, Self.scenarios.contains(String(part)) {
                scenario = String(part)
            }
        }
    }

    subscript(key: String) -> String? { values[key] }

    /// Where each numeric option is held. The emulator runs in the gateway's binary and must
    /// not trap on any option (`chunks=9223372036854775807`, `interval_ms=1e300`): values
    /// are clamped into these, so every count, delay and sum made from them stays small.
    static let ranges: [String: ClosedRange<Int>] = [
        "chunks": 0...10_000_000, "after": 0...10_000_000, "thinking_chunks": 0...1_000, "calls": 0...1_000,
        "interval_ms": 0...3_600_000, "delay_ms": 0...3_600_000, "status": 200...599, "retry_after": 0...1_000_000_000,
        "input": 0...(1 << 50), "output": 0...(1 << 50), "cached": 0...(1 << 50), "reasoning": 0...(1 << 50),
        "cache_write": 0...(1 << 50),
    ]

    /// A numeric option, clamped into `ranges`: a whole number, or any number (`1e300`) taken
    /// as the nearest whole one; `fallback` when absent or not a number.
    func int(_ key: String, default fallback: Int) -> Int {
        guard let raw = values[key] else { return fallback }
        let value: Int
        if let exact = Int(raw) {
            value = exact
        } else if let d = Double(raw), !d.isNaN {
            value = Int(saturating: d)
        } else {
            return fallback
        }
        return Self.ranges[key].map { value.clamped(to: $0) } ?? value
    }

    func flag(_ key: String) -> Bool {
        guard let raw = values[key] else { return false }
        return raw == "1" || raw == "true" || raw == "yes"
    }

    /// The `run=<id>` option that groups requests for `/_mock/requests?run=` and `fail=`.
    var run: String? { values["run"] }

    /// `fail=<status>x<count>`: the first `count` requests of this run answer `status`.
    var failure: (status: Int, count: Int)? {
        guard let raw = values["fail"] else { return nil }
        let parts = raw.split(separator: "x", maxSplits: 1)
        guard let status = Int(parts[0]) else { return nil }
        let count = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        return (status.clamped(to: Self.ranges["status"]!), count)
    }
}

extension String {
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }

    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
