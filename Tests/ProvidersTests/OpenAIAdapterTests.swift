import ChatModel
import Foundation
import JSON
import SSE
import Testing
@testable import Providers

@Suite("OpenAI adapter: stream goldens")
struct OpenAIGoldenTests {
    @Test(arguments: ["chat-stream-text-usage", "chat-stream-tool-call-single"])
    func fixtureMatchesGoldenAtEverySplit(name: String) throws {
        let input = try Harness.openAI.fixture("\(name).sse")
        let whole = Harness.openAI.unified(input)
        let goldenURL = Harness.openAI.goldens.appendingPathComponent("\(name).events")
        if ProcessInfo.processInfo.environment["SWITCHBOARD_RECORD_GOLDEN"] == "1" {
            try whole.write(to: goldenURL, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: goldenURL, encoding: .utf8)
        #expect(whole == golden)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<30 {
            let cuts = (0..<5).map { _ in Int.random(in: 0...input.count, using: &generator) }
            #expect(Harness.openAI.unified(input, splits: cuts) == golden)
        }
        #expect(Harness.openAI.unified(input, splits: Array(0...input.count)) == golden)
    }

    @Test func goldenToolCallIsAssembledAndParsed() throws {
        let events = Harness.events(
            try String(
                contentsOf: Harness.openAI.goldens.appendingPathComponent("chat-stream-tool-call-single.events"),
                encoding: .utf8))
        let calls = events.compactMap {
            if case .toolCall(let i, _, let n, let a) = $0 { return (i, n, a) }; return nil
        }
        #expect(calls.count == 1)
        #expect(calls.first?.0 == 0)
        #expect(calls.first?.2.objectValue != nil)
        #expect(events.last == .done(.toolCalls, providerFinishReason: "tool_calls"))
        #expect(
            events.filter {
                if case .usage = $0 { return true }; return false
            }.count == 1)
    }

    @Test func goldenUsageIsTheProvidersNumbers() throws {
        let events = Harness.events(
            try String(
                contentsOf: Harness.openAI.goldens.appendingPathComponent("chat-stream-text-usage.events"),
                encoding: .utf8))
        let fixture = String(decoding: try Harness.openAI.fixture("chat-stream-text-usage.sse"), as: UTF8.self)
        let usageLine = try #require(fixture.split(separator: "\n").last { $0.contains("\"prompt_tokens\"") })
        let usage = try #require(try JSONValue.parse(String(usageLine.dropFirst(6)))["usage"])
        guard
            case .usage(let u)? = events.first(where: {
                if case .usage = $0 { return true }; return false
            })
        else {
            Issue.record("no usage event")
            return
        }
        #expect(u.inputTokens == usage["prompt_tokens"]?.intValue)
        #expect(u.outputTokens == usage["completion_tokens"]?.intValue)
        #expect(u.totalTokens == usage["total_tokens"]?.intValue)
    }
}

