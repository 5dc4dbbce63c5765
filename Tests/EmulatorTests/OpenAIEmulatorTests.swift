import JSON
import Testing

@Suite("Emulator: OpenAI wire")
struct OpenAIEmulatorTests {
    let harness: EmulatorHarness
    init() throws { harness = try EmulatorHarness() }

    @Test func textStreamHasRoleChunkDeltasFinishUsageAndDone() throws {
        let r = try harness.openAI(
            "text+chunks=4+input=12+cached=5+reasoning=2", extra: #","stream_options":{"include_usage":true}"#)
        #expect(r.status == 200)
        #expect(r.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        let events = r.events
        #expect(events.allSatisfy { $0.event == nil })
        #expect(events.last?.data == "[DONE]")
        let chunks = r.eventJSON
        #expect(
            chunks.allSatisfy { $0["object"]?.stringValue == "chat.completion.chunk" && $0["id"] == chunks[0]["id"] })
        #expect(chunks[0]["choices"]?[0]?["delta"]?["role"]?.stringValue == "assistant")
        let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
        #expect(text == "w0 w1 w2 w3")
        let finish = chunks.compactMap { $0["choices"]?[0]?["finish_reason"]?.stringValue }
        #expect(finish == ["stop"])
        let usageChunk = try #require(chunks.last)
        #expect(usageChunk["choices"]?.arrayValue?.isEmpty == true)
        let usage = try #require(usageChunk["usage"])
        #expect(usage["prompt_tokens"]?.intValue == 12)
        #expect(usage["prompt_tokens_details"]?["cached_tokens"]?.intValue == 5)
        #expect(usage["completion_tokens"]?.intValue == 6)
        #expect(usage["completion_tokens_details"]?["reasoning_tokens"]?.intValue == 2)
        #expect(usage["total_tokens"]?.intValue == 18)
    }

    @Test func usageChunkOnlyWhenRequested() throws {
        let r = try harness.openAI("gpt-4o-mini")
        #expect(r.eventJSON.allSatisfy { $0["usage"] == nil })
        // "" + 5 words
        #expect(r.eventJSON.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.count == 6)
    }

    @Test func nonStreamedText() throws {
        let r = try harness.openAI("text+chunks=3+input=7+cached=2", stream: false)
        #expect(r.status == 200)
        let body = try #require(r.json)
        #expect(body["object"]?.stringValue == "chat.completion")
        #expect(body["choices"]?[0]?["message"]?["content"]?.stringValue == "w0 w1 w2")
        #expect(body["choices"]?[0]?["finish_reason"]?.stringValue == "stop")
        #expect(body["usage"]?["prompt_tokens"]?.intValue == 7)
        #expect(body["usage"]?["prompt_tokens_details"]?["cached_tokens"]?.intValue == 2)
        #expect(body["usage"]?["completion_tokens"]?.intValue == 3)
    }

