import Foundation
import Testing

/// Issue 10 §1, provider side: every numeric field and header the emulator can send, at its
/// extremes (emulator options `usage_tokens`, `retry_after`, `retry_after_ms`,
/// `ratelimit_reset`, `expire_time`). The daemon answers, keeps serving, and records usage
/// clamped to 2^40 a count (before the fix, a count of 2^63-1 or -1, or a `retry-after` of
/// 2^63-1, killed it).
@Suite("Extreme numbers from providers, end to end")
struct UpstreamNumbersEndToEndTests {
    typealias C = ClientNumbersEndToEndTests
    static let top = 1 << 40
    /// Each `usage_tokens` literal and the count the gateway must make of it.
    static let counts: [(literal: String, count: Int)] = [
        ("9223372036854775807", top), ("-9223372036854775808", 0), ("-1", 0), ("0", 0), ("1e300", top), ("1e-300", 0),
        ("-1e300", 0), ("abc", 0), ("null", 0), ("true", 0), ("99999999999999999999999", top),
    ]

    static func body(_ model: String, stream: Bool, extra: String = "") -> String {
        #"{"model":"\#(model)",\#(C.user),"stream":\#(stream),"max_tokens":64\#(extra)}"#
    }

    /// The unified answer's usage object (the `usage` event, or the JSON answer's field).
    static func unifiedUsage(_ response: CurlResponse, stream: Bool) -> [String: Any]? {
        if !stream { return jsonObject(response.body)?["usage"] as? [String: Any] }
        return sseEvents(response.body).last { $0.event == "usage" }.flatMap { jsonObject($0.data) }
    }

    // MARK: Token counts

