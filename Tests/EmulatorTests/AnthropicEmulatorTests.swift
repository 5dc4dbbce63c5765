import JSON
import SSE
import Testing

@Suite("Emulator: Anthropic wire")
struct AnthropicEmulatorTests {
    let harness: EmulatorHarness
    init() throws { harness = try EmulatorHarness() }

    /// Every event's name equals the `type` in its data.
    func checkNames(_ events: [SSEEvent]) throws {
        for event in events {
            let data = try JSONValue.parse(event.data)
            #expect(event.event == data["type"]?.stringValue)
        }
    }

    @Test func textStreamFollowsTheEventOrderAndUsageConvention() throws {
        let r = try harness.anthropic("text+chunks=3+input=100+cached=60+cache_write=30+output=7")
        #expect(r.status == 200)
        try checkNames(r.events)
        let types = r.events.compactMap(\.event).filter { $0 != "ping" }
        #expect(
            types == [
                "message_start", "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop",
            ])
        #expect(r.text.contains("event: ping\ndata: {\"type\": \"ping\"}\n\n"))
        let json = r.eventJSON
        let start = try #require(json.first?["message"]?["usage"])
        #expect(start["input_tokens"]?.intValue == 10)  // 100 − 60 read − 30 written
        #expect(start["cache_read_input_tokens"]?.intValue == 60)
        #expect(start["cache_creation_input_tokens"]?.intValue == 30)
        #expect(start["output_tokens"]?.intValue == 1)
        let delta = try #require(json.first { $0["type"]?.stringValue == "message_delta" })
        #expect(delta["delta"]?["stop_reason"]?.stringValue == "end_turn")
        #expect(delta["usage"]?["output_tokens"]?.intValue == 7)
        let text = json.compactMap { $0["delta"]?["text"]?.stringValue }.joined()
        #expect(text == "w0 w1 w2")
    }

    @Test func thinkingWithSignatureAndRedactedBlock() throws {
        let r = try harness.anthropic("thinking+chunks=2+redacted=1")
        try checkNames(r.events)
        let json = r.eventJSON
        let blocks = json.filter { $0["type"]?.stringValue == "content_block_start" }
        #expect(
            blocks.compactMap { $0["content_block"]?["type"]?.stringValue } == [
                "thinking", "redacted_thinking", "text",
            ])
        #expect(blocks.compactMap { $0["index"]?.intValue } == [0, 1, 2])
        #expect(blocks[1]["content_block"]?["data"]?.stringValue?.isEmpty == false)
        let zero = json.filter { $0["type"]?.stringValue == "content_block_delta" && $0["index"]?.intValue == 0 }
        #expect(
            zero.compactMap { $0["delta"]?["type"]?.stringValue } == [
                "thinking_delta", "thinking_delta", "thinking_delta", "signature_delta",
            ])
        #expect(zero.last?["delta"]?["signature"]?.stringValue?.hasPrefix("sig-") == true)
        #expect(!json.contains { $0["type"]?.stringValue == "content_block_delta" && $0["index"]?.intValue == 1 })
    }

    @Test func toolUseBlocksStreamInputJSONDeltas() throws {
        let tools = #","tools":[{"name":"lookup","input_schema":{"type":"object"}}]"#
        let r = try harness.anthropic("tools+calls=2", extra: tools)
        let json = r.eventJSON
        let starts = json.filter { $0["type"]?.stringValue == "content_block_start" }
        #expect(starts.count == 2)
        for (i, start) in starts.enumerated() {
            #expect(start["content_block"]?["type"]?.stringValue == "tool_use")
            #expect(start["content_block"]?["name"]?.stringValue == "lookup")
            #expect(start["content_block"]?["input"]?.objectValue?.isEmpty == true)
            let pieces = json.filter { $0["type"]?.stringValue == "content_block_delta" && $0["index"]?.intValue == i }
                .compactMap { $0["delta"]?["partial_json"]?.stringValue }
            #expect(pieces.first == "")
            #expect(pieces.count > 3)
            #expect(try JSONValue.parse(pieces.joined())["n"]?.intValue == i)
        }
        let delta = json.first { $0["type"]?.stringValue == "message_delta" }
        #expect(delta?["delta"]?["stop_reason"]?.stringValue == "tool_use")
    }

    @Test func nonStreamedMessage() throws {
        let r = try harness.anthropic("tools+calls=1+input=20+cached=5", stream: false)
        let body = try #require(r.json)
        #expect(body["type"]?.stringValue == "message")
        #expect(body["content"]?[0]?["type"]?.stringValue == "tool_use")
        #expect(body["content"]?[0]?["input"]?["city"]?.stringValue == "Oslo")
        #expect(body["stop_reason"]?.stringValue == "tool_use")
        #expect(body["usage"]?["input_tokens"]?.intValue == 15)
        #expect(body["usage"]?["cache_read_input_tokens"]?.intValue == 5)
        let text = try harness.anthropic("thinking", stream: false)
        #expect(text.json?["content"]?.arrayValue?.compactMap { $0["type"]?.stringValue } == ["thinking", "text"])
    }

    @Test func midstreamErrorIsTheOverloadedEvent() throws {
        let r = try harness.anthropic("midstream_error+after=1")
        #expect(r.status == 200)
        let last = try #require(r.events.last)
        #expect(last.event == "error")
        #expect(try JSONValue.parse(last.data)["error"]?["type"]?.stringValue == "overloaded_error")
        #expect(!r.events.contains { $0.event == "message_stop" })
    }

    @Test func authenticationAndVersionChecks() throws {
        let captured = EmulatorHarness.fixture("anthropic", "error-401-authentication.json")
        #expect(try harness.anthropic("text", key: nil).body == captured)
        let bad = try harness.anthropic("text", key: "bad-key")
        #expect(bad.status == 401)
        #expect(bad.body == captured)
        let noVersion = try harness.anthropic("text", version: false)
        #expect(noVersion.status == 400)
        #expect(noVersion.json?["error"]?["type"]?.stringValue == "invalid_request_error")
    }

    @Test func rateLimitAndOverloadErrors() throws {
        let limited = try harness.anthropic("error+status=429+retry_after=4")
        #expect(limited.status == 429)
        #expect(limited.headers["retry-after"] == "4")
        #expect(limited.headers["anthropic-ratelimit-requests-remaining"] == "0")
        #expect(limited.headers["anthropic-ratelimit-tokens-reset"]?.hasSuffix("Z") == true)
        #expect(limited.json?["error"]?["type"]?.stringValue == "rate_limit_error")
        let overloaded = try harness.anthropic("error+status=529")
        #expect(overloaded.status == 529)
        #expect(overloaded.text == #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        #expect(overloaded.headers["x-should-retry"] == "true")
    }
}