    @Test(arguments: [false, true])
    func toolCallsAssembleByIndex(interleave: Bool) throws {
        let tools = #","tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]"#
        let r = try harness.openAI("tools+calls=3" + (interleave ? "+interleave=1" : ""), extra: tools)
        var arguments: [Int: String] = [:]
        var names: [Int: String] = [:]
        var ids: [Int: String] = [:]
        var order: [Int] = []
        for chunk in r.eventJSON {
            for call in chunk["choices"]?[0]?["delta"]?["tool_calls"]?.arrayValue ?? [] {
                let index = try #require(call["index"]?.intValue)
                if let name = call["function"]?["name"]?.stringValue { names[index] = name }
                if let id = call["id"]?.stringValue { ids[index] = id }
                arguments[index, default: ""] += call["function"]?["arguments"]?.stringValue ?? ""
                if call["function"]?["arguments"]?.stringValue?.isEmpty == false { order.append(index) }
            }
        }
        #expect(names == [0: "lookup", 1: "lookup", 2: "lookup"])
        #expect(Set(ids.values).count == 3)
        for i in 0..<3 {
            let parsed = try JSONValue.parse(try #require(arguments[i]))
            #expect(parsed["city"]?.stringValue == "Oslo")
            #expect(parsed["n"]?.intValue == i)
        }
        #expect(order.count > 6)
        #expect((order == order.sorted()) == !interleave)
        #expect(r.eventJSON.compactMap { $0["choices"]?[0]?["finish_reason"]?.stringValue } == ["tool_calls"])
        let first = try #require(r.eventJSON.first?["choices"]?[0]?["delta"])
        #expect(first["content"]?.isNull == true)
    }

    @Test func nonStreamedToolCalls() throws {
        let r = try harness.openAI("tools+calls=2", stream: false)
        let message = try #require(r.json?["choices"]?[0]?["message"])
        #expect(message["content"]?.isNull == true)
        let calls = try #require(message["tool_calls"]?.arrayValue)
        #expect(calls.count == 2)
        #expect(calls[1]["function"]?["name"]?.stringValue == "get_weather")
        #expect(try JSONValue.parse(calls[1]["function"]?["arguments"]?.stringValue ?? "")["n"]?.intValue == 1)
        #expect(r.json?["choices"]?[0]?["finish_reason"]?.stringValue == "tool_calls")
    }

    @Test func authenticationFailuresUseTheCapturedBody() throws {
        let captured = EmulatorHarness.fixture("openai", "error-401-invalid-api-key.json")
        for key in [nil, "bad-key"] as [String?] {
            let r = try harness.openAI("text", key: key)
            #expect(r.status == 401)
            #expect(r.body == captured)
        }
    }

    @Test func rateLimitErrorCarriesRetryHeaders() throws {
        let r = try harness.openAI("error+status=429+retry_after=3+retry_after_ms=2500")
        #expect(r.status == 429)
        #expect(r.body == EmulatorHarness.fixture("openai", "error-429-rate-limit-reached.json"))
        #expect(r.headers["retry-after"] == "3")
        #expect(r.headers["retry-after-ms"] == "2500")
        #expect(r.headers["x-ratelimit-reset-requests"] == "3s")
        #expect(r.headers["x-ratelimit-remaining-tokens"] == "0")
    }

    @Test(arguments: [400, 500, 503, 404])
    func errorBodiesHaveTheErrorShape(status: Int) throws {
        let r = try harness.openAI("error+status=\(status)", stream: false)
        #expect(r.status == status)
        let error = try #require(r.json?["error"])
        #expect(error["message"]?.stringValue?.isEmpty == false)
        #expect(error["type"]?.stringValue != nil)
        #expect(error["code"] != nil && error["param"] != nil)
        #expect(r.headers["retry-after"] == nil)
    }

    @Test func midstreamErrorIsAnErrorObjectWithoutDone() throws {
        let r = try harness.openAI("midstream_error+after=2")
        #expect(r.status == 200)
        let events = r.events
        #expect(events.last?.data.hasPrefix(#"{"error":"#) == true)
        #expect(!events.contains { $0.data == "[DONE]" })
        #expect(r.eventJSON.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined() == "w0 w1")
    }

    @Test func headersSelectTheScenarioAndWin() throws {
        let r = try harness.openAI(
            "text+chunks=9", stream: false, headers: ["x-mock-scenario": "tools", "x-mock-calls": "2"])
        #expect(r.json?["choices"]?[0]?["message"]?["tool_calls"]?.arrayValue?.count == 2)
        let t = try harness.openAI("gpt-4o", stream: false, headers: ["x-mock-chunks": "2"])
        #expect(t.json?["choices"]?[0]?["message"]?["content"]?.stringValue == "w0 w1")
    }

    @Test func echoReturnsTheRequestBody() throws {
        let r = try harness.openAI("echo", stream: false)
        let text = try #require(r.json?["choices"]?[0]?["message"]?["content"]?.stringValue)
        #expect(try JSONValue.parse(text)["messages"]?[0]?["content"]?.stringValue == "hi")
    }

    @Test func thinkingReportsReasoningTokensOnly() throws {
        let r = try harness.openAI("thinking+chunks=2", stream: false)
        let usage = try #require(r.json?["usage"])
        #expect(usage["completion_tokens_details"]?["reasoning_tokens"]?.intValue == 3)
        #expect(usage["completion_tokens"]?.intValue == 5)
        #expect(r.json?["choices"]?[0]?["message"]?["content"]?.stringValue == "w0 w1")
    }

    @Test func longStreamsSurviveBackpressure() throws {
        let r = try harness.openAI("text+chunks=30000", extra: #","stream_options":{"include_usage":true}"#)
        let events = r.events
        #expect(events.count == 30_004)
        #expect(events[30_000].data.contains(" w29999"))
        #expect(events.last?.data == "[DONE]")
    }
}
