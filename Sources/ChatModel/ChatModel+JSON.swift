import JSON

// The unified schema written back as JSON, in the same shapes `ChatRequest.decode` accepts
// (transcripts, tests, the CLI).

extension ContentPart {
    public func json() -> JSONValue {
        var o = JSONObject()
        switch self {
        case .text(let p):
            o["type"] = "text"
            o["text"] = .string(p.text)
            if p.cache { o["cache"] = true }
            if let s = p.signature { o["signature"] = .string(s) }
        case .image(let p):
            o["type"] = "image"
            if let m = p.mediaType { o["media_type"] = .string(m) }
            if let d = p.data { o["data"] = .string(d) }
            if let u = p.url { o["url"] = .string(u) }
            if p.cache { o["cache"] = true }
        case .thinking(let p):
            o["type"] = "thinking"
            if let r = p.redacted {
                o["redacted"] = .string(r)
            } else {
                o["text"] = .string(p.text)
                if let s = p.signature { o["signature"] = .string(s) }
            }
        case .toolCall(let p):
            o["type"] = "tool_call"
            o["id"] = .string(p.id)
            o["name"] = .string(p.name)
            o["arguments"] = p.arguments
            if let s = p.signature { o["signature"] = .string(s) }
        case .serverTool(let p):
            o["type"] = "server_tool"
            o["provider"] = .string(p.provider)
            o["block"] = p.block
        }
        return .object(o)
    }
}

extension Message {
    public func json() -> JSONValue {
        var o = JSONObject([("role", .string(role.rawValue)), ("content", .array(content.map { $0.json() }))])
        if let id = toolCallId { o["tool_call_id"] = .string(id) }
        if isError { o["is_error"] = true }
        if cache { o["cache"] = true }
        return .object(o)
    }
}

extension Tool {
    public func json() -> JSONValue {
        var o = JSONObject([("name", .string(name))])
        if let d = description { o["description"] = .string(d) }
        o["parameters"] = parameters
        if cache { o["cache"] = true }
        if let strict { o["strict"] = .bool(strict) }
        return .object(o)
    }
}

extension ChatRequest {
    public func json() -> JSONValue {
        var o = JSONObject([("model", .string(model)), ("messages", .array(messages.map { $0.json() }))])
        if !tools.isEmpty || !providerTools.isEmpty {
            o["tools"] = .array(tools.map { $0.json() } + providerTools.map { $0.json() })
        }
        switch toolChoice {
        case .auto?: o["tool_choice"] = "auto"
        case .none?: o["tool_choice"] = "none"
        case .required?: o["tool_choice"] = "required"
        case .tool(let name)?: o["tool_choice"] = .object(JSONObject([("name", .string(name))]))
        case nil: break
        }
        if let m = maxTokens { o["max_tokens"] = .int(m) }
        if let t = temperature { o["temperature"] = .double(t) }
        if let p = topP { o["top_p"] = .double(p) }
        if !stop.isEmpty { o["stop"] = .array(stop.map { .string($0) }) }
        switch thinking {
        case .budget(let b)?: o["thinking"] = .object(JSONObject([("budget_tokens", .int(b))]))
        case .effort(let e)?: o["thinking"] = .object(JSONObject([("effort", .string(e.rawValue))]))
        case nil: break
        }
        o["stream"] = .bool(stream)
        if let f = fallbacks { o["fallbacks"] = .array(f.map { .string($0) }) }
        if let m = metadata { o["metadata"] = .object(m) }
        writeOptions(into: &o)
        if !providerOptions.isEmpty {
            o["provider_options"] = .object(
                JSONObject(providerOptions.keys.sorted().map { ($0, .object(providerOptions[$0]!)) }))
        }
        return .object(o)
    }
}
