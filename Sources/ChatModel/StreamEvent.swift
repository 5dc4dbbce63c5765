import JSON

/// One event of the unified stream (SPEC §4). Order on the wire: `start`, content events,
/// exactly one `usage`, exactly one `done`.
public enum StreamEvent: Sendable, Equatable {
    case start(id: String, model: String, provider: String, created: Int)
    case text(String)
    case thinking(String)
    case thinkingSignature(String)
    case thinkingRedacted(String)
    case toolCallStart(index: Int, id: String, name: String)
    case toolCallDelta(index: Int, arguments: String)
    case toolCall(index: Int, id: String, name: String, arguments: JSONValue)
    /// A whole block of a tool the provider ran itself (use or result), once it is complete.
    case serverTool(ServerToolPart)
    /// Log probabilities of the tokens just streamed, in OpenAI's shape
    /// (`[{"token","logprob","bytes","top_logprobs":[…]}]`).
    case logprobs(JSONValue)
    case usage(Usage)
    case error(StreamError)
    case done(FinishReason, providerFinishReason: String?)

    /// The SSE `event:` name.
    public var name: String {
        switch self {
        case .start: return "start"
        case .text: return "text"
        case .thinking, .thinkingSignature, .thinkingRedacted: return "thinking"
        case .toolCallStart: return "tool_call_start"
        case .toolCallDelta: return "tool_call_delta"
        case .toolCall: return "tool_call"
        case .serverTool: return "server_tool"
        case .logprobs: return "logprobs"
        case .usage: return "usage"
        case .error: return "error"
        case .done: return "done"
        }
    }

    /// `event: <name>\ndata: <json>\n\n`, appended to `out`.
    public func writeSSE(into out: inout [UInt8]) {
        // The per-chunk events as three copies (a `.utf8` append is the generic sequence path);
        // the same bytes as below.
        switch self {
        case .text(let delta):
            appendJSONLiteral("event: text\ndata: {\"delta\":", to: &out)
            appendJSONString(delta, to: &out)
            appendJSONLiteral("}\n\n", to: &out)
            return
        case .thinking(let delta):
            appendJSONLiteral("event: thinking\ndata: {\"delta\":", to: &out)
            appendJSONString(delta, to: &out)
            appendJSONLiteral("}\n\n", to: &out)
            return
        default:
            break
        }
        appendJSONLiteral("event: ", to: &out)
        out.append(contentsOf: name.utf8)
        appendJSONLiteral("\ndata: ", to: &out)
        writeData(into: &out)
        out.append(0x0A)
        out.append(0x0A)
    }