@Suite("OpenAI adapter: hand-written streams")
struct OpenAIStreamTests {
    @Test func interleavedParallelCallsKeepTheirOwnIndexAndArguments() {
        let input = Harness.openAI.chunks([
            #"""
            {"id":"c1","model":"m","created":5,"choices":[{"index":0,"delta":{"role":"assistant","content":null,\#
            "tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":""}}]}}]}
            """#,
            #"""
            {"id":"c1","model":"m","created":5,"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,\#
            "id":"call_b","type":"function","function":{"name":"g","arguments":"{\"x\""}}]}}]}
            """#,
            #"""
            {"id":"c1","model":"m","created":5,"choices":[{"index":0,\#
            "delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\": \"q\\\"\""}}]}}]}
            """#,
            #"""
            {"id":"c1","model":"m","created":5,"choices":[{"index":0,\#
            "delta":{"tool_calls":[{"index":1,"function":{"arguments":": 2}"}}]}}]}
            """#,
            #"""
            {"id":"c1","model":"m","created":5,"choices":[{"index":0,\#
            "delta":{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]}}]}
            """#,
            #"{"id":"c1","model":"m","created":5,"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            #"""
            {"id":"c1","model":"m","created":5,"choices":[],"usage":{"prompt_tokens":20,\#
            "completion_tokens":7,"total_tokens":27,"prompt_tokens_details":{"cached_tokens":16},\#
            "completion_tokens_details":{"reasoning_tokens":3}}}
            """#,
        ])
        let events = Harness.events(Harness.openAI.unified(input))
        let calls = events.compactMap {
            if case .toolCall(let i, let id, let n, let a) = $0 { return "\(i) \(id) \(n) \(a.serialized())" };
            return nil
        }
        #expect(calls == [#"0 call_a f {"a":"q\""}"#, #"1 call_b g {"x":2}"#])
        #expect(
            events.contains(
                .usage(
                    Usage(
                        inputTokens: 20, outputTokens: 7, cacheReadTokens: 16, cacheWriteTokens: 0,
                        reasoningTokens: 3, totalTokens: 27))))
        #expect(events.last == .done(.toolCalls, providerFinishReason: "tool_calls"))
    }

    @Test func indicesStartingAtOneBecomeZero() {
        let input = Harness.openAI.chunks([
            #"""
            {"id":"c","model":"m","created":1,"choices":[{"index":0,\#
            "delta":{"tool_calls":[{"index":1,"id":"t","function":{"name":"f","arguments":"{}"}}]}}]}
            """#,
            #"{"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        ])
        let events = Harness.events(Harness.openAI.unified(input))
        #expect(events.contains(.toolCallStart(index: 0, id: "t", name: "f")))
        #expect(events.contains(.toolCall(index: 0, id: "t", name: "f", arguments: .object(JSONObject()))))
    }

    @Test func missingUsageIsZeroAndExactlyOneUsageAndDone() {
        let input = Harness.openAI.chunks([
            #"{"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{"content":"hi"}}]}"#,
            #"""
            {"id":"c","model":"m","created":1,"choices":[{"index":0,\#
            "delta":{},"finish_reason":"length"}],"usage":null}
            """#,
        ])
        let events = Harness.events(Harness.openAI.unified(input))
        #expect(
            events == [
                .start(id: "c", model: "m", provider: "openai", created: 1), .text("hi"), .usage(.zero),
                .done(.length, providerFinishReason: "length"),
            ])
    }

    @Test func inStreamErrorEndsWithErrorUsageDone() {
        let input = Array(
            ("data: " + #"{"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{"content":"a"}}]}"# + "\n\n"
                + "data: " + #"{"error":{"message":"boom","type":"server_error"}}"# + "\n\n").utf8)
        let events = Harness.events(Harness.openAI.unified(input))
        #expect(events.count == 5)
        guard case .error(let e) = events[2] else { Issue.record("expected error, got \(events)"); return }
        #expect(e.message.contains("boom"))
        #expect(events[3] == .usage(.zero))
        #expect(events[4] == .done(.error, providerFinishReason: nil))
    }
}

@Suite("OpenAI adapter: requests, responses, errors")
struct OpenAIMappingTests {
    let endpoint = ProviderEndpoint(baseURL: "http://mock:1/", apiKey: "provider-secret")

    func body(_ request: ChatRequest, stream: Bool = true) throws -> JSONValue {
        let upstream = try OpenAIAdapter().upstreamRequest(
            for: request, model: "gpt-x", endpoint: endpoint, stream: stream)
        return try JSONValue.parse(upstream.body)
    }

    @Test func urlHeadersAndStreamOptions() throws {
        let request = ChatRequest(model: "openai/gpt-x", messages: [.text(.user, "hi")])
        let upstream = try OpenAIAdapter().upstreamRequest(
            for: request, model: "gpt-x", endpoint: endpoint, stream: true)
        #expect(upstream.url == "http://mock:1/v1/chat/completions")
        #expect(upstream.header("authorization") == "Bearer provider-secret")
        let json = try JSONValue.parse(upstream.body)
        #expect(
            json == [
                "model": "gpt-x", "messages": [["role": "user", "content": "hi"]], "stream": true,
                "stream_options": ["include_usage": true],
            ])
    }

    @Test func everyMessageKindAndToolChoice() throws {
        let request = try ChatRequest.decode(
            try JSONValue.parse(
                #"""
                {"model":"m","messages":[
                  {"role":"system","content":"be terse"},
                  {"role":"user","content":[{"type":"text","text":"look"},\#
                {"type":"image","media_type":"image/png","data":"QUJD"}]},
                  {"role":"assistant","content":[{"type":"thinking","text":"hmm","signature":"s"},\#
                {"type":"text","text":"checking"},
                    {"type":"tool_call","id":"call_1","name":"get","arguments":{"city":"Oslo"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"{\"t\":3}"}],
                 "tools":[{"name":"get","description":"d","parameters":{"type":"object"}}],
                 "tool_choice":{"name":"get"},"max_tokens":9,"temperature":0.5,"stop":"\n",\#
                "thinking":{"budget_tokens":5000},
                 "metadata":{"user":"alice"},"provider_options":{"openai":{"seed":7,"temperature":0.1}}}
                """#))
        let json = try body(request, stream: false)
        let messages = try #require(json["messages"]?.arrayValue)
        #expect(messages[0] == ["role": "system", "content": "be terse"])
        #expect(
            messages[1]["content"]?[1] == ["type": "image_url", "image_url": ["url": "data:image/png;base64,QUJD"]])
        #expect(messages[2]["content"] == "checking")
        #expect(
            messages[2]["tool_calls"]?[0] == [
                "id": "call_1", "type": "function", "function": ["name": "get", "arguments": #"{"city":"Oslo"}"#],
            ])
        #expect(messages[3] == ["role": "tool", "tool_call_id": "call_1", "content": #"{"t":3}"#])
        #expect(json["tool_choice"] == ["type": "function", "function": ["name": "get"]])
        #expect(json["max_completion_tokens"] == 9)
        #expect(json["reasoning_effort"] == "medium")
        #expect(json["user"] == "alice")
        #expect(json["seed"] == 7)
        #expect(json["temperature"]?.doubleValue == 0.1)
        #expect(json["stop"] == ["\n"])
        #expect(json["stream"] == nil)
        for (choice, expected) in [
            (ToolChoice.auto, JSONValue.string("auto")), (.none, "none"), (.required, "required"),
        ] {
            var r = request
            r.toolChoice = choice
            #expect(try body(r)["tool_choice"] == expected)
        }
    }

    @Test(arguments: [("chat-completion-tool-calls-parallel.json", 2), ("chat-completion-text-usage-details.json", 0)])
    func nonStreamFixtures(file: String, toolCalls: Int) throws {
        let bytes = try Harness.openAI.fixture(file)
        let json = try JSONValue.parse(bytes)
        let response = try OpenAIAdapter().decodeResponse(body: bytes, model: "x")
        #expect(
            response.content.filter {
                if case .toolCall = $0 { return true }; return false
            }.count == toolCalls)
        #expect(response.usage.inputTokens == json["usage"]?["prompt_tokens"]?.intValue)
        #expect(response.usage.totalTokens == json["usage"]?["total_tokens"]?.intValue)
        #expect(response.finishReason == (toolCalls > 0 ? .toolCalls : .stop))
    }

    @Test func errorFixturesMapToTheContract() throws {
        let adapter = OpenAIAdapter()
        let bad = adapter.mapError(
            status: 400, headers: [], body: try Harness.openAI.fixture("error-400-unsupported-parameter.json"))
        #expect(bad.error.status == 400)
        #expect(!bad.retryable)
        let key = adapter.mapError(
            status: 401, headers: [], body: try Harness.openAI.fixture("error-401-invalid-api-key.json"))
        #expect(key.error.status == 502)
        #expect(key.error.type == .upstreamError)
        let limited = adapter.mapError(
            status: 429, headers: [("retry-after-ms", "1500")],
            body: try Harness.openAI.fixture("error-429-rate-limit-reached.json"))
        #expect(limited.error.status == 429)
        #expect(limited.retryable)
        #expect(limited.retryAfterSeconds == 1.5)
        #expect(limited.error.headers.contains { $0.name == "Retry-After" && $0.value == "2" })
        let reset = adapter.mapError(status: 429, headers: [("x-ratelimit-reset-requests", "6m0s")], body: [])
        #expect(reset.retryAfterSeconds == 360)
        let server = adapter.mapError(
            status: 500, headers: [], body: try Harness.openAI.fixture("error-500-server-error.json"))
        #expect(server.retryable)
        #expect(server.error.status == 503)
        #expect(RetryHints.duration("174ms") == 0.174)
        #expect(RetryHints.duration("1h2m3.5s") == 3723.5)
        #expect(RetryHints.duration("soon") == nil)
    }
}
