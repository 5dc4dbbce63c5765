import Arithmetic
import ChatModel
import JSON

/// Unified request → Messages API body.
enum AnthropicRequestMapper {
    static let cacheControl: JSONValue = ["type": "ephemeral"]

    static func body(_ request: ChatRequest, model: String, stream: Bool) throws(GatewayError) -> JSONObject {
        var body = JSONObject([("model", .string(model))])
        var maxTokens = request.maxTokens
        if let thinking = request.thinking {
            let budget = try thinkingBudget(thinking, of: request)
            maxTokens = budget.maxTokens
            body["thinking"] = .object(JSONObject([("type", "enabled"), ("budget_tokens", .int(budget.budget))]))
        } else {
            if let t = request.temperature { body["temperature"] = .double(t) }
            if let p = request.topP { body["top_p"] = .double(p) }
        }
        body["max_tokens"] = .int(maxTokens ?? 4096)
        if let system = systemBlocks(request) { body["system"] = system }
        body["messages"] = .array(try messages(request))
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map { tool in
                    var o = JSONObject([("name", .string(tool.name))])
                    if let d = tool.description { o["description"] = .string(d) }
                    o["input_schema"] = tool.parameters
                    if tool.cache { o["cache_control"] = cacheControl }
                    if let strict = tool.strict { o["strict"] = .bool(strict) }
                    return .object(o)
                })
        }
        switch request.toolChoice {
        case .auto?: body["tool_choice"] = ["type": "auto"]
        case .none?: body["tool_choice"] = ["type": "none"]
        case .required?: body["tool_choice"] = ["type": "any"]
        case .tool(let name)?: body["tool_choice"] = .object(JSONObject([("type", "tool"), ("name", .string(name))]))
        case nil: break
        }
        if !request.stop.isEmpty { body["stop_sequences"] = .array(request.stop.map { .string($0) }) }
        try options(request, model: model, into: &body)
        if stream { body["stream"] = true }
        for (key, value) in request.providerOptions["anthropic"] ?? JSONObject() where key != "anthropic-beta" {
            body[key] = value
        }
        return body
    }

    /// The thinking budget and the `max_tokens` that must exceed it (the request's, or the
    /// budget plus 4096), or the 400 for a request Anthropic would refuse with thinking.
    static func thinkingBudget(
        _ thinking: ThinkingConfig, of request: ChatRequest
    ) throws(GatewayError) -> (budget: Int, maxTokens: Int) {
        var budget: Int
        switch thinking {
        case .budget(let b): budget = b
        case .effort(.low): budget = 2048
        case .effort(.medium): budget = 8192
        case .effort(.high): budget = 24576
        }
        budget = max(budget, 1024)  // Anthropic's minimum
        if let m = request.maxTokens, m <= budget {
            throw GatewayError.invalidRequest(
                "max_tokens: with thinking, Anthropic needs max_tokens greater than the thinking budget "
                    + "(\(budget))",
                param: "max_tokens")
        }
        if let t = request.temperature, t != 1 {
            throw GatewayError.invalidRequest(
                "temperature: Anthropic allows only temperature 1 with thinking", param: "temperature")
        }
        // The budget is range-checked at decoding; saturating all the same, since a
        // request built in code reaches here without that check.
        return (budget, request.maxTokens ?? Saturating.add(budget, 4096))
    }

    /// A plain string, or blocks when any system part asks for a cache breakpoint.
    private static func systemBlocks(_ request: ChatRequest) -> JSONValue? {
        let system = request.messages.filter { $0.role == .system }
        guard !system.isEmpty else { return nil }
        let cached = system.contains { m in
            m.cache
                || m.content.contains {
                    if case .text(let t) = $0 { return t.cache }; return false
                }
        }
        guard cached else { return .string(request.systemText ?? "") }
        var blocks: [JSONValue] = []
        for message in system {
            for (i, part) in message.content.enumerated() {
                guard case .text(let t) = part else { continue }
                var block = JSONObject([("type", "text"), ("text", .string(t.text))])
                if t.cache || (message.cache && i == message.content.count - 1) {
                    block["cache_control"] = cacheControl
                }
                blocks.append(.object(block))
            }
        }
        return .array(blocks)
    }

    /// Tool results become `user` turns; consecutive results (and a user message right after
    /// them) merge into one turn, as Anthropic requires alternating roles.
    private static func messages(_ request: ChatRequest) throws(GatewayError) -> [JSONValue] {
        var out: [(role: String, blocks: [JSONValue])] = []
        for message in request.messages where message.role != .system {
            let role = message.role == .assistant ? "assistant" : "user"
            var blocks: [JSONValue] = []
            if message.role == .tool {
                var result = JSONObject([
                    ("type", "tool_result"), ("tool_use_id", .string(message.toolCallId ?? "")),
                    ("content", .string(message.text)),
                ])
                if message.isError { result["is_error"] = true }
                if message.cache { result["cache_control"] = cacheControl }
                blocks = [.object(result)]
            } else {
                for (i, part) in message.content.enumerated() {
                    guard var block = contentBlock(part) else { continue }
                    if message.cache, i == message.content.count - 1, case .object(var o) = block {
                        o["cache_control"] = cacheControl
                        block = .object(o)
                    }
                    blocks.append(block)
                }
            }
            if blocks.isEmpty { continue }
            if let last = out.last, last.role == role {
                out[out.count - 1].blocks += blocks
            } else {
                out.append((role, blocks))
            }
        }
        return out.map { .object(JSONObject([("role", .string($0.role)), ("content", .array($0.blocks))])) }
    }

    private static func contentBlock(_ part: ContentPart) -> JSONValue? {
        switch part {
        case .text(let t):
            var o = JSONObject([("type", "text"), ("text", .string(t.text))])
            if t.cache { o["cache_control"] = cacheControl }
            return .object(o)
        case .image(let image):
            let source: JSONValue =
                image.url.map { ["type": "url", "url": .string($0)] }
                ?? .object(
                    JSONObject([
                        ("type", "base64"), ("media_type", .string(image.mediaType ?? "image/png")),
                        ("data", .string(image.data ?? "")),
                    ]))
            var o = JSONObject([("type", "image"), ("source", source)])
            if image.cache { o["cache_control"] = cacheControl }
            return .object(o)
        case .thinking(let t):
            // Signed or redacted thinking goes back byte-exact; unsigned thinking (another
            // provider's, or a summary) cannot be replayed and is dropped.
            if let redacted = t.redacted {
                return .object(JSONObject([("type", "redacted_thinking"), ("data", .string(redacted))]))
            }
            guard let tagged = t.signature, let signature = SignatureTag.untag(tagged, for: "anthropic") else {
                return nil
            }
            return .object(
                JSONObject([("type", "thinking"), ("thinking", .string(t.text)), ("signature", .string(signature))]))
        case .toolCall(let call):
            return .object(
                JSONObject([
                    ("type", "tool_use"), ("id", .string(call.id)), ("name", .string(call.name)),
                    ("input", call.arguments.objectValue.map { .object($0) } ?? .object(JSONObject())),
                ]))
        case .serverTool(let tool):
            // Anthropic's own server-tool blocks go back exactly as they came; another
            // provider's mean nothing here. (Not a ternary: its `nil` would be JSON `null`, a
            // block Anthropic refuses.)
            guard tool.provider == "anthropic" else { return nil }
            return tool.block
        }
    }
}
