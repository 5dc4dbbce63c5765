import Arithmetic
import ChatModel
import JSON

/// Unified events → Messages API stream events (`message_start`, content blocks with their
/// deltas, `message_delta`, `message_stop`), the non-stream message, Anthropic's error shape.
///
/// A stream that fails ends at its `event: error`, as Anthropic's do. Anthropic's server-tool
/// blocks pass through as they came.
public final class AnthropicEventEncoder: ChatEncoder {
    private var openBlock: (index: Int, kind: String)?
    private var nextBlock = 0
    private var toolBlocks: [Int: Int] = [:]
    private var usage = Usage.zero
    /// What the provider had said about usage when the answer began (for `message_start`).
    private var startUsage = Usage.zero
    private var failed = false
    /// The open block is a thinking block that already has its signature.
    private var openThinkingSigned = false

    public init() {}

    public func knownUsageAtStart(_ usage: Usage) { startUsage = usage }

    public func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        switch event {
        case .start(let id, let model, _, _):
            AnthropicEventBytes.messageStart(id: id, model: model, usage: startUsage, into: &out)
        case .text(let delta):
            let index = block("text", start: .text, into: &out)
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
                    "error": ["type": .string(Self.errorType(e.status)), "message": .string(e.message)],
                ], into: &out)
        case .done(let reason, let providerReason):
            guard !failed else { return }
            closeBlock(into: &out)
            AnthropicEventBytes.messageEnd(
                stopReason: AnthropicStopReason.wire(reason, providerWord: providerReason), usage: usage, into: &out)
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
        return block("thinking", start: .thinking, into: &out)
    }

    /// The open block of `kind`, or a new one (closing whatever was open).
    private func block(_ kind: String, start: AnthropicEventBytes.EmptyBlock, into out: inout [UInt8]) -> Int {
        if let open = openBlock, open.kind == kind { return open.index }
        closeBlock(into: &out)
        let index = nextBlock
        nextBlock += 1
        openBlock = (index, kind)
        openThinkingSigned = false
        AnthropicEventBytes.blockStart(index, start, into: &out)
        return index
    }

    private func closeBlock(into out: inout [UInt8]) {
        guard let open = openBlock else { return }
        openBlock = nil
        AnthropicEventBytes.blockStop(open.index, into: &out)
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
        // Literals copied as bytes and the index written as digits: `.utf8` appends and
        // `String(index)` were a tenth of the door's per-chunk cost.
        appendJSONLiteral("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":", to: &out)
        appendJSONInteger(index, to: &out)
        appendJSONLiteral(",\"delta\":{\"type\":\"", to: &out)
        appendJSONLiteral(typeAndKey, to: &out)
        appendJSONString(value, to: &out)
        appendJSONLiteral("}}\n\n", to: &out)
    }

    public func response(_ r: ChatResponse) -> [UInt8] { AnthropicMessage.bytes(r) }

    /// A whole answer's content blocks. A signature on a text or tool part (Gemini's
    /// `thoughtSignature`) goes where the stream puts it: into the thinking block right before
    /// that part, or a thinking block of its own with empty text — which this door's requests
    /// map back onto the part that follows.
    static func blocks(_ content: [ContentPart]) -> [JSONValue] {
        var blocks: [JSONValue] = []
        func sign(_ signature: String?) {
            guard let signature else { return }
            if case .object(var last)? = blocks.last, last["type"]?.stringValue == "thinking",
                last["signature"]?.stringValue == ""
            {
                last["signature"] = .string(signature)
                blocks[blocks.count - 1] = .object(last)
            } else {
                blocks.append(["type": "thinking", "thinking": "", "signature": .string(signature)])
            }
        }
        for part in content {
            switch part {
            case .text(let t):
                sign(t.signature)
                blocks.append(["type": "text", "text": .string(t.text)])
            case .thinking(let t):
                if let data = t.redacted {
                    blocks.append(["type": "redacted_thinking", "data": .string(data)])
                } else {
                    blocks.append([
                        "type": "thinking", "thinking": .string(t.text),
                        "signature": .string(t.signature ?? ""),
                    ])
                }
            case .toolCall(let c):
                sign(c.signature)
                blocks.append(
                    .object(
                        JSONObject([
                            ("type", "tool_use"), ("id", .string(c.id)),
                            ("name", .string(c.name)), ("input", c.arguments),
                        ])))
            case .serverTool(let s):
                blocks.append(s.block)
            case .image:
                break
            }
        }
        return blocks
    }

    public func error(_ error: GatewayError, requestId: String) -> [UInt8] {
        Self.errorBody(error, requestId: requestId)
    }

    /// `{"type":"error","error":{"type","message"},"request_id"}`.
    static func errorBody(_ error: GatewayError, requestId: String) -> [UInt8] {
        var out: [UInt8] = []
        JSONValue.object(
            JSONObject([
                ("type", "error"),
                ("error", ["type": .string(Self.errorType(error.status)), "message": .string(error.message)]),
                ("request_id", .string(requestId)),
            ])
        ).write(into: &out)
        return out
    }

    static func errorType(_ status: Int) -> String {
        switch status {
        case 400, 405, 411, 413, 415, 431: return "invalid_request_error"
        case 401: return "authentication_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 429: return "rate_limit_error"
        case 529, 503: return "overloaded_error"
        default: return "api_error"
        }
    }
}
