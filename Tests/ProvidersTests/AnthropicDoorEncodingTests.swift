import ChatModel
import JSON
import SSE
import Testing

@testable import Providers

/// `/v1/messages` output: the same blocks stream or not (Gemini's signatures included), server
/// tools passed through, `message_start` usage, and a failed stream ending at `event: error`.
@Suite("Anthropic door: encoding")
struct AnthropicDoorEncodingTests {
    static func events(_ stream: [StreamEvent], startUsage: Usage = .zero) -> [(name: String, data: JSONValue)] {
        let encoder = AnthropicEventEncoder()
        encoder.knownUsageAtStart(startUsage)
        var out: [UInt8] = []
        for event in stream { encoder.encode(event, into: &out) }
        var parsed: [(String, JSONValue)] = []
        var sse = SSEDecoder()
        sse.feed(out) { e in parsed.append((e.event ?? "", (try? JSONValue.parse(e.data)) ?? .null)) }
        return parsed
    }

    /// The content blocks a client's stream accumulator ends with.
    static func blocks(_ events: [(name: String, data: JSONValue)]) -> [JSONValue] {
        var blocks: [JSONObject] = []
        var json: [Int: String] = [:]
        for (name, data) in events {
            let index = data["index"]?.intValue ?? 0
            switch name {
            case "content_block_start":
                blocks.append(data["content_block"]?.objectValue ?? JSONObject())
            case "content_block_delta":
                let delta = data["delta"]
                switch delta?["type"]?.stringValue {
                case "text_delta":
                    blocks[index]["text"] = .string(
                        (blocks[index]["text"]?.stringValue ?? "") + (delta?["text"]?.stringValue ?? ""))
                case "thinking_delta":
                    blocks[index]["thinking"] = .string(
                        (blocks[index]["thinking"]?.stringValue ?? "") + (delta?["thinking"]?.stringValue ?? ""))
                case "signature_delta": blocks[index]["signature"] = delta?["signature"]
                case "input_json_delta": json[index, default: ""] += delta?["partial_json"]?.stringValue ?? ""
                default: break
                }
            case "content_block_stop":
                if let text = json[index] { blocks[index]["input"] = (try? JSONValue.parse(text)) ?? .null }
            default: break
            }
        }
        return blocks.map { .object($0) }
    }

    static let gemini = GeminiAdapter(clock: { 1 }, idPrefix: { "t" })

    /// The same Gemini answer — thoughts, a signed text part, a signed call — whole and streamed.
    @Test(arguments: [
        [#"{"text": "t0 t1","thought": true}"#, #"{"text": "w0 w1","thoughtSignature": "c2lnLTE="}"#],
        [
            #"{"functionCall": {"name": "f","args": {"city": "Oslo"}},"thoughtSignature": "c2lnLTI="}"#,
            #"{"functionCall": {"name": "f","args": {}}}"#,
        ],
        [#"{"text": "Sure."}"#, #"{"functionCall": {"name": "f","args": {}},"thoughtSignature": "c2lnLTM="}"#],
        [
            #"{"text": "t0","thought": true,"thoughtSignature": "c2lnLTQ="}"#, #"{"text": "t1","thought": true}"#,
            #"{"text": "w0","thoughtSignature": "c2lnLTU="}"#,
        ],
    ])
    func aWholeGeminiAnswerHasTheStreamsBlocks(parts: [String]) throws {
        let event =
            #"{"candidates": [{"content": {"parts": [\#(parts.joined(separator: ","))],"role": "model"},"#
            + #""finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 3,"#
            + #""candidatesTokenCount": 2,"totalTokenCount": 5},"modelVersion": "g","responseId": "r"}"#
        let whole = try Self.gemini.decodeResponse(body: Array(event.utf8), model: "g")
        let wholeBlocks = try #require(
            try JSONValue.parse(AnthropicEventEncoder().response(whole))["content"]?.arrayValue)
        let decoder = Self.gemini.makeStreamDecoder(model: "g")
        var streamed: [StreamEvent] = []
        decoder.decode(SSEEvent(data: event)) { streamed.append($0) }
        let streamBlocks = Self.blocks(Self.events(streamed))
        #expect(wholeBlocks == streamBlocks)
        #expect(wholeBlocks.contains { ($0["signature"]?.stringValue ?? "").hasPrefix("gemini:c2ln") })
    }

    @Test func theBlocksGoBackToGeminiOnTheirParts() throws {
        let whole = ChatResponse(
            id: "r", model: "g", provider: "gemini", created: 1,
            content: [
                .thinking(ThinkingPart(text: "t0")), .text(TextPart(text: "w0", signature: "gemini:c2lnLTE=")),
                .toolCall(ToolCallPart(id: "call_1", name: "f", arguments: [:], signature: "gemini:c2lnLTI=")),
            ], finishReason: .toolCalls, providerFinishReason: "STOP", usage: .zero)
        let blocks = AnthropicEventEncoder.blocks(whole.content)
        #expect(
            blocks == [
                ["type": "thinking", "thinking": "t0", "signature": "gemini:c2lnLTE="], ["type": "text", "text": "w0"],
                ["type": "thinking", "thinking": "", "signature": "gemini:c2lnLTI="],
                .object(JSONObject([("type", "tool_use"), ("id", "call_1"), ("name", "f"), ("input", [:])])),
            ])
    }

