import ChatModel
import JSON
import Testing
@testable import Providers

/// The Anthropic door's stream encoder before its set-up and end events were written directly
/// (issue 13), kept as the reference: the new one must write the same bytes for every sequence.
private final class ReferenceAnthropicEventEncoder {
    private var openBlock: (index: Int, kind: String)?
    private var nextBlock = 0
    private var toolBlocks: [Int: Int] = [:]
    private var usage = Usage.zero
    /// What the provider had said about usage when the answer began (for `message_start`).
    private var startUsage = Usage.zero
    private var failed = false
    /// The open block is a thinking block that already has its signature.
    private var openThinkingSigned = false

    init() {}

    func knownUsageAtStart(_ usage: Usage) { startUsage = usage }

    func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        switch event {
        case .start(let id, let model, _, _):
            emit(
                "message_start",
                [
                    "type": "message_start",
                    "message": .object(
                        JSONObject([
                            ("id", .string(id)), ("type", "message"), ("role", "assistant"), ("model", .string(model)),
                            ("content", []),
                            ("stop_reason", .null), ("stop_sequence", .null),
                            ("usage", AnthropicUsage(startUsage).wire),
                        ])),
                ], into: &out)
        case .text(let delta):
            let index = block("text", start: ["type": "text", "text": ""], into: &out)
            stringDelta(index, "text_delta\",\"text\":", delta, into: &out)
        case .thinking(let delta):
            let index = thinkingBlock(into: &out)
            stringDelta(index, "thinking_delta\",\"thinking\":", delta, into: &out)
        case .thinkingSignature(let signature):
            let index = thinkingBlock(into: &out)
            emit(
                "content_block_delta",
                [
                    "type": "content_block_delta", "index": .int(index),
                    "delta": ["type": "signature_delta", "signature": .string(signature)],
                ], into: &out)
            openThinkingSigned = true
        case .thinkingRedacted(let data):
            closeBlock(into: &out)
            let index = nextBlock
            nextBlock += 1
            emit(
                "content_block_start",
                [
                    "type": "content_block_start", "index": .int(index),
                    "content_block": ["type": "redacted_thinking", "data": .string(data)],
                ], into: &out)
            emit("content_block_stop", ["type": "content_block_stop", "index": .int(index)], into: &out)
        case .toolCallStart(let tool, let id, let name):
            closeBlock(into: &out)
            let index = nextBlock
            nextBlock += 1
            toolBlocks[tool] = index
            openBlock = (index, "tool_use")
            emit(
                "content_block_start",
                [
                    "type": "content_block_start", "index": .int(index),
                    "content_block": .object(
                        JSONObject([
                            ("type", "tool_use"), ("id", .string(id)),
                            ("name", .string(name)), ("input", .object(JSONObject())),
                        ])),
                ],
                into: &out)
        case .toolCallDelta(let tool, let arguments):
            guard let index = toolBlocks[tool] else { return }
            emit(
                "content_block_delta",
                [
                    "type": "content_block_delta", "index": .int(index),
                    "delta": ["type": "input_json_delta", "partial_json": .string(arguments)],
                ], into: &out)
        case .toolCall(let tool, _, _, _):
            if let index = toolBlocks[tool], openBlock?.index == index { closeBlock(into: &out) }
        case .serverTool(let part):
            serverTool(part, into: &out)
        case .logprobs:
            break  // the Messages API has none
        case .usage(let u):
            usage = u
        case .error(let e):
            failed = true
            emit(
                "error",
                [
                    "type": "error",
                    "error": [
                        "type": .string(AnthropicEventEncoder.errorType(e.status)), "message": .string(e.message),
                    ],
                ], into: &out)
        case .done(let reason, let providerReason):
            guard !failed else { return }
            closeBlock(into: &out)
            emit(
                "message_delta",
                [
                    "type": "message_delta",
                    "delta": [
                        "stop_reason": .string(AnthropicStopReason.wire(reason, providerWord: providerReason)),
                        "stop_sequence": .null,
                    ],
                    "usage": AnthropicUsage(usage).wire,
                ], into: &out)
            emit("message_stop", ["type": "message_stop"], into: &out)
        }
    }

    /// A server tool's block as Anthropic streams it: a use block opens with an empty `input`
    /// that one `input_json_delta` then fills; a result block arrives whole.
    private func serverTool(_ part: ServerToolPart, into out: inout [UInt8]) {
        closeBlock(into: &out)
        let index = nextBlock
        nextBlock += 1
        var input: JSONValue?
        var block = part.block
        if case .object(var fields) = block, !part.type.hasSuffix("_result"), let given = fields["input"] {
            input = given
            fields["input"] = .object(JSONObject())
            block = .object(fields)
        }
        emit(
            "content_block_start", ["type": "content_block_start", "index": .int(index), "content_block": block],
            into: &out)
        if let input {
            let delta: JSONValue = ["type": "input_json_delta", "partial_json": .string(input.serialized())]
            emit(
                "content_block_delta", ["type": "content_block_delta", "index": .int(index), "delta": delta],
                into: &out)
        }
        emit("content_block_stop", ["type": "content_block_stop", "index": .int(index)], into: &out)
    }

    /// The open thinking block, or a new one: a signature ends a block (Gemini's next
    /// signature or thought is a block of its own, as in a whole answer).
    private func thinkingBlock(into out: inout [UInt8]) -> Int {
        if openBlock?.kind == "thinking", openThinkingSigned { closeBlock(into: &out) }
        return block("thinking", start: ["type": "thinking", "thinking": "", "signature": ""], into: &out)
    }

    /// The open block of `kind`, or a new one (closing whatever was open).
    private func block(_ kind: String, start: JSONValue, into out: inout [UInt8]) -> Int {
        if let open = openBlock, open.kind == kind { return open.index }
        closeBlock(into: &out)
        let index = nextBlock
        nextBlock += 1
        openBlock = (index, kind)
        openThinkingSigned = false
        emit(
            "content_block_start", ["type": "content_block_start", "index": .int(index), "content_block": start],
            into: &out)
        return index
    }

    private func closeBlock(into out: inout [UInt8]) {
        guard let open = openBlock else { return }
        openBlock = nil
        emit("content_block_stop", ["type": "content_block_stop", "index": .int(open.index)], into: &out)
    }

    private func emit(_ name: String, _ data: JSONValue, into out: inout [UInt8]) {
        out.append(contentsOf: "event: ".utf8)
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: "\ndata: ".utf8)
        data.write(into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
    }

    /// A `content_block_delta` whose delta is one string field, written directly (the
    /// per-chunk path builds no tree): `typeAndKey` is the delta's type, its closing quote,
    /// the comma and the field's quoted key with its colon.
    private func stringDelta(_ index: Int, _ typeAndKey: StaticString, _ value: String, into out: inout [UInt8]) {
        out.append(
            contentsOf: "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":".utf8)
        out.append(contentsOf: String(index).utf8)
        out.append(contentsOf: ",\"delta\":{\"type\":\"".utf8)
        out.append(contentsOf: UnsafeBufferPointer(start: typeAndKey.utf8Start, count: typeAndKey.utf8CodeUnitCount))
        appendJSONString(value, to: &out)
        out.append(contentsOf: "}}\n\n".utf8)
    }
}

