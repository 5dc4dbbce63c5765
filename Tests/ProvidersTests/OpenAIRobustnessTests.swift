import ChatModel
import HTTPTypes
import JSON
import SSE
import Testing
@testable import Providers

/// Cases beyond the captured fixtures: OpenAI-compatible servers, refusals, retry hints.
@Suite("OpenAI adapter: robustness")
struct OpenAIRobustnessTests {
    func calls(_ events: [StreamEvent]) -> [String] {
        events.compactMap {
            if case .toolCall(let i, let id, let n, let a) = $0 { return "\(i) \(id) \(n) \(a.serialized())" };
            return nil
        }
    }

    @Test func idRepeatedOnEveryFragmentIsStillOneCall() {
        let input = Harness.openAI.chunks([
            #"""
            {"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,\#
            "id":"t","type":"function","function":{"name":"f","arguments":"{\"a\""}}]}}]}
            """#,
            #"""
            {"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,\#
            "id":"t","type":"function","function":{"name":"f","arguments":":1}"}}]}}]}
            """#,
            #"{"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        ])
        let events = Harness.events(Harness.openAI.unified(input))
        #expect(calls(events) == [#"0 t f {"a":1}"#])
        #expect(
            events.filter {
                if case .toolCallStart = $0 { return true }; return false
            }.count == 1)
    }

    @Test func callsWithoutIndexAreSeparatedByTheirIds() {
        let input = Harness.openAI.chunks([
            #"""
            {"id":"c","model":"m","created":1,"choices":[{"index":0,\#
            "delta":{"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{\"x\":1}"}}]}}]}
            """#,
            #"""
            {"id":"c","model":"m","created":1,"choices":[{"index":0,\#
            "delta":{"tool_calls":[{"id":"b","function":{"name":"g","arguments":"{\"y\":2}"}}]}}]}
            """#,
            #"{"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        ])
        #expect(calls(Harness.events(Harness.openAI.unified(input))) == [#"0 a f {"x":1}"#, #"1 b g {"y":2}"#])
    }

    @Test func errorBeforeAnyChunkEndsTheDecoder() {
        let input = Array(
            ("data: " + #"{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}"#
                + "\n\ndata: [DONE]\n\n").utf8)
        let events = Harness.events(Harness.openAI.unified(input))
        // The error alone: before the answer starts it becomes an HTTP error (StreamBuilder's
        // rule, shared by every decoder), and the `[DONE]` after it adds nothing.
        #expect(events.count == 1)
        guard case .error(let e)? = events.first else { Issue.record("expected error first, got \(events)"); return }
        #expect(e.status == 429)
        #expect(e.type == "rate_limited")
    }

    @Test func refusalIsTheAnswerText() throws {
        let input = Harness.openAI.chunks([
            #"""
            {"id":"c","model":"m","created":1,"choices":[{"index":0,\#
            "delta":{"role":"assistant","content":null,"refusal":""}}]}
            """#,
            #"{"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{"refusal":"I can't help"}}]}"#,
            #"{"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        ])
        #expect(Harness.events(Harness.openAI.unified(input)).contains(.text("I can't help")))
        let body = #"""
            {"id":"i","model":"m","created":1,"choices":[{"index":0,\#
            "message":{"role":"assistant","content":null,"refusal":"no"},"finish_reason":"stop"}]}
            """#
        let response = try OpenAIAdapter().decodeResponse(body: Array(body.utf8), model: "x")
        #expect(response.content == [.text(TextPart(text: "no"))])
    }

    @Test func nonStreamErrorObjectKeepsTheProvidersMessage() {
        #expect(throws: UpstreamFailure.self) {
            try OpenAIAdapter().decodeResponse(
                body: Array(#"{"error":{"message":"model overloaded"}}"#.utf8), model: "x")
        }
        do {
            _ = try OpenAIAdapter().decodeResponse(
                body: Array(#"{"error":{"message":"model overloaded"}}"#.utf8), model: "x")
        } catch {
            #expect(error.error.status == 502)
            #expect(error.error.message == "openai: model overloaded")
        }
    }

    @Test func thinkingOnlyAssistantTurnHasStringContent() throws {
        let request = try ChatRequest.decode(
            try JSONValue.parse(
                #"""
                {"model":"m","messages":[{"role":"user","content":"a"},\#
                {"role":"assistant","content":[{"type":"thinking","text":"x"}]},
                 {"role":"user","content":"b"}]}
                """#))
        let upstream = try OpenAIAdapter().upstreamRequest(
            for: request, model: "gpt", endpoint: ProviderEndpoint(baseURL: "http://x", apiKey: "k"), stream: false)
        #expect(try JSONValue.parse(upstream.body)["messages"]?[1] == ["role": "assistant", "content": ""])
    }

    @Test func retryAfterAsHTTPDate() {
        let now = 1_445_412_470.0  // 2015-10-21T07:27:50Z
        #expect(RetryHints.retryAfter([("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")], now: now) == 10)
        #expect(RetryHints.retryAfter([("Retry-After", "Wed, 21 Oct 2015 07:27:00 GMT")], now: now) == 0)
        #expect(RetryHints.retryAfter([("Retry-After", "Wed, 21 Foo 2015 07:28:00 GMT")], now: now) == nil)
        #expect(RetryHints.retryAfter([("Retry-After", "inf")]) == nil)
        #expect(RetryHints.retryAfter([("retry-after-ms", "250"), ("retry-after", "9")]) == 0.25)
        #expect(HTTPDate.unixSeconds("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
    }

    @Test(arguments: [(nil as String?, 360.0), ("tokens", 360.0), ("requests", 1.0)])
    func rateLimitResetFollowsTheNamedLimit(type: String?, expected: Double) {
        let headers: HTTPHeaders = [("x-ratelimit-reset-requests", "1s"), ("x-ratelimit-reset-tokens", "6m0s")]
        let body = type.map { #"{"error":{"message":"m","type":"\#($0)","code":"rate_limit_exceeded"}}"# } ?? "{}"
        let failure = OpenAIAdapter().mapError(status: 429, headers: headers, body: Array(body.utf8))
        #expect(failure.retryAfterSeconds == expected)
        #expect(failure.error.headers.contains { $0.name == "Retry-After" && $0.value == String(Int(expected)) })
    }

    @Test func rateLimitResetPrefersTheExhaustedLimit() {
        let headers: HTTPHeaders = [
            ("x-ratelimit-reset-requests", "1s"), ("x-ratelimit-reset-tokens", "6m0s"),
            ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-remaining-tokens", "149984"),
        ]
        #expect(OpenAIAdapter().mapError(status: 429, headers: headers, body: []).retryAfterSeconds == 1)
    }

    @Test(arguments: [408, 409, 502, 503, 504, 529])
    func retryableStatusesEndAs503(status: Int) {
        let failure = OpenAIAdapter().mapError(
            status: status, headers: [], body: Array(#"{"error":{"message":"m"}}"#.utf8))
        #expect(failure.retryable)
        #expect(failure.error.status == 503)
        #expect(failure.error.type == .upstreamUnavailable)
    }

    @Test func clientFaultKeepsParamAndCredentialsFaultHidesTheKey() throws {
        let adapter = OpenAIAdapter()
        let bad = adapter.mapError(
            status: 400, headers: [], body: try Harness.openAI.fixture("error-400-unsupported-parameter.json"))
        #expect(bad.error.param == "max_tokens")
        #expect(bad.error.type == .invalidRequest)
        #expect(bad.error.message.contains("Unsupported parameter"))
        let key = adapter.mapError(
            status: 401, headers: [], body: try Harness.openAI.fixture("error-401-invalid-api-key.json"))
        #expect(!key.retryable)
        #expect(!key.error.message.contains("sk-"))
        #expect(!key.error.message.contains("SJh4"))
        #expect(key.error.message.contains("Incorrect API key provided"))
        let quota = adapter.mapError(
            status: 429, headers: [],
            body: Array(#"{"error":{"message":"q","type":"insufficient_quota","code":"insufficient_quota"}}"#.utf8))
        #expect(!quota.retryable)
        #expect(quota.error.status == 429)
    }
}
