import ChatModel
import Foundation
import JSON
import SSE
import Testing
@testable import Providers

@Suite("Anthropic adapter: stream goldens")
struct AnthropicGoldenTests {
    @Test(arguments: [
        "messages-stream-text.docs", "messages-stream-thinking.docs", "messages-stream-tool-use.docs",
        "messages-stream-error-overloaded.docs",
    ])
    func fixtureMatchesGoldenAtEverySplit(name: String) throws {
        let input = Array(try Data(contentsOf: Harness.anthropic.fixtures.appendingPathComponent("\(name).sse")))
        let whole = Harness.anthropic.unified(input)
        let url = Harness.anthropic.goldens.appendingPathComponent("\(name).events")
        if ProcessInfo.processInfo.environment["SWITCHBOARD_RECORD_GOLDEN"] == "1" {
            try whole.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(whole == (try String(contentsOf: url, encoding: .utf8)))
        #expect(Harness.anthropic.unified(input, splits: Array(0...input.count)) == whole)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            #expect(
                Harness.anthropic.unified(
                    input, splits: (0..<4).map { _ in Int.random(in: 0...input.count, using: &generator) }) == whole)
        }
    }
}

@Suite("Anthropic adapter: streams, requests, errors")
struct AnthropicMappingTests {
    @Test func usageIsTakenNotAddedAndCacheCountsAsInput() {
        let input = Harness.anthropic.stream([
            (
                "message_start",
                #"""
                {"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":5,\#
                "cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":1}}}
                """#
            ),
            ("ping", #"{"type": "ping"}"#),
            (
                "content_block_start",
                #"""
                {"type":"content_block_start","index":0,\#
                "content_block":{"type":"tool_use","id":"toolu_a","name":"f","input":{}}}
                """#
            ),
            (
                "content_block_delta",
                #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}"#
            ),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            (
                "content_block_start",
                #"""
                {"type":"content_block_start","index":1,\#
                "content_block":{"type":"tool_use","id":"toolu_b","name":"g","input":{}}}
                """#
            ),
            (
                "content_block_delta",
                #"""
                {"type":"content_block_delta","index":1,\#
                "delta":{"type":"input_json_delta","partial_json":"{\"x\":"}}
                """#
            ),
            ("something_new", #"{"type":"something_new"}"#),
            (
                "content_block_delta",
                #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"1}"}}"#
            ),
            ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            (
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":30}}"#
            ),
            ("message_stop", #"{"type":"message_stop"}"#),
        ])
        let events = Harness.events(Harness.anthropic.unified(input))
        #expect(events.contains(.toolCall(index: 0, id: "toolu_a", name: "f", arguments: .object(JSONObject()))))
        #expect(events.contains(.toolCall(index: 1, id: "toolu_b", name: "g", arguments: ["x": 1])))
        #expect(
            events.filter {
                if case .usage = $0 { return true }; return false
            }
                == [
                    .usage(
                        Usage(
                            inputTokens: 2105, outputTokens: 30, cacheReadTokens: 2000, cacheWriteTokens: 100,
                            totalTokens: 2135))
                ])
        #expect(events.last == .done(.toolCalls, providerFinishReason: "tool_use"))
    }

    @Test func thinkingSignatureAndRedactedBlocksStreamAndGoBackByteExact() throws {
        let input = Harness.anthropic.stream([
            (
                "message_start",
                #"""
                {"type":"message_start","message":{"id":"m","model":"c",\#
                "usage":{"input_tokens":3,"output_tokens":1}}}
                """#
            ),
            (
                "content_block_start",
                #"""
                {"type":"content_block_start","index":0,\#
                "content_block":{"type":"thinking","thinking":"","signature":""}}
                """#
            ),
            (
                "content_block_delta",
                #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me see."}}"#
            ),
            (
                "content_block_delta",
                #"""
                {"type":"content_block_delta","index":0,\#
                "delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM+/=="}}
                """#
            ),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            (
                "content_block_start",
                #"""
                {"type":"content_block_start","index":1,\#
                "content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy3va"}}
                """#
            ),
            ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            (
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}"#
            ),
            ("message_stop", #"{"type":"message_stop"}"#),
        ])
        let events = Harness.events(Harness.anthropic.unified(input))
        #expect(events.contains(.thinkingSignature("anthropic:EqQBCgIYAhIM+/==")))
        #expect(events.contains(.thinkingRedacted("EmwKAhgBEgy3va")))
        // The next turn sends both blocks back unchanged; unsigned thinking is dropped.
        var accumulator = ResponseAccumulator()
        events.forEach { accumulator.apply($0) }
        let reply = try #require(accumulator.response())
        let request = ChatRequest(
            model: "a",
            messages: [
                .text(.user, "q"),
                Message(
                    role: .assistant,
                    content: reply.content + [
                        .thinking(ThinkingPart(text: "from elsewhere")),
                        .thinking(ThinkingPart(text: "gemini's", signature: "gemini:abc")),
                    ]),
                .text(.user, "go on"),
            ])
        let body = try JSONValue.parse(
            try Harness.anthropic.adapter.upstreamRequest(
                for: request, model: "c", endpoint: ProviderEndpoint(baseURL: "http://x", apiKey: "k"), stream: true
            ).body)
        #expect(
            body["messages"]?[1]?["content"] == [
                ["type": "thinking", "thinking": "Let me see.", "signature": "EqQBCgIYAhIM+/=="],
                ["type": "redacted_thinking", "data": "EmwKAhgBEgy3va"],
            ])
    }

    @Test func midStreamOverloadEndsWithErrorUsageDone() {
        let input = Harness.anthropic.stream([
            (
                "message_start",
                #"""
                {"type":"message_start","message":{"id":"m","model":"c",\#
                "usage":{"input_tokens":3,"output_tokens":1}}}
                """#
            ),
            (
                "content_block_delta",
                #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#
            ),
            ("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
        ])
        let events = Harness.events(Harness.anthropic.unified(input))
        #expect(events.count == 5)
        guard case .error(let e) = events[2] else { Issue.record("\(events)"); return }
        // Overload is 503 upstream_unavailable, in the stream as over HTTP 529.
        #expect(e.status == 503)
        #expect(e.type == "upstream_unavailable")
        #expect(events.last == .done(.error, providerFinishReason: nil))
    }

    @Test func requestMapping() throws {
        let request = try ChatRequest.decode(
            try JSONValue.parse(
                #"""
                {"model":"a","messages":[
                  {"role":"system","content":[{"type":"text","text":"Long doc","cache":true}]},
                  {"role":"user","content":"weather?"},
                  {"role":"assistant","content":[{"type":"tool_call","id":"t1","name":"w","arguments":{"c":"Oslo"}},\#
                {"type":"tool_call","id":"t2","name":"w","arguments":{"c":"Rome"}}]},
                  {"role":"tool","tool_call_id":"t1","content":"3"},
                  {"role":"tool","tool_call_id":"t2","content":"boom","is_error":true}],
                 "tools":[{"name":"w","parameters":{"type":"object"},"cache":true}],"tool_choice":"required",
                 "thinking":{"budget_tokens":500},"stop":["END"],
                 "provider_options":{"anthropic":{"anthropic-beta":["b1","b2"],"top_k":3}}}
                """#))
        let upstream = try Harness.anthropic.adapter.upstreamRequest(
            for: request, model: "claude-x",
            endpoint: ProviderEndpoint(baseURL: "http://up", apiKey: "sk-ant"), stream: true)
        #expect(upstream.url == "http://up/v1/messages")
        #expect(upstream.header("x-api-key") == "sk-ant")
        #expect(upstream.header("anthropic-version") == "2023-06-01")
        #expect(upstream.header("anthropic-beta") == "b1,b2")
        let body = try JSONValue.parse(upstream.body)
        #expect(body["system"] == [["type": "text", "text": "Long doc", "cache_control": ["type": "ephemeral"]]])
        #expect(body["thinking"] == ["type": "enabled", "budget_tokens": 1024])
        #expect(body["max_tokens"] == 5120)
        #expect(body["tool_choice"] == ["type": "any"])
        #expect(body["tools"]?[0]?["cache_control"] == ["type": "ephemeral"])
        #expect(body["stop_sequences"] == ["END"])
        #expect(body["top_k"] == 3)
        #expect(body["anthropic-beta"] == nil)
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.count == 3)
        #expect(messages[1]["content"]?.arrayValue?.count == 2)
        #expect(
            messages[2] == [
                "role": "user",
                "content": [
                    ["type": "tool_result", "tool_use_id": "t1", "content": "3"],
                    ["type": "tool_result", "tool_use_id": "t2", "content": "boom", "is_error": true],
                ],
            ])
        var hot = request
        hot.temperature = 0.5
        #expect(throws: GatewayError.self) {
            try Harness.anthropic.adapter.upstreamRequest(
                for: hot, model: "c", endpoint: ProviderEndpoint(baseURL: "http://up", apiKey: "k"), stream: true)
        }
        var short = request
        short.maxTokens = 900
        do {
            _ = try Harness.anthropic.adapter.upstreamRequest(
                for: short, model: "c", endpoint: ProviderEndpoint(baseURL: "http://up", apiKey: "k"), stream: true)
            Issue.record("accepted max_tokens below the budget")
        } catch { #expect(error.param == "max_tokens") }
    }

    @Test func errorFixturesAndNonStream() throws {
        let adapter = Harness.anthropic.adapter
        let fixture = Harness.anthropic.fixture
        #expect(
            adapter.mapError(status: 400, headers: [], body: try fixture("error-400-invalid-request.docs.json")).error
                .status == 400)
        #expect(
            adapter.mapError(status: 401, headers: [], body: try fixture("error-401-authentication.json")).error.status
                == 502)
        let overloaded = adapter.mapError(
            status: 529, headers: [("x-should-retry", "true")],
            body: Array(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.utf8))
        #expect(overloaded.retryable)
        #expect(overloaded.error.status == 503)
        let response = try adapter.decodeResponse(
            body: try fixture("messages-parallel-tool-use.response.json"), model: "c")
        #expect(
            response.content.filter {
                if case .toolCall = $0 { return true }; return false
            }.count >= 2)
        #expect(response.finishReason == .toolCalls)
        let json = try JSONValue.parse(try fixture("messages-parallel-tool-use.response.json"))
        #expect(response.usage.outputTokens == json["usage"]?["output_tokens"]?.intValue)
    }
}