@Suite("Anthropic door events written directly")
struct AnthropicEventBytesTests {
    static let usage: Usage = {
        var u = Usage(inputTokens: 12, outputTokens: 7, cacheReadTokens: 3, cacheWriteTokens: 5)
        u.cacheWrite1hTokens = 2
        u.costUSD = 0.000125
        return u
    }()

    static let sequences: [[StreamEvent]] = [
        [
            .start(id: "msg_1", model: "claude-x", provider: "anthropic", created: 1), .text("Hi"), .text(" there"),
            .usage(usage), .done(.stop, providerFinishReason: "end_turn"),
        ],
        [
            .start(id: "id \"q\" \u{1}\\ é", model: "m/\n", provider: "openai", created: 0),
            .thinking("hmm"), .thinkingSignature("sig"), .thinking("again"), .text("x"),
            .done(.length, providerFinishReason: nil),
        ],
        [
            .start(id: "", model: "", provider: "gemini", created: 0), .thinkingRedacted("data"), .text("a"),
            .toolCallStart(index: 0, id: "call_1", name: "f"), .toolCallDelta(index: 0, arguments: "{\"a\":"),
            .toolCallDelta(index: 0, arguments: "1}"),
            .toolCall(index: 0, id: "call_1", name: "f", arguments: ["a": 1]),
            .toolCallStart(index: 1, id: "call_2", name: "g"), .usage(Usage(inputTokens: 1)),
            .done(.toolCalls, providerFinishReason: "tool_use"),
        ],
        [
            .start(id: "s", model: "m", provider: "anthropic", created: 0),
            .serverTool(
                ServerToolPart(
                    provider: "anthropic",
                    block: [
                        "type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": ["query": "q"],
                    ])), .text("after"), .done(.stop, providerFinishReason: "pause_turn"),
        ],
        [
            .start(id: "e", model: "m", provider: "anthropic", created: 0), .text("part"),
            .error(StreamError(type: "upstream_error", message: "broke", provider: "anthropic", status: 529)),
            .done(.error, providerFinishReason: nil),
        ],
        [
            .start(id: "only", model: "m", provider: "openai", created: 0),
            .done(.contentFilter, providerFinishReason: "x"),
        ],
    ]

    @Test(arguments: 0..<sequences.count)
    func sameBytesAsTheTree(_ which: Int) {
        let encoder = AnthropicEventEncoder(), reference = ReferenceAnthropicEventEncoder()
        encoder.knownUsageAtStart(Self.usage)
        reference.knownUsageAtStart(Self.usage)
        var got: [UInt8] = [], expected: [UInt8] = []
        for event in Self.sequences[which] {
            encoder.encode(event, into: &got)
            reference.encode(event, into: &expected)
        }
        #expect(String(decoding: got, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(!got.isEmpty)
    }
}
