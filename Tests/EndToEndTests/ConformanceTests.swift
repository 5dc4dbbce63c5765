import Foundation
import Testing

/// One suite, every provider: the unified contract must hold whichever adapter answers.
/// Capability opt-outs only where a provider truly lacks the feature.
@Suite("Provider conformance, end to end")
struct ConformanceTests {
    static let providers = ["openai", "anthropic", "gemini"]
    /// Streamed reasoning text (OpenAI's Chat Completions sends none, only a token count).
    static let streamsThinking: Set<String> = ["anthropic", "gemini"]

    /// A fresh emulator and daemon per test (stopped when the test's values go away).
    func setup() throws -> (mock: SwitchboardProcess, daemon: SwitchboardProcess) {
        let mock = try Launch.mock()
        return (mock, try Launch.daemon(behind: mock))
    }

    @Test(arguments: providers)
    func textStreamsInContractOrder(provider: String) throws {
        let (_, daemon) = try setup()
        let response = try ChatEndToEndTests.chat(daemon, model: "\(provider)/text+chunks=4+input=12+output=4")
        try #require(response.status == 200, "\(response.body)")
        let events = sseEvents(response.body)
        #expect(events.first?.event == "start")
        #expect(jsonObject(try #require(events.first).data)?["provider"] as? String == provider)
        #expect(events.filter { $0.event == "text" }.count == 4)
        #expect(events.filter { $0.event == "usage" }.count == 1)
        #expect(events.filter { $0.event == "done" }.count == 1)
        #expect(Array(events.suffix(2).map(\.event)) == ["usage", "done"])
        let usage = try #require(jsonObject(events[events.count - 2].data))
        #expect(usage["input_tokens"] as? Int == 12)
        #expect(usage["output_tokens"] as? Int == 4)
        #expect(usage["total_tokens"] as? Int == 16)
        #expect(jsonObject(try #require(events.last).data)?["finish_reason"] as? String == "stop")
    }

    @Test(arguments: providers)
    func parallelToolCallsKeepTheirIndices(provider: String) throws {
        let (_, daemon) = try setup()
        let tools = #","tools":[{"name":"get_weather","parameters":{"type":"object"}}]"#
        let response = try ChatEndToEndTests.chat(daemon, model: "\(provider)/tools+calls=3", extra: tools)
        try #require(response.status == 200, "\(response.body)")
        let events = sseEvents(response.body)
        let calls = events.filter { $0.event == "tool_call" }.compactMap { jsonObject($0.data) }
        #expect(calls.compactMap { $0["index"] as? Int } == [0, 1, 2])
        #expect(calls.compactMap { ($0["arguments"] as? [String: Any])?["n"] as? Int } == [0, 1, 2])
        #expect(Set(calls.compactMap { $0["id"] as? String }).count == 3)
        #expect(events.filter { $0.event == "tool_call_start" }.count == 3)
        #expect(jsonObject(try #require(events.last).data)?["finish_reason"] as? String == "tool_calls")
    }

    @Test(arguments: providers)
    func nonStreamingCarriesTheSameAnswer(provider: String) throws {
        let (_, daemon) = try setup()
        let streamed = sseEvents(try ChatEndToEndTests.chat(daemon, model: "\(provider)/text+chunks=3").body)
        let text = streamed.filter { $0.event == "text" }.compactMap { jsonObject($0.data)?["delta"] as? String }
            .joined()
        let whole = try ChatEndToEndTests.chat(daemon, model: "\(provider)/text+chunks=3", stream: false)
        #expect(whole.status == 200)
        let body = try #require(jsonObject(whole.body))
        let parts = (body["message"] as? [String: Any])?["content"] as? [[String: Any]] ?? []
        #expect(parts.compactMap { $0["text"] as? String }.joined() == text)
        #expect(body["provider"] as? String == provider)
        #expect(body["finish_reason"] as? String == "stop")
    }

    @Test(arguments: providers)
    func rateLimitIs429WithRetryAfter(provider: String) throws {
        let (_, daemon) = try setup()
        let response = try ChatEndToEndTests.chat(daemon, model: "\(provider)/error+status=429+retry_after=0")
        #expect(response.status == 429)
        #expect(response.headers["retry-after"] != nil)
        #expect((jsonObject(response.body)?["error"] as? [String: Any])?["type"] as? String == "rate_limited")
        // SPEC §5: every 429 carries x-ratelimit-* headers; the provider's own state where it sent one.
        #expect(response.headers["x-ratelimit-remaining-requests"] == "0", "\(response.headers)")
        #expect(response.headers["x-ratelimit-reset-requests"]?.hasSuffix("s") == true)
        if provider != "gemini" {
            #expect(response.headers["x-ratelimit-limit-requests"] != nil, "\(response.headers)")
        }
    }

    @Test(arguments: providers)
    func unavailableIs503AfterEveryAttempt(provider: String) throws {
        let (mock, daemon) = try setup()
        let run = "c503\(provider)"
        let response = try ChatEndToEndTests.chat(daemon, model: "\(provider)/error+status=503+run=\(run)")
        #expect(response.status == 503)
        #expect((jsonObject(response.body)?["error"] as? [String: Any])?["type"] as? String == "upstream_unavailable")
        #expect(try ChatEndToEndTests.mockRequests(mock, run: run).count == (provider == "openai" ? 3 : 2))
    }

    @Test(arguments: providers)
    func clientFaultPassesThroughWithoutRetry(provider: String) throws {
        let (mock, daemon) = try setup()
        let run = "c400\(provider)"
        let response = try ChatEndToEndTests.chat(daemon, model: "\(provider)/error+status=400+run=\(run)")
        #expect(response.status == 400)
        #expect((jsonObject(response.body)?["error"] as? [String: Any])?["provider"] as? String == provider)
        #expect(try ChatEndToEndTests.mockRequests(mock, run: run).count == 1)
    }

    @Test(arguments: providers)
    func aBrokenStreamEndsWithErrorUsageDone(provider: String) throws {
        let (mock, daemon) = try setup()
        let run = "broken\(provider)"
        let response = try ChatEndToEndTests.chat(daemon, model: "\(provider)/disconnect+chunks=5+after=2+run=\(run)")
        try #require(response.status == 200, "\(response.body)")
        // Bytes already reached the client: never retried.
        #expect(try ChatEndToEndTests.mockRequests(mock, run: run).count == 1)
        let events = sseEvents(response.body)
        #expect(Array(events.suffix(3).map(\.event)) == ["error", "usage", "done"])
        #expect(jsonObject(try #require(events.last).data)?["finish_reason"] as? String == "error")
    }

    @Test(arguments: providers)
    func thinkingStreamsWithASignature(provider: String) throws {
        guard Self.streamsThinking.contains(provider) else { return }
        let (_, daemon) = try setup()
        let response = try ChatEndToEndTests.chat(
            daemon, model: "\(provider)/thinking", extra: #","thinking":{"budget_tokens":2048}"#)
        #expect(response.status == 200)
        let thinking = sseEvents(response.body).filter { $0.event == "thinking" }.compactMap { jsonObject($0.data) }
        #expect(thinking.contains { $0["delta"] != nil })
        #expect(thinking.contains { $0["signature"] != nil })
    }
}