    /// The event's data object, compact, written straight into `out` (hot path: no
    /// intermediate JSONValue).
    public func writeData(into out: inout [UInt8]) {
        switch self {
        case .start(let id, let model, let provider, let created):
            key("id", first: true, &out); appendJSONString(id, to: &out)
            key("model", &out); appendJSONString(model, to: &out)
            key("provider", &out); appendJSONString(provider, to: &out)
            key("created", &out); appendJSONInteger(created, to: &out)
        case .text(let delta), .thinking(let delta):
            key("delta", first: true, &out); appendJSONString(delta, to: &out)
        case .thinkingSignature(let signature):
            key("signature", first: true, &out); appendJSONString(signature, to: &out)
        case .thinkingRedacted(let data):
            key("redacted", first: true, &out); appendJSONString(data, to: &out)
        case .toolCallStart(let index, let id, let name):
            key("index", first: true, &out); appendJSONInteger(index, to: &out)
            key("id", &out); appendJSONString(id, to: &out)
            key("name", &out); appendJSONString(name, to: &out)
        case .toolCallDelta(let index, let arguments):
            key("index", first: true, &out); appendJSONInteger(index, to: &out)
            key("arguments", &out); appendJSONString(arguments, to: &out)
        case .toolCall(let index, let id, let name, let arguments):
            key("index", first: true, &out); appendJSONInteger(index, to: &out)
            key("id", &out); appendJSONString(id, to: &out)
            key("name", &out); appendJSONString(name, to: &out)
            key("arguments", &out); arguments.write(into: &out)
        case .serverTool(let part):
            key("provider", first: true, &out); appendJSONString(part.provider, to: &out)
            key("type", &out); appendJSONString(part.type, to: &out)
            if let name = part.name { key("name", &out); appendJSONString(name, to: &out) }
            key("block", &out); part.block.write(into: &out)
        case .logprobs(let content):
            key("content", first: true, &out); content.write(into: &out)
        case .usage(let u):
            key("input_tokens", first: true, &out); appendJSONInteger(u.inputTokens, to: &out)
            key("output_tokens", &out); appendJSONInteger(u.outputTokens, to: &out)
            key("cache_read_tokens", &out); appendJSONInteger(u.cacheReadTokens, to: &out)
            key("cache_write_tokens", &out); appendJSONInteger(u.cacheWriteTokens, to: &out)
            key("reasoning_tokens", &out); appendJSONInteger(u.reasoningTokens, to: &out)
            key("total_tokens", &out); appendJSONInteger(u.totalTokens, to: &out)
            if let cost = u.costUSD { key("cost_usd", &out); out.append(contentsOf: Usage.dollarsLiteral(cost).utf8) }
        case .error(let e):
            key("error", first: true, &out)
            key("type", first: true, &out); appendJSONString(e.type, to: &out)
            key("message", &out); appendJSONString(e.message, to: &out)
            key("provider", &out); appendJSONString(e.provider, to: &out)
            key("status", &out); appendJSONInteger(e.status, to: &out)
            out.append(UInt8(ascii: "}"))
        case .done(let reason, let providerReason):
            key("finish_reason", first: true, &out); appendJSONString(reason.rawValue, to: &out)
            key("provider_finish_reason", &out)
            if let providerReason {
                appendJSONString(providerReason, to: &out)
            } else {
                appendJSONLiteral("null", to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    private func key(_ name: StaticString, first: Bool = false, _ out: inout [UInt8]) {
        out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        // Two bytes appended one by one: an array literal here was an allocation per key.
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// The inverse of `writeData`: an event from its SSE name and parsed data (for clients
    /// and tests). Nil for unknown names or shapes.
    public static func decode(name: String, data: JSONValue) -> StreamEvent? {
        switch name {
        case "start":
            guard let id = data["id"]?.stringValue, let model = data["model"]?.stringValue,
                let provider = data["provider"]?.stringValue, let created = data["created"]?.intValue
            else { return nil }
            return .start(id: id, model: model, provider: provider, created: created)
        case "text":
            return data["delta"]?.stringValue.map { .text($0) }
        case "thinking":
            if let d = data["delta"]?.stringValue { return .thinking(d) }
            if let s = data["signature"]?.stringValue { return .thinkingSignature(s) }
            if let r = data["redacted"]?.stringValue { return .thinkingRedacted(r) }
            return nil
        case "tool_call_start":
            guard let i = data["index"]?.intValue, let id = data["id"]?.stringValue,
                let n = data["name"]?.stringValue
            else { return nil }
            return .toolCallStart(index: i, id: id, name: n)
        case "tool_call_delta":
            guard let i = data["index"]?.intValue, let a = data["arguments"]?.stringValue else { return nil }
            return .toolCallDelta(index: i, arguments: a)
        case "tool_call":
            guard let i = data["index"]?.intValue, let id = data["id"]?.stringValue,
                let n = data["name"]?.stringValue, let a = data["arguments"]
            else { return nil }
            return .toolCall(index: i, id: id, name: n, arguments: a)
        case "server_tool":
            guard let provider = data["provider"]?.stringValue, let block = data["block"], block.objectValue != nil
            else {
                return nil
            }
            return .serverTool(ServerToolPart(provider: provider, block: block))
        case "logprobs":
            return data["content"].map { .logprobs($0) }
        case "usage":
            func n(_ k: String) -> Int { data[k]?.intValue ?? 0 }
            return .usage(
                Usage(
                    inputTokens: n("input_tokens"), outputTokens: n("output_tokens"),
                    cacheReadTokens: n("cache_read_tokens"), cacheWriteTokens: n("cache_write_tokens"),
                    reasoningTokens: n("reasoning_tokens"), totalTokens: n("total_tokens")
                )
                .withCost(data["cost_usd"]?.doubleValue))
        case "error":
            guard let e = data["error"] else { return nil }
            return .error(
                StreamError(
                    type: e["type"]?.stringValue ?? "", message: e["message"]?.stringValue ?? "",
                    provider: e["provider"]?.stringValue ?? "", status: e["status"]?.intValue ?? 0))
        case "done":
            guard let r = data["finish_reason"]?.stringValue.flatMap(FinishReason.init(rawValue:)) else { return nil }
            return .done(r, providerFinishReason: data["provider_finish_reason"]?.stringValue)
        default:
            return nil
        }
    }
}
