import ChatModel
import HTTPTypes
import JSON
import SSE
import Testing
@testable import Providers

/// A provider's numbers cannot stop the gateway: every token count, retry hint and error code
/// the three adapters read is clamped into `AllowedRanges`, whatever literal arrives.
@Suite("Providers: extreme numbers from upstream")
struct ExtremeNumbersTests {
    static let top = AllowedRanges.tokenCount.upperBound
    /// Each literal and the count it must become.
    static let counts: [(String, Int)] = [
        ("9223372036854775807", top), ("-9223372036854775808", 0), ("-1", 0), ("0", 0), ("1e300", top), ("1e-300", 0),
        ("-1e300", 0), ("99999999999999999999999", top), ("1e999", top), ("7", 7),
    ]

    func usageEvents(_ decoder: any ProviderStreamDecoder, _ events: [SSEEvent]) -> [Usage] {
        var usages: [Usage] = []
        for event in events { decoder.decode(event) { if case .usage(let u) = $0 { usages.append(u) } } }
        if !decoder.isDone { decoder.finish { if case .usage(let u) = $0 { usages.append(u) } } }
        return usages
    }

    // MARK: OpenAI

    static func openAIUsage(_ n: String) -> String {
        #"""
        {"prompt_tokens":\#(n),"completion_tokens":\#(n),"total_tokens":\#(n),\#
        "prompt_tokens_details":{"cached_tokens":\#(n)},"completion_tokens_details":{"reasoning_tokens":\#(n)}}
        """#
    }

    @Test(arguments: counts)
    func openAIStreamUsageIsClamped(literal: String, expected: Int) throws {
        let chunk = #"""
            {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",\#
            "choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}
            """#
        let usages = usageEvents(
            OpenAIStreamDecoder(model: "m"),
            [
                SSEEvent(data: chunk),
                SSEEvent(data: #"{"id":"c","choices":[],"usage":\#(Self.openAIUsage(literal))}"#),
                SSEEvent(data: "[DONE]"),
            ])
        let u = try #require(usages.last)
        #expect(
            u
                == Usage(
                    inputTokens: expected, outputTokens: expected, cacheReadTokens: expected, reasoningTokens: expected,
                    totalTokens: expected))
    }

    @Test(arguments: counts)
    func openAIResponseUsageIsClamped(literal: String, expected: Int) throws {
        let body = #"""
            {"id":"c","created":9223372036854775807,"model":"m","choices":[{"index":0,"message":{"role":"assistant",\#
            "content":"hi"},"finish_reason":"stop"}],"usage":\#(Self.openAIUsage(literal))}
            """#
        let response = try OpenAIAdapter().decodeResponse(body: Array(body.utf8), model: "m")
        #expect(response.usage.inputTokens == expected && response.usage.totalTokens == expected)
        #expect(response.usage.reasoningTokens == expected)
    }

    // MARK: Anthropic

    static func anthropicUsage(_ n: String) -> String {
        #"""
        {"input_tokens":\#(n),"output_tokens":\#(n),\#
        "cache_read_input_tokens":\#(n),"cache_creation_input_tokens":\#(n)}
        """#
    }

    @Test(arguments: counts)
    func anthropicStreamUsageIsClamped(literal: String, expected: Int) throws {
        let usages = usageEvents(
            AnthropicStreamDecoder(model: "m", created: 1),
            [
                SSEEvent(
                    event: "message_start",
                    data: #"""
                        {"type":"message_start","message":{"id":"m1",\#
                        "model":"m","usage":\#(Self.anthropicUsage(literal))}}
                        """#),
                SSEEvent(
                    event: "message_delta",
                    data: #"""
                        {"type":"message_delta","delta":{"stop_reason":"end_turn"},\#
                        "usage":\#(Self.anthropicUsage(literal))}
                        """#),
                SSEEvent(event: "message_stop", data: #"{"type":"message_stop"}"#),
            ])
        let u = try #require(usages.last)
        // Unified input adds the cache counts to Anthropic's input: held at the top, never overflowing.
        #expect(u.inputTokens == min(3 * expected, Self.top))
        #expect(u.outputTokens == expected && u.cacheReadTokens == expected && u.cacheWriteTokens == expected)
        #expect(u.totalTokens == min(4 * expected, Self.top))
    }

    @Test(arguments: counts)
    func anthropicResponseUsageIsClamped(literal: String, expected: Int) throws {
        let body = #"""
            {"id":"m1","type":"message","model":"m","content":[{"type":"text",\#
            "text":"hi"}],"stop_reason":"end_turn","usage":\#(Self.anthropicUsage(literal))}
            """#
        let response = try AnthropicAdapter(clock: { 1 }).decodeResponse(body: Array(body.utf8), model: "m")
        #expect(response.usage.outputTokens == expected)
        #expect(response.usage.inputTokens == min(3 * expected, Self.top))
    }

    // MARK: Gemini

    static func geminiUsage(_ n: String) -> String {
        #"""
        {"promptTokenCount":\#(n),"candidatesTokenCount":\#(n),"thoughtsTokenCount":\#(n),\#
        "cachedContentTokenCount":\#(n),"totalTokenCount":\#(n)}
        """#
    }

    static func geminiEvent(_ n: String) -> String {
        #"""
        {"candidates":[{"content":{"parts":[{"text":"hi"}],"role":"model"},\#
        "finishReason":"STOP"}],"usageMetadata":\#(geminiUsage(n))}
        """#
    }

    @Test(arguments: counts)
    func geminiStreamUsageIsClamped(literal: String, expected: Int) throws {
        let usages = usageEvents(
            GeminiStreamDecoder(model: "m", created: 1, idPrefix: "x"), [SSEEvent(data: Self.geminiEvent(literal))])
        let u = try #require(usages.last)
        #expect(u.inputTokens == expected && u.reasoningTokens == expected && u.cacheReadTokens == expected)
        #expect(u.outputTokens == min(2 * expected, Self.top) && u.totalTokens == expected)
    }

    @Test(arguments: counts)
    func geminiResponseUsageIsClamped(literal: String, expected: Int) throws {
        let response = try GeminiAdapter(clock: { 1 }, idPrefix: { "x" })
            .decodeResponse(body: Array(Self.geminiEvent(literal).utf8), model: "m")
        #expect(response.usage.inputTokens == expected && response.usage.totalTokens == expected)
    }

    @Test(arguments: ["9223372036854775807", "-1", "0", "99999", "200", "1e300", #""abc""#])
    func geminiInStreamErrorCodeIsAnErrorStatus(code: String) throws {
        var errors: [StreamError] = []
        GeminiStreamDecoder(model: "m", created: 1, idPrefix: "x")
            .decode(SSEEvent(data: #"{"error":{"code":\#(code),"message":"boom","status":"INTERNAL"}}"#)) {
                if case .error(let e) = $0 { errors.append(e) }
            }
        let error = try #require(errors.first)
        #expect((400...599).contains(error.status))
    }

    // MARK: Retry hints

    static let day = AllowedRanges.retryAfterSeconds.upperBound

    @Test(
        arguments: [
            ("retry-after", "9223372036854775807", day), ("retry-after", "1e300", day),
            ("retry-after", "99999999999999999999999", day),
            ("retry-after", "1e-300", 1e-300), ("retry-after", "-1", nil), ("retry-after", "-1e300", nil),
            ("retry-after", "abc", nil),
            ("retry-after", "nan", nil), ("retry-after", "0", 0), ("retry-after-ms", "1e300", day),
            ("retry-after-ms", "9223372036854775807", day), ("retry-after-ms", "-9223372036854775808", nil),
            ("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT", day),
        ] as [(String, String, Double?)])
    func retryHeadersAreClampedToADay(name: String, value: String, expected: Double?) {
        #expect(RetryHints.retryAfter([(name, value)], now: 1_700_000_000) == expected)
    }

    @Test(
        arguments: [
            ("99999999999999999999999s", day), ("9223372036854775807h", day),
            (String(repeating: "9", count: 400) + "s", day),
            ("1e300s", nil), ("1.5s", 1.5), ("6m0s", 360), ("-5s", nil), ("s", nil),
        ] as [(String, Double?)])
    func durationsAreClampedToADay(text: String, expected: Double?) {
        #expect(RetryHints.duration(text) == expected)
    }

    @Test(arguments: [
        "9223372036854775807s", "1e300s", "99999999999999999999999s", String(repeating: "9", count: 400) + "s",
    ])
    func geminiRetryInfoIsClamped(delay: String) throws {
        let body = #"""
            {"error":{"code":429,"message":"slow","status":"RESOURCE_EXHAUSTED",\#
            "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"\#(delay)"}]}}
            """#
        let failure = GeminiAdapter().mapError(status: 429, headers: [], body: Array(body.utf8))
        #expect(failure.error.status == 429)
        #expect((failure.retryAfterSeconds ?? 0) <= Self.day)
        let retryAfter = try #require(Int(failure.error.headers.first { $0.name == "Retry-After" }?.value ?? ""))
        #expect((1...86_400).contains(retryAfter))
    }

    @Test(arguments: [
        [("retry-after", "9223372036854775807")], [("retry-after-ms", "1e300")],
        [
            ("anthropic-ratelimit-requests-remaining", "0"),
            ("anthropic-ratelimit-requests-reset", "9999-12-31T23:59:59Z"),
        ],
        [("anthropic-ratelimit-requests-reset", "0000-01-01T00:00:00Z")],
        [("anthropic-ratelimit-tokens-reset", "9999-12-31T23:59:59.99999999999999999999Z")],
    ])
    func anthropic429WithExtremeHeadersIsAnOrdinary429(headers: [(String, String)]) {
        let body = #"{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}"#
        let failure = AnthropicAdapter().mapError(status: 429, headers: HTTPHeaders(headers), body: Array(body.utf8))
        #expect(failure.error.status == 429)
        let retryAfter = Int(failure.error.headers.first { $0.name == "Retry-After" }?.value ?? "") ?? 0
        #expect((1...86_400).contains(retryAfter))
    }

    @Test(arguments: ["99999999999999999999h", "9223372036854775807s", "1e300s", "-1s"])
    func openAI429ResetHeadersAreClamped(reset: String) {
        let body = #"{"error":{"message":"slow","type":"requests","code":"rate_limit_exceeded"}}"#
        let failure = OpenAIAdapter().mapError(
            status: 429, headers: [("x-ratelimit-reset-requests", reset)],
            body: Array(body.utf8))
        #expect((failure.retryAfterSeconds ?? 0) <= Self.day)
        #expect(failure.error.headers.contains { $0.name == "Retry-After" })
    }

    // MARK: Request mapping

    @Test func anthropicDefaultMaxTokensCannotOverflow() throws {
        // A request built in code skips the decoder's range check: the mapper still must not trap.
        let request = ChatRequest(model: "m", messages: [.text(.user, "hi")], thinking: .budget(.max))
        let body = try AnthropicRequestMapper.body(request, model: "claude", stream: true)
        #expect(body["max_tokens"] == .int(.max))
        #expect(body["thinking"]?["budget_tokens"] == .int(.max))
    }
}
