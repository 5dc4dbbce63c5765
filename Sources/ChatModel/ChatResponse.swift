import JSON

/// A complete answer (SPEC §4, non-streaming shape).
public struct ChatResponse: Sendable, Equatable {
    public var id: String
    public var model: String
    public var provider: String
    public var created: Int
    public var content: [ContentPart]
    public var finishReason: FinishReason
    public var providerFinishReason: String?
    public var usage: Usage
    /// Per-token log probabilities in OpenAI's entry shape, when the request asked for them
    /// and the provider gave them.
    public var logprobs: JSONValue?

    public init(
        id: String, model: String, provider: String, created: Int, content: [ContentPart],
        finishReason: FinishReason, providerFinishReason: String?, usage: Usage, logprobs: JSONValue? = nil
    ) {
        self.logprobs = logprobs
        self.id = id
        self.model = model
        self.provider = provider
        self.created = created
        self.content = content
        self.finishReason = finishReason
        self.providerFinishReason = providerFinishReason
        self.usage = usage
    }

    public func json() -> JSONValue {
        var o = JSONObject([
            ("id", .string(id)), ("model", .string(model)), ("provider", .string(provider)), ("created", .int(created)),
            ("message", .object(JSONObject([("role", "assistant"), ("content", .array(content.map { $0.json() }))]))),
            ("finish_reason", .string(finishReason.rawValue)),
            ("provider_finish_reason", providerFinishReason.map { .string($0) } ?? .null),
            ("usage", usage.json()),
        ])
        if let logprobs { o["logprobs"] = ["content": logprobs] }
        return .object(o)
    }
}

extension ChatResponse {
    /// The same text as `json().write(into:)`, written straight into `out`: every non-stream
    /// answer goes through here, and building the tree first cost as much as the rest of
    /// the response's handling.
    public func writeJSON(into out: inout [UInt8]) {
        appendJSONLiteral(#"{"id":"#, to: &out); appendJSONString(id, to: &out)
        appendJSONLiteral(#","model":"#, to: &out); appendJSONString(model, to: &out)
        appendJSONLiteral(#","provider":"#, to: &out); appendJSONString(provider, to: &out)
        appendJSONLiteral(#","created":"#, to: &out); appendJSONInteger(created, to: &out)
        appendJSONLiteral(#","message":{"role":"assistant","content":["#, to: &out)
        for (i, part) in content.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            part.writeJSON(into: &out)
        }
        appendJSONLiteral(#"]},"finish_reason":"#, to: &out); appendJSONString(finishReason.rawValue, to: &out)
        appendJSONLiteral(#","provider_finish_reason":"#, to: &out)
        if let providerFinishReason {
            appendJSONString(providerFinishReason, to: &out)
        } else {
            appendJSONLiteral("null", to: &out)
        }
        appendJSONLiteral(#","usage":"#, to: &out)
        StreamEvent.usage(usage).writeData(into: &out)
        if let logprobs {
            appendJSONLiteral(#","logprobs":{"content":"#, to: &out)
            logprobs.write(into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }
}

extension ContentPart {
    /// `json().write(into:)`'s text; text and thinking (nearly every answer's parts) written
    /// directly, the rest through the tree.
    func writeJSON(into out: inout [UInt8]) {
        switch self {
        case .text(let p):
            appendJSONLiteral(#"{"type":"text","text":"#, to: &out)
            appendJSONString(p.text, to: &out)
            if p.cache { appendJSONLiteral(#","cache":true"#, to: &out) }
            if let s = p.signature {
                appendJSONLiteral(#","signature":"#, to: &out)
                appendJSONString(s, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .thinking(let p):
            appendJSONLiteral(#"{"type":"thinking","#, to: &out)
            if let r = p.redacted {
                appendJSONLiteral(#""redacted":"#, to: &out)
                appendJSONString(r, to: &out)
            } else {
                appendJSONLiteral(#""text":"#, to: &out)
                appendJSONString(p.text, to: &out)
                if let s = p.signature {
                    appendJSONLiteral(#","signature":"#, to: &out)
                    appendJSONString(s, to: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        case .image, .toolCall, .serverTool:
            json().write(into: &out)
        }
    }
}

extension Usage {
    public func json() -> JSONValue {
        var object = JSONObject([
            ("input_tokens", .int(inputTokens)), ("output_tokens", .int(outputTokens)),
            ("cache_read_tokens", .int(cacheReadTokens)), ("cache_write_tokens", .int(cacheWriteTokens)),
            ("reasoning_tokens", .int(reasoningTokens)), ("total_tokens", .int(totalTokens)),
        ])
        if let costUSD { object["cost_usd"] = .number(Usage.dollarsLiteral(costUSD)) }
        return .object(object)
    }
}

/// Builds a `ChatResponse` from unified stream events.
public struct ResponseAccumulator: Sendable {
    private var id = "", model = "", provider = ""
    private var created = 0
    private var content: [ContentPart] = []
    private var usage = Usage.zero
    private var finish: FinishReason?
    private var providerFinish: String?
    private var logprobs: [JSONValue]?

    public init() {}

    public mutating func apply(_ event: StreamEvent) {
        switch event {
        case .start(let i, let m, let p, let c):
            (id, model, provider, created) = (i, m, p, c)
        case .text(let delta):
            if case .text(var part)? = content.last, part.signature == nil {
                part.text += delta
                content[content.count - 1] = .text(part)
            } else {
                content.append(.text(TextPart(text: delta)))
            }
        case .thinking(let delta):
            if case .thinking(var part)? = content.last, part.signature == nil, part.redacted == nil {
                part.text += delta
                content[content.count - 1] = .thinking(part)
            } else {
                content.append(.thinking(ThinkingPart(text: delta)))
            }
        case .thinkingSignature(let signature):
            if case .thinking(var part)? = content.last, part.signature == nil, part.redacted == nil {
                part.signature = signature
                content[content.count - 1] = .thinking(part)
            } else {
                content.append(.thinking(ThinkingPart(text: "", signature: signature)))
            }
        case .thinkingRedacted(let data):
            content.append(.thinking(ThinkingPart(redacted: data)))
        case .toolCall(_, let id, let name, let arguments):
            content.append(.toolCall(ToolCallPart(id: id, name: name, arguments: arguments)))
        case .usage(let u):
            usage = u
        case .done(let reason, let providerReason):
            finish = reason
            providerFinish = providerReason
        case .serverTool(let part):
            content.append(.serverTool(part))
        case .logprobs(let entries):
            if logprobs == nil { logprobs = [] }
            logprobs?.append(contentsOf: entries.arrayValue ?? [])
        case .toolCallStart, .toolCallDelta, .error:
            break
        }
    }

    /// Puts an opaque signature on the last part (Gemini's `thoughtSignature` on a tool call
    /// or text part).
    public mutating func attachSignature(_ signature: String) {
        switch content.last {
        case .toolCall(var call)?:
            call.signature = signature
            content[content.count - 1] = .toolCall(call)
        case .text(var text)?:
            text.signature = signature
            content[content.count - 1] = .text(text)
        default:
            content.append(.thinking(ThinkingPart(text: "", signature: signature)))
        }
    }

    /// The response, once `done` was seen.
    public func response() -> ChatResponse? {
        guard let finish else { return nil }
        return ChatResponse(
            id: id, model: model, provider: provider, created: created, content: content,
            finishReason: finish, providerFinishReason: providerFinish, usage: usage,
            logprobs: logprobs.map { .array($0) })
    }
}