    @Test func serverToolBlocksPassThroughAsAnthropicStreamsThem() {
        let use: JSONValue = .object(
            JSONObject([
                ("type", "server_tool_use"), ("id", "srvtoolu_1"), ("name", "web_search"),
                ("input", ["query": "q"]),
            ]))
        let result: JSONValue = .object(
            JSONObject([
                ("type", "web_search_tool_result"), ("tool_use_id", "srvtoolu_1"),
                ("content", [["type": "web_search_result", "page_age": nil]]),
            ]))
        let events = Self.events([
            .start(id: "m", model: "c", provider: "anthropic", created: 1), .text("Looking."),
            .serverTool(ServerToolPart(provider: "anthropic", block: use)),
            .serverTool(ServerToolPart(provider: "anthropic", block: result)), .text("Found."),
            .usage(.zero), .done(.stop, providerFinishReason: "end_turn"),
        ])
        let starts = events.filter { $0.name == "content_block_start" }.map { $0.data }
        #expect(starts.map { $0["index"] } == [0, 1, 2, 3])
        #expect(
            starts[1]["content_block"]
                == .object(
                    JSONObject([
                        ("type", "server_tool_use"), ("id", "srvtoolu_1"),
                        ("name", "web_search"), ("input", [:]),
                    ])))
        #expect(starts[2]["content_block"] == result)
        #expect(
            Self.blocks(events) == [
                ["type": "text", "text": "Looking."], use, result, ["type": "text", "text": "Found."],
            ])
        #expect(events.last?.name == "message_stop")
        #expect(events.first { $0.name == "message_delta" }?.data["delta"]?["stop_reason"] == "end_turn")
        let whole = AnthropicEventEncoder.blocks([
            .text(TextPart(text: "Looking.")), .serverTool(ServerToolPart(provider: "anthropic", block: use)),
            .serverTool(ServerToolPart(provider: "anthropic", block: result)),
        ])
        #expect(
            whole.map { $0.serialized() } == [
                #"{"type":"text","text":"Looking."}"#, use.serialized(), result.serialized(),
            ])
    }

    @Test func anthropicsOwnStopReasonsPassThrough() {
        #expect(AnthropicStopReason.wire(.stop, providerWord: "pause_turn") == "pause_turn")
        #expect(AnthropicStopReason.wire(.stop, providerWord: "stop_sequence") == "stop_sequence")
        #expect(AnthropicStopReason.wire(.stop, providerWord: "end_turn") == "end_turn")
        #expect(AnthropicStopReason.wire(.stop, providerWord: "STOP") == "end_turn")
    }

    @Test func messageStartCarriesTheUsageKnownThen() {
        let events = Self.events(
            [.start(id: "m", model: "c", provider: "anthropic", created: 1)],
            startUsage: Usage(inputTokens: 100, outputTokens: 1, cacheReadTokens: 60, cacheWriteTokens: 30))
        let usage = events.first?.data["message"]?["usage"]
        #expect(usage?["input_tokens"] == 10)
        #expect(usage?["cache_read_input_tokens"] == 60)
        #expect(usage?["cache_creation_input_tokens"] == 30)
    }

    @Test func aFailedStreamEndsAtItsErrorEvent() {
        let events = Self.events([
            .start(id: "m", model: "c", provider: "openai", created: 1), .text("w0"),
            .error(StreamError(type: "upstream_error", message: "openai: boom", provider: "openai", status: 502)),
            .usage(.zero), .done(.error, providerFinishReason: nil),
        ])
        #expect(events.last?.name == "error")
        #expect(events.last?.data["error"]?["type"] == "api_error")
        #expect(!events.contains { $0.name == "message_delta" || $0.name == "message_stop" })
    }
}
