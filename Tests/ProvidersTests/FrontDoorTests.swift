import ChatModel
import JSON
import SSE
import Testing
@testable import Providers

/// The three front doors through their one protocol, without the daemon: the client's body
/// straight into the unified request, the encoder that answers in the same dialect (every
/// event kind), and errors in the door's shape naming the client's own fields.
@Suite("Front doors: decode, encode, errors")
struct FrontDoorTests {
    static let start = StreamEvent.start(id: "r1", model: "m", provider: "p", created: 5)
    static let usage = Usage(
        inputTokens: 10, outputTokens: 4, cacheReadTokens: 3, cacheWriteTokens: 2,
        reasoningTokens: 1)
    /// One of every event a client can see.
    static let stream: [StreamEvent] = [
        start, .thinking("hm"), .thinkingSignature("anthropic:s"), .text("Hi"),
        .toolCallStart(index: 0, id: "c1", name: "f"), .toolCallDelta(index: 0, arguments: #"{"a":1}"#),
        .toolCall(index: 0, id: "c1", name: "f", arguments: ["a": 1]), .usage(usage),
        .done(.toolCalls, providerFinishReason: "tool_calls"),
    ]

    static let secondMessageIsANumber =
        #"{"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":7}]}"#

    static func bytes(_ encoder: some ChatEncoder, _ events: [StreamEvent]) -> String {
        var out: [UInt8] = []
        for event in events { encoder.encode(event, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    static func sse(_ text: String) -> [(name: String?, data: JSONValue)] {
        var events: [(String?, JSONValue)] = []
        var decoder = SSEDecoder()
        decoder.feed(Array(text.utf8)) { event in
            events.append((event.event, (try? JSONValue.parse(event.data)) ?? .string(event.data)))
        }
        return events
    }

    static func param<D: FrontDoor>(_ door: D, _ body: String) -> String? {
        do {
            _ = try door.decode(try JSONValue.parse(body))
            return nil
        } catch let error as GatewayError {
            return error.param
        } catch {
            return "\(error)"
        }
    }

    // MARK: OpenAI

    @Test func openAIDoorKeepsIncludeUsageForItsEncoder() throws {
        let body = #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true"#
        for (options, usageChunk) in [("", false), (#","stream_options":{"include_usage":true}"#, true)] {
            let (request, encoder) = try OpenAIDoor().decode(try JSONValue.parse(body + options + "}"))
            #expect(request.stream && request.messages == [.text(.user, "hi")])
            let chunks = Self.sse(Self.bytes(encoder, Self.stream))
            #expect(chunks.contains { $0.data["usage"]?["prompt_tokens"] == 10 } == usageChunk, "\(options)")
        }
    }

    @Test func openAIDoorWritesEveryEventKind() throws {
        let body = #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}"#
        let (_, encoder) = try OpenAIDoor().decode(try JSONValue.parse(body))
        let chunks = Self.sse(Self.bytes(encoder, Self.stream)).map(\.data)
        let deltas = chunks.compactMap { $0["choices"]?[0]?["delta"] }
        #expect(deltas.first == ["role": "assistant", "content": ""])
        #expect(deltas.contains { $0["reasoning_content"] == "hm" })
        #expect(deltas.contains { $0["content"] == "Hi" })
        #expect(deltas.contains { $0["tool_calls"]?[0]?["function"]?["name"] == "f" })
        #expect(deltas.contains { $0["tool_calls"]?[0]?["function"]?["arguments"] == #"{"a":1}"# })
        #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"] == "tool_calls" })
        let usage = try #require(chunks.first { $0["usage"] != nil }?["usage"])
        #expect(usage == OpenAIUsage.wire(Self.usage))
        #expect(usage["prompt_tokens_details"]?["cached_tokens"] == 3)
        #expect(usage["completion_tokens_details"]?["reasoning_tokens"] == 1)
        #expect(chunks.last == .string("[DONE]"))
    }

    @Test func openAIDoorErrorsAreOpenAIsShapeAndNameTheClientsField() throws {
        let door = OpenAIDoor()
        #expect(Self.param(door, Self.secondMessageIsANumber) == "messages[1].content")
        let error = GatewayError.invalidRequest("messages[1].content: bad", param: "messages[1].content")
        let body = try JSONValue.parse(door.error(error, requestId: "q"))
        #expect(body["error"]?["type"] == "invalid_request_error" && body["error"]?["param"] == "messages[1].content")
        let encoder = OpenAIChunkEncoder(includeUsage: false)
        #expect(door.error(error, requestId: "q") == encoder.error(error, requestId: "q"))
    }

    // MARK: Anthropic

    @Test func anthropicDoorWritesEveryEventKind() throws {
        let (request, encoder) = try AnthropicDoor().decode(
            try JSONValue.parse(#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#))
        #expect(request.maxTokens == 5 && request.messages == [.text(.user, "hi")])
        let events = Self.sse(Self.bytes(encoder, Self.stream))
        #expect(
            events.map(\.name) == [
                "message_start",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop",
            ])
        let delta = try #require(events.first { $0.name == "message_delta" }?.data)
        #expect(delta["delta"]?["stop_reason"] == "tool_use")
        // Anthropic's input excludes the cache reads and writes the unified input includes.
        #expect(
            delta["usage"] == [
                "input_tokens": 5, "output_tokens": 4, "cache_creation_input_tokens": 2,
                "cache_read_input_tokens": 3,
            ])
    }

    @Test func anthropicDoorErrorsAreAnthropicsShapeAndNameTheClientsField() throws {
        let door = AnthropicDoor()
        #expect(
            Self.param(
                door,
                #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a"},"#
                    + #"{"role":"assistant","content":[{"type":"text"}]}]}"#) == "messages[1].content[0].text")
        let error = GatewayError(status: 429, type: .rateLimited, message: "slow")
        let body = try JSONValue.parse(door.error(error, requestId: "q"))
        #expect(
            body == ["type": "error", "error": ["type": "rate_limit_error", "message": "slow"], "request_id": "q"])
        #expect(door.error(error, requestId: "q") == AnthropicEventEncoder().error(error, requestId: "q"))
    }

    // MARK: Unified

    @Test func unifiedDoorIsTheUnifiedAPI() throws {
        let (request, encoder) = try UnifiedDoor().decode(
            try JSONValue.parse(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#))
        #expect(request.stream && request.messages == [.text(.user, "hi")])
        var expected: [UInt8] = []
        for event in Self.stream { event.writeSSE(into: &expected) }
        #expect(Self.bytes(encoder, Self.stream) == String(decoding: expected, as: UTF8.self))
        #expect(Self.param(UnifiedDoor(), Self.secondMessageIsANumber) == "messages[1].content")
        let error = GatewayError.invalidRequest("x", param: "model")
        #expect(UnifiedDoor().error(error, requestId: "q") == error.body(requestId: "q"))
    }
}
