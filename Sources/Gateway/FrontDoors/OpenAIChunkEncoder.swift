import ChatModel
import JSON

/// Unified events → Chat Completions chunks (`data: {…}` lines, `data: [DONE]` last), the
/// finish chunk, then the usage chunk when the client asked for it; the non-stream
/// `chat.completion` object; OpenAI's error shape.
final class OpenAIChunkEncoder: ChatEncoder {
    private let includeUsage: Bool
    private var id = "", model = "", created = 0
    private var usage = Usage.zero

    init(includeUsage: Bool) { self.includeUsage = includeUsage }

    func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        switch event {
        case .start(let i, let m, _, let c):
            (id, model, created) = (i, m, c)
            chunk(["role": "assistant", "content": ""], finish: nil, into: &out)
        case .text(let delta):
            chunk(["content": .string(delta)], finish: nil, into: &out)
        case .thinking(let delta):
            chunk(["reasoning_content": .string(delta)], finish: nil, into: &out)
        case .toolCallStart(let index, let callId, let name):
            chunk(["tool_calls": [.object(JSONObject([("index", .int(index)), ("id", .string(callId)), ("type", "function"),
                                                      ("function", ["name": .string(name), "arguments": ""])]))]],
                  finish: nil, into: &out)
        case .toolCallDelta(let index, let arguments):
            chunk(["tool_calls": [.object(JSONObject([("index", .int(index)), ("function", ["arguments": .string(arguments)])]))]],
                  finish: nil, into: &out)
        case .serverTool, .logprobs:
            break  // TODO(issue 11)
        case .usage(let u):
            usage = u
        case .error(let e):
            line(.object(JSONObject([("error", .object(JSONObject([("message", .string(e.message)), ("type", .string(e.type)),
                                                                    ("code", .string(e.type))])))])), into: &out)
        case .done(let reason, _):
            chunk(.object(JSONObject()), finish: Self.finishReason(reason), into: &out)
            if includeUsage {
                line(.object(JSONObject([("id", .string(id)), ("object", "chat.completion.chunk"), ("created", .int(created)),
                                         ("model", .string(model)), ("choices", []), ("usage", Self.usage(usage))])), into: &out)
            }
            out.append(contentsOf: "data: [DONE]\n\n".utf8)
        case .thinkingSignature, .thinkingRedacted, .toolCall:
            break   // no Chat Completions equivalent; the deltas already carried the call
        }
    }

    private func chunk(_ delta: JSONValue, finish: String?, into out: inout [UInt8]) {
        let choice = JSONObject([("index", 0), ("delta", delta), ("finish_reason", finish.map { .string($0) } ?? .null)])
        line(.object(JSONObject([("id", .string(id)), ("object", "chat.completion.chunk"), ("created", .int(created)),
                                 ("model", .string(model)), ("choices", [.object(choice)])])), into: &out)
    }

    private func line(_ value: JSONValue, into out: inout [UInt8]) {
        out.append(contentsOf: "data: ".utf8)
        value.write(into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
    }

    func response(_ r: ChatResponse) -> [UInt8] {
        var message = JSONObject([("role", "assistant")])
        let text = r.content.compactMap { if case .text(let t) = $0 { return t.text }; return nil }.joined()
        message["content"] = text.isEmpty ? .null : .string(text)
        let reasoning = r.content.compactMap { if case .thinking(let t) = $0 { return t.text }; return nil }.joined()
        if !reasoning.isEmpty { message["reasoning_content"] = .string(reasoning) }
        let calls: [JSONValue] = r.content.compactMap {
            guard case .toolCall(let c) = $0 else { return nil }
            return .object(JSONObject([("id", .string(c.id)), ("type", "function"),
                                       ("function", ["name": .string(c.name), "arguments": .string(c.arguments.serialized())])]))
        }
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        var out: [UInt8] = []
        JSONValue.object(JSONObject([
            ("id", .string(r.id)), ("object", "chat.completion"), ("created", .int(r.created)), ("model", .string(r.model)),
            ("choices", [.object(JSONObject([("index", 0), ("message", .object(message)),
                                             ("finish_reason", .string(Self.finishReason(r.finishReason)))]))]),
            ("usage", Self.usage(r.usage)),
        ])).write(into: &out)
        return out
    }

    func error(_ error: GatewayError, requestId: String) -> [UInt8] {
        var out: [UInt8] = []
        JSONValue.object(JSONObject([("error", .object(JSONObject([
            ("message", .string(error.message)), ("type", .string(error.type == .invalidRequest ? "invalid_request_error" : error.type.rawValue)),
            ("param", error.param.map { .string($0) } ?? .null), ("code", .string(error.type.rawValue)),
        ])))])).write(into: &out)
        return out
    }

    static func finishReason(_ reason: FinishReason) -> String {
        switch reason {
        case .stop, .error, .cancelled: return "stop"
        case .length: return "length"
        case .toolCalls: return "tool_calls"
        case .contentFilter: return "content_filter"
        }
    }

    static func usage(_ u: Usage) -> JSONValue {
        .object(JSONObject([("prompt_tokens", .int(u.inputTokens)), ("completion_tokens", .int(u.outputTokens)),
                            ("total_tokens", .int(u.totalTokens)),
                            ("prompt_tokens_details", ["cached_tokens": .int(u.cacheReadTokens)]),
                            ("completion_tokens_details", ["reasoning_tokens": .int(u.reasoningTokens)])]))
    }
}