    @Test(arguments: ["openai", "anthropic", "gemini"])
    func usageCountsAreClampedAndRecorded(provider: String) throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        for (literal, count) in Self.counts {
            let model = "\(provider)/text+usage_tokens=\(literal)"
            for stream in [true, false] {
                let unified = try C.post(daemon, "/v1/chat", Self.body(model, stream: stream))
                #expect(unified.status == 200, "\(model) stream=\(stream): \(unified.body.prefix(300))")
                let usage = Self.unifiedUsage(unified, stream: stream)
                for field in ["input_tokens", "output_tokens", "total_tokens"] {
                    #expect(usage?[field] as? Int == count, "\(model) stream=\(stream) \(field): \(usage ?? [:])")
                }
                try C.expectServing(daemon, after: "\(model) stream=\(stream)")
                // The front doors spell the same counts their own way (Anthropic's subtracts the cache).
                for door in ["/v1/chat/completions", "/v1/messages"] {
                    let options =
                        stream && door.hasSuffix("completions") ? #","stream_options":{"include_usage":true}"# : ""
                    let answer = try C.post(daemon, door, Self.body(model, stream: stream, extra: options))
                    #expect(answer.status == 200, "\(door) \(model) stream=\(stream): \(answer.body.prefix(300))")
                    try C.expectServing(daemon, after: "\(door) \(model) stream=\(stream)")
                }
            }
        }
        // Six requests per model, each recorded with its clamped counts.
        var rows: [String: [String: Any]] = [:]
        let deadline = Date().addingTimeInterval(10)
        while rows.values.map({ $0["requests"] as? Int ?? 0 }).reduce(0, +) < 6 * Self.counts.count, Date() < deadline {
            usleep(20_000)
            let answer = try curl(daemon.baseURL + "/v1/usage?group_by=model")
            for row in jsonObject(answer.body)?["data"] as? [[String: Any]] ?? [] {
                if let model = row["model"] as? String { rows[model] = row }
            }
        }
        for (literal, count) in Self.counts {
            let row = rows["\(provider)/text+usage_tokens=\(literal)"]
            #expect(row?["requests"] as? Int == 6, "\(literal): \(row ?? [:])")
            #expect(row?["input_tokens"] as? Int == 6 * count, "\(literal): \(row ?? [:])")
            #expect(row?["total_tokens"] as? Int == 6 * count, "\(literal): \(row ?? [:])")
        }
        try C.expectServing(daemon, after: "/v1/usage")
    }

    /// A loop's usage is the sum of its turns: two turns of 2^40 stay 2^40.
    @Test(arguments: ["openai", "anthropic", "gemini"])
    func loopSumsSaturate(provider: String) throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let body =
            #"{"model":"\#(provider)/tools+tool_turns=1+usage_tokens=9223372036854775807",\#(C.user),"#
            + #""tools":[{"name":"get_weather"}]}"#
        let stream = try LoopStream(daemon, body: body)
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first, "\(stream.text)")
        let loopId = awaiting["loop_id"] as? String ?? ""
        let calls = (awaiting["tool_calls"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        let items = calls.map { #"{"tool_call_id":"\#($0)","content":"3°C"}"# }.joined(separator: ",")
        #expect(try C.post(daemon, "/v1/loops/\(loopId)/tool_results", #"{"results":[\#(items)]}"#).status == 202)
        #expect(stream.waitForEnd())
        let usage = stream.events.last { $0.event == "usage" }.flatMap { jsonObject($0.data) }
        #expect(usage?["input_tokens"] as? Int == Self.top, "\(stream.text.suffix(500))")
        #expect(usage?["total_tokens"] as? Int == Self.top)
        try C.expectServing(daemon, after: "a loop of two maximal turns")
    }

    // MARK: Retry hints on 429

    static let hints = [
        "9223372036854775807", "-9223372036854775808", "-1", "0", "1e300", "1e-300", "-1e300", "abc",
        "99999999999999999999999",
    ]
    static let resets =
        hints + [
            "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "99999-12-31T23:59:59Z",
            "9999-12-31T23:59:59.99999999999999999999Z", "6000000000000000000h", "1e300s",
        ]

    /// One daemon per value: a provider's 429 holds that provider back (up to a minute), so a
    /// second 429 from it would be the gateway's own and never reach the parsing under test.
    /// With `ratelimit_reset` the `retry-after` is unusable, so OpenAI's reset headers are the hint.
    @Test(arguments: [
        ("retry_after", hints + ["Fri, 31 Dec 9999 23:59:59 GMT"], ""), ("retry_after_ms", hints, ""),
        ("ratelimit_reset", resets, "+retry_after=none"),
    ])
    func retryHintsAreClamped(option: String, values: [String], extra: String) throws {
        let mock = try Launch.mock()
        // One attempt: a clamped hint is still up to 30 s of backoff, which is not what this tests.
        let environment = ["openai", "anthropic", "gemini"].reduce(into: [String: String]()) {
            $0["SWITCHBOARD_PROVIDERS_\($1.uppercased())_RETRY_ATTEMPTS"] = "1"
        }
        for (i, value) in values.enumerated() {
            let daemon = try Launch.daemon(behind: mock, environment: environment)
            for provider in ["openai", "anthropic", "gemini"] {
                let model = "\(provider)/error+status=429+\(option)=\(value)\(extra)"
                let response = try C.post(daemon, "/v1/chat", Self.body(model, stream: i % 2 == 0))
                #expect(response.status == 429, "\(model): \(response.status) \(response.body.prefix(300))")
                let retryAfter = Int(response.headers["retry-after"] ?? "") ?? 0
                #expect((1...86_400).contains(retryAfter), "\(model): Retry-After \(retryAfter)")
                try C.expectServing(daemon, after: model)
            }
        }
    }

    // MARK: Context-cache expiry

    @Test func geminiCacheExpiryTimes() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let document = String(repeating: "A shared document that is long enough to cache. ", count: 8)
        for expiry in [
            "9999-12-31T23:59:59.999999999999999999Z", "0000-01-01T00:00:00Z", "99999-01-01T00:00:00Z",
            "9223372036854775807", "-9223372036854775808", "1e300", "abc", "2024-02-30T99:99:99+99:99",
            "1970-01-01T00:00:00-99:99",
        ] {
            let body =
                #"{"model":"gemini/text+expire_time=\#(expiry)","stream":false,"messages":["#
                + #"{"role":"system","content":[{"type":"text","text":"\#(document)","cache":true}]},"#
                + #"{"role":"user","content":"Summarise it."}]}"#
            for round in 1...2 {
                let response = try C.post(daemon, "/v1/chat", body)
                #expect(response.status == 200, "expireTime \(expiry), round \(round): \(response.body.prefix(300))")
                try C.expectServing(daemon, after: "expireTime \(expiry)")
            }
        }
    }
}
