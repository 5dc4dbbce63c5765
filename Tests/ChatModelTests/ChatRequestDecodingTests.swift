import HTTPTypes
import JSON
import Testing
@testable import ChatModel

@Suite("Unified request: strict decoding")
struct ChatRequestDecodingTests {
    static let minimal = #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#

    func decode(_ text: String) throws -> ChatRequest { try ChatRequest.decode(try JSONValue.parse(text)) }

    @Test func minimalRequestHasTheDefaults() throws {
        let r = try decode(Self.minimal)
        #expect(r.model == "m")
        #expect(r.stream)
        #expect(r.messages == [.text(.user, "hi")])
        #expect(r.tools.isEmpty && r.toolChoice == nil && r.thinking == nil && r.fallbacks == nil)
    }

    @Test(arguments: [
        (#"[1]"#, nil as String?),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "model"),
        (#"{"model":"","messages":[{"role":"user","content":"x"}]}"#, "model"),
        (#"{"model":"m"}"#, "messages"),
        (#"{"model":"m","messages":[]}"#, "messages"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"bogus":1}"#, "bogus"),
        (#"{"model":"m","messages":[{"role":"robot","content":"x"}]}"#, "messages[0].role"),
        (#"{"model":"m","messages":[{"role":"user","content":5}]}"#, "messages[0].content"),
        (
            #"{"model":"m","messages":[{"role":"user","content":"x"},{"role":"user","content":[{"type":"video"}]}]}"#,
            "messages[1].content[0].type"
        ),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}"#, "messages[0].content[0].text"),
        (
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a","x":1}]}]}"#,
            "messages[0].content[0].x"
        ),
        (
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"thinking","text":"a"}]}]}"#,
            "messages[0].content[0].type"
        ),
        (
            #"""
            {"model":"m","messages":[{"role":"user",\#
            "content":[{"type":"tool_call","id":"1","name":"f","arguments":{}}]}]}
            """#, "messages[0].content[0].type"
        ),
        (
            #"""
            {"model":"m","messages":[{"role":"assistant",\#
            "content":[{"type":"tool_call","id":"1","name":"f","arguments":"[1]"}]}]}
            """#, "messages[0].content[0].arguments"
        ),
        (
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"image","data":"QQ=="}]}]}"#,
            "messages[0].content[0].media_type"
        ),
        (#"{"model":"m","messages":[{"role":"tool","content":"x"}]}"#, "messages[0].tool_call_id"),
        (#"{"model":"m","messages":[{"role":"user","content":"x","tool_call_id":"a"}]}"#, "messages[0].tool_call_id"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"name":"bad name"}]}"#, "tools[0].name"),
        (
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"name":"a"},{"name":"a"}]}"#,
            "tools[1].name"
        ),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"sometimes"}"#, "tool_choice"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"required"}"#, "tool_choice"),
        (
            #"""
            {"model":"m","messages":[{"role":"user","content":"x"}],\#
            "tools":[{"name":"a"}],"tool_choice":{"name":"b"}}
            """#, "tool_choice.name"
        ),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0}"#, "max_tokens"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5}"#, "max_tokens"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3}"#, "temperature"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"top_p":"high"}"#, "top_p"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]}"#, "stop"),
        (
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"thinking":{"budget_tokens":10,"effort":"low"}}"#,
            "thinking"
        ),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"thinking":{"effort":"max"}}"#, "thinking.effort"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#, "stream"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"fallbacks":[""]}"#, "fallbacks[0]"),
        (
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"provider_options":{"cohere":{}}}"#,
            "provider_options.cohere"
        ),
        (
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"provider_options":{"openai":1}}"#,
            "provider_options.openai"
        ),
        (
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"provider_options":{"openai":{"stream":false}}}"#,
            "provider_options.openai.stream"
        ),
        (
            #"""
            {"model":"m","messages":[{"role":"user","content":"x"}],\#
            "provider_options":{"anthropic":{"model":"claude-opus"}}}
            """#, "provider_options.anthropic.model"
        ),
        (
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"provider_options":{"gemini":{"contents":[]}}}"#,
            "provider_options.gemini.contents"
        ),
    ])
    func rejectsWithTheFieldPath(json: String, param: String?) throws {
        do {
            _ = try decode(json)
            Issue.record("accepted \(json)")
        } catch let error as GatewayError {
            #expect(error.status == 400)
            #expect(error.type == .invalidRequest)
            #expect(error.param == param)
            if let param { #expect(error.message.hasPrefix(param)) }
        }
    }

    @Test func moreThanFourCacheBreakpointsIsA400() throws {
        let parts = (0..<3).map { _ in #"{"type":"text","text":"t","cache":true}"# }.joined(separator: ",")
        let ok =
            #"{"model":"m","messages":[{"role":"user","content":[\#(parts)]}],"tools":[{"name":"a","cache":true}]}"#
        #expect(try decode(ok).tools[0].cache)
        let tooMany = #"""
            {"model":"m","messages":[{"role":"user","content":[\#(parts)],\#
            "cache":true}],"tools":[{"name":"a","cache":true}]}
            """#
        #expect(throws: GatewayError.self) { try decode(tooMany) }
        do { _ = try decode(tooMany) } catch let error as GatewayError { #expect(error.param == "cache") }
    }

    @Test func extraKeysAreLeftToTheCaller() throws {
        let text = #"{"model":"m","messages":[{"role":"user","content":"x"}],"max_steps":3}"#
        #expect(throws: GatewayError.self) { try decode(text) }
        #expect(try ChatRequest.decode(try JSONValue.parse(text), extraKeys: ["max_steps"]).model == "m")
    }

    @Test func fullRequestRoundTripsThroughJSON() throws {
        let text = #"""
            {"model":"claude-fast","messages":[
              {"role":"system","content":"You are terse."},
              {"role":"user","content":[{"type":"text","text":"Long","cache":true},\#
            {"type":"image","media_type":"image/png","data":"QUJD"}]},
              {"role":"assistant","content":[{"type":"thinking","text":"...","signature":"opaque=="},\#
            {"type":"thinking","redacted":"EqQB"},
                {"type":"text","text":"Let me check."},\#
            {"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Oslo"},"signature":"sig"}]},
              {"role":"tool","tool_call_id":"call_1","content":"{\"temp\": 3}","is_error":false}],
             "tools":[{"name":"get_weather","description":"d","parameters":{"type":"object"}}],
             "tool_choice":"auto","max_tokens":1024,"temperature":0.2,"top_p":1,"stop":["\n\n"],
             "thinking":{"budget_tokens":4096},"stream":false,"fallbacks":["gpt-fast"],"metadata":{"user":"alice"},
             "provider_options":{"anthropic":{"top_k":5}}}
            """#
        let request = try decode(text)
        #expect(request.messages[2].content[0] == .thinking(ThinkingPart(text: "...", signature: "opaque==")))
        #expect(request.messages[2].content[1] == .thinking(ThinkingPart(redacted: "EqQB")))
        #expect(request.thinking == .budget(4096))
        #expect(request.providerOptions["anthropic"]?["top_k"] == 5)
        #expect(try ChatRequest.decode(request.json()) == request)
    }
}

@Suite("Unified stream events")
struct StreamEventTests {
    @Test(arguments: [
        (
            StreamEvent.start(id: "i", model: "m", provider: "p", created: 7),
            #"event: start\#ndata: {"id":"i","model":"m","provider":"p","created":7}"#
        ),
        (.text("a\"b\n"), #"event: text\#ndata: {"delta":"a\"b\n"}"#),
        (.thinking("t"), #"event: thinking\#ndata: {"delta":"t"}"#),
        (.thinkingSignature("s=="), #"event: thinking\#ndata: {"signature":"s=="}"#),
        (.thinkingRedacted("r"), #"event: thinking\#ndata: {"redacted":"r"}"#),
        (
            .toolCallStart(index: 1, id: "c", name: "f"),
            #"event: tool_call_start\#ndata: {"index":1,"id":"c","name":"f"}"#
        ),
        (
            .toolCallDelta(index: 0, arguments: "{\"a"),
            #"event: tool_call_delta\#ndata: {"index":0,"arguments":"{\"a"}"#
        ),
        (
            .toolCall(index: 0, id: "c", name: "f", arguments: ["a": 1]),
            #"event: tool_call\#ndata: {"index":0,"id":"c","name":"f","arguments":{"a":1}}"#
        ),
        (
            .usage(
                Usage(
                    inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4, reasoningTokens: 5,
                    totalTokens: 6)),
            #"""
            event: usage\#ndata: {"input_tokens":1,"output_tokens":2,"cache_read_tokens":3,\#
            "cache_write_tokens":4,"reasoning_tokens":5,"total_tokens":6}
            """#
        ),
        (
            .error(StreamError(type: "upstream_error", message: "m", provider: "p", status: 502)),
            #"event: error\#ndata: {"error":{"type":"upstream_error","message":"m","provider":"p","status":502}}"#
        ),
        (
            .done(.toolCalls, providerFinishReason: "tool_use"),
            #"event: done\#ndata: {"finish_reason":"tool_calls","provider_finish_reason":"tool_use"}"#
        ),
        (
            .done(.stop, providerFinishReason: nil),
            #"event: done\#ndata: {"finish_reason":"stop","provider_finish_reason":null}"#
        ),
    ])
    func exactWireBytesAndInverse(event: StreamEvent, expected: String) throws {
        var out: [UInt8] = []
        event.writeSSE(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected + "\n\n")
        var data: [UInt8] = []
        event.writeData(into: &data)
        #expect(StreamEvent.decode(name: event.name, data: try JSONValue.parse(data)) == event)
    }

    @Test func errorBodyHasTheEnvelope() throws {
        let error = GatewayError.rateLimited("slow", retryAfterSeconds: 0.2, provider: "openai")
        #expect(error.status == 429)
        #expect(error.headers.first == HTTPField("Retry-After", "1"))
        let body = try JSONValue.parse(error.body(requestId: "req_1"))
        #expect(
            body == ["error": ["type": "rate_limited", "message": "slow", "provider": "openai", "request_id": "req_1"]])
    }
}

@Suite("Tool-call assembly and response accumulation")
struct AssemblyTests {
    @Test func interleavedSparseIndicesGetUnifiedOnes() {
        var a = ToolCallAssembler()
        var events: [StreamEvent] = []
        events += a.start(providerIndex: 5, id: "x", name: "f")
        events += a.start(providerIndex: 2, id: "y", name: "g")
        events += a.append(providerIndex: 2, fragment: "{\"b\":")
        events += a.append(providerIndex: 5, fragment: "{\"a\":\"\\u00e9")
        events += a.append(providerIndex: 5, fragment: "\"}")
        events += a.finish(providerIndex: 5)
        events += a.append(providerIndex: 2, fragment: "1}")
        events += a.append(providerIndex: 2, fragment: "")
        events += a.finishAll()
        #expect(
            events == [
                .toolCallStart(index: 0, id: "x", name: "f"), .toolCallStart(index: 1, id: "y", name: "g"),
                .toolCallDelta(index: 1, arguments: "{\"b\":"), .toolCallDelta(index: 0, arguments: "{\"a\":\"\\u00e9"),
                .toolCallDelta(index: 0, arguments: "\"}"),
                .toolCall(index: 0, id: "x", name: "f", arguments: ["a": "é"]),
                .toolCallDelta(index: 1, arguments: "1}"), .toolCall(index: 1, id: "y", name: "g", arguments: ["b": 1]),
            ])
        #expect(a.finishAll().isEmpty)
    }

    @Test func emptyAndBrokenArguments() {
        #expect(ToolCallAssembler.parseArguments("") == .object(JSONObject()))
        #expect(ToolCallAssembler.parseArguments("  \n") == .object(JSONObject()))
        #expect(ToolCallAssembler.parseArguments("{\"a\":") == .string("{\"a\":"))
    }

    @Test func accumulatorBuildsTheNonStreamShape() throws {
        var acc = ResponseAccumulator()
        for e: StreamEvent in [
            .start(id: "r", model: "m", provider: "anthropic", created: 3), .thinking("a"), .thinking("b"),
            .thinkingSignature("sig"), .thinkingRedacted("red"), .text("x"), .text("y"),
            .toolCallStart(index: 0, id: "c", name: "f"), .toolCall(index: 0, id: "c", name: "f", arguments: ["k": 1]),
            .usage(Usage(inputTokens: 3, outputTokens: 4)), .done(.toolCalls, providerFinishReason: "tool_use"),
        ] {
            #expect(acc.response() == nil || e == .done(.toolCalls, providerFinishReason: "tool_use"))
            acc.apply(e)
        }
        let response = try #require(acc.response())
        #expect(
            response.content == [
                .thinking(ThinkingPart(text: "ab", signature: "sig")), .thinking(ThinkingPart(redacted: "red")),
                .text(TextPart(text: "xy")), .toolCall(ToolCallPart(id: "c", name: "f", arguments: ["k": 1])),
            ])
        #expect(response.json()["usage"]?["total_tokens"] == 7)
        #expect(response.json()["message"]?["role"] == "assistant")
        #expect(response.json()["provider_finish_reason"] == "tool_use")
    }
}
