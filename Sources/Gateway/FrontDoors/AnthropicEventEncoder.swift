import Arithmetic
import ChatModel
import JSON

/// Unified events → Messages API stream events (`message_start`, content blocks with their
/// deltas, `message_delta`, `message_stop`), the non-stream message, Anthropic's error shape.
final class AnthropicEventEncoder: ChatEncoder {
    private var openBlock: (index: Int, kind: String)?
    private var nextBlock = 0
    private var toolBlocks: [Int: Int] = [:]
    private var usage = Usage.zero

    func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        switch event {
        case .start(let id, let model, _, _):
            emit("message_start", ["type": "message_start", "message": .object(JSONObject([
                ("id", .string(id)), ("type", "message"), ("role", "assistant"), ("model", .string(model)), ("content", []),
                ("stop_reason", .null), ("stop_sequence", .null), ("usage", ["input_tokens": 0, "output_tokens": 0]),
            ]))], into: &out)
        case .text(let delta):
            let index = block("text", start: ["type": "text", "text": ""], into: &out)
            emit("content_block_delta", ["type": "content_block_delta", "index": .int(index),
                                         "delta": ["type": "text_delta", "text": .string(delta)]], into: &out)
        case .thinking(let delta):
            let index = block("thinking", start: ["type": "thinking", "thinking": "", "signature": ""], into: &out)
            emit("content_block_delta", ["type": "content_block_delta", "index": .int(index),
                                         "delta": ["type": "thinking_delta", "thinking": .string(delta)]], into: &out)
        case .thinkingSignature(let signature):
            let index = block("thinking", start: ["type": "thinking", "thinking": "", "signature": ""], into: &out)
            emit("content_block_delta", ["type": "content_block_delta", "index": .int(index),
                                         "delta": ["type": "signature_delta", "signature": .string(signature)]], into: &out)
        case .thinkingRedacted(let data):
            closeBlock(into: &out)
            let index = nextBlock
            nextBlock += 1
            emit("content_block_start", ["type": "content_block_start", "index": .int(index),
                                         "content_block": ["type": "redacted_thinking", "data": .string(data)]], into: &out)
            emit("content_block_stop", ["type": "content_block_stop", "index": .int(index)], into: &out)
        case .toolCallStart(let tool, let id, let name):
            closeBlock(into: &out)
            let index = nextBlock
            nextBlock += 1
            toolBlocks[tool] = index
            openBlock = (index, "tool_use")
            emit("content_block_start", ["type": "content_block_start", "index": .int(index),
                                         "content_block": .object(JSONObject([("type", "tool_use"), ("id", .string(id)),
                                                                              ("name", .string(name)), ("input", .object(JSONObject()))]))],
                 into: &out)
        case .toolCallDelta(let tool, let arguments):
            guard let index = toolBlocks[tool] else { return }
            emit("content_block_delta", ["type": "content_block_delta", "index": .int(index),
                                         "delta": ["type": "input_json_delta", "partial_json": .string(arguments)]], into: &out)
        case .toolCall(let tool, _, _, _):
            if let index = toolBlocks[tool], openBlock?.index == index { closeBlock(into: &out) }
        case .serverTool, .logprobs:
            break  // TODO(issue 11): server tool blocks pass through
        case .usage(let u):
            usage = u
        case .error(let e):
            emit("error", ["type": "error", "error": ["type": .string(Self.errorType(e.status)), "message": .string(e.message)]], into: &out)
        case .done(let reason, let providerReason):
            closeBlock(into: &out)
            emit("message_delta", ["type": "message_delta",
                                   "delta": ["stop_reason": .string(Self.stopReason(reason, providerReason)), "stop_sequence": .null],
                                   "usage": Self.usage(usage)], into: &out)
            emit("message_stop", ["type": "message_stop"], into: &out)
        }
    }

    /// The open block of `kind`, or a new one (closing whatever was open).
    private func block(_ kind: String, start: JSONValue, into out: inout [UInt8]) -> Int {
        if let open = openBlock, open.kind == kind { return open.index }
        closeBlock(into: &out)
        let index = nextBlock
        nextBlock += 1
        openBlock = (index, kind)
        emit("content_block_start", ["type": "content_block_start", "index": .int(index), "content_block": start], into: &out)
        return index
    }

    private func closeBlock(into out: inout [UInt8]) {
        guard let open = openBlock else { return }
        openBlock = nil
        emit("content_block_stop", ["type": "content_block_stop", "index": .int(open.index)], into: &out)
    }

    private func emit(_ name: String, _ data: JSONValue, into out: inout [UInt8]) {
        out.append(contentsOf: "event: \(name)\ndata: ".utf8)
        data.write(into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
    }

    func response(_ r: ChatResponse) -> [UInt8] {
        let blocks: [JSONValue] = r.content.compactMap { part in
            switch part {
            case .text(let t): return ["type": "text", "text": .string(t.text)]
            case .thinking(let t):
                if let data = t.redacted { return ["type": "redacted_thinking", "data": .string(data)] }
                return ["type": "thinking", "thinking": .string(t.text), "signature": .string(t.signature ?? "")]
            case .toolCall(let c): return .object(JSONObject([("type", "tool_use"), ("id", .string(c.id)), ("name", .string(c.name)), ("input", c.arguments)]))
            case .image, .serverTool: return nil
            }
        }
        var out: [UInt8] = []
        JSONValue.object(JSONObject([
            ("id", .string(r.id)), ("type", "message"), ("role", "assistant"), ("model", .string(r.model)), ("content", .array(blocks)),
            ("stop_reason", .string(Self.stopReason(r.finishReason, r.providerFinishReason))), ("stop_sequence", .null),
            ("usage", Self.usage(r.usage)),
        ])).write(into: &out)
        return out
    }

    func error(_ error: GatewayError, requestId: String) -> [UInt8] {
        var out: [UInt8] = []
        JSONValue.object(JSONObject([("type", "error"),
                                     ("error", ["type": .string(Self.errorType(error.status)), "message": .string(error.message)]),
                                     ("request_id", .string(requestId))])).write(into: &out)
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

    static func stopReason(_ reason: FinishReason, _ provider: String?) -> String {
        switch reason {
        case .toolCalls: return "tool_use"
        case .length: return "max_tokens"
        case .contentFilter: return "refusal"
        case .stop, .error, .cancelled: return provider == "stop_sequence" ? "stop_sequence" : "end_turn"
        }
    }

    /// Anthropic's input_tokens excludes cache reads and writes.
    static func usage(_ u: Usage) -> JSONValue {
        let uncached = Saturating.subtract(Saturating.subtract(u.inputTokens, u.cacheReadTokens), u.cacheWriteTokens)
        return .object(JSONObject([("input_tokens", .int(max(0, uncached))),
                                   ("output_tokens", .int(u.outputTokens)),
                                   ("cache_creation_input_tokens", .int(u.cacheWriteTokens)),
                                   ("cache_read_input_tokens", .int(u.cacheReadTokens))]))
    }
}
