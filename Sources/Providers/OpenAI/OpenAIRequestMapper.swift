import ChatModel
import JSON

/// Unified request → Chat Completions body.
enum OpenAIRequestMapper {
    static func body(
        _ request: ChatRequest, model: String, stream: Bool,
        compat: OpenAICompat = OpenAICompat()
    ) throws(GatewayError) -> JSONObject {
        var body = JSONObject([("model", .string(model)), ("messages", .array(request.messages.flatMap(messages)))])
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map { tool in
                    var function = JSONObject([("name", .string(tool.name))])
                    if let d = tool.description { function["description"] = .string(d) }
                    function["parameters"] = tool.parameters
                    if let strict = tool.strict { function["strict"] = .bool(strict) }
                    return .object(JSONObject([("type", "function"), ("function", .object(function))]))
                })
        }
        if let choice = request.toolChoice { body["tool_choice"] = OpenAIToolChoice.wire(choice) }
        if let m = request.maxTokens { body[compat.maxTokensField.rawValue] = .int(m) }
        if let t = request.temperature { body["temperature"] = .double(t) }
        if let p = request.topP { body["top_p"] = .double(p) }
        if !request.stop.isEmpty { body["stop"] = .array(request.stop.map { .string($0) }) }
        if let thinking = request.thinking { body["reasoning_effort"] = .string(OpenAIReasoningEffort.wire(thinking)) }
        try options(request, into: &body)
        if stream {
            body["stream"] = true
            if compat.streamOptions { body["stream_options"] = .object(JSONObject([("include_usage", true)])) }
        }
        for (key, value) in request.providerOptions["openai"] ?? JSONObject() { body[key] = value }
        return body
    }

    private static func messages(_ message: Message) -> [JSONValue] {
        switch message.role {
        case .system:
            return [.object(JSONObject([("role", "system"), ("content", .string(message.text))]))]
        case .tool:
            return [
                .object(
                    JSONObject([
                        ("role", "tool"), ("tool_call_id", .string(message.toolCallId ?? "")),
                        ("content", .string(message.text)),
                    ]))
            ]
        case .user:
            let onlyText = message.content.allSatisfy {
                if case .text = $0 { return true }; return false
            }
            if onlyText { return [.object(JSONObject([("role", "user"), ("content", .string(message.text))]))] }
            return [.object(JSONObject([("role", "user"), ("content", .array(message.content.compactMap(userPart)))]))]
        case .assistant:
            var object = JSONObject([("role", "assistant")])
            let text = message.text
            let calls: [JSONValue] = message.content.compactMap { part in
                guard case .toolCall(let call) = part else { return nil }
                return .object(
                    JSONObject([
                        ("id", .string(call.id)), ("type", "function"),
                        (
                            "function",
                            .object(
                                JSONObject([
                                    ("name", .string(call.name)),
                                    ("arguments", .string(call.arguments.serialized())),
                                ]))
                        ),
                    ]))
            }
            // null only beside tool calls: OpenAI rejects an assistant turn with neither (one
            // that held only thinking, which is dropped below).
            object["content"] = text.isEmpty && !calls.isEmpty ? .null : .string(text)
            if !calls.isEmpty { object["tool_calls"] = .array(calls) }
            // Thinking parts are dropped: Chat Completions cannot take reasoning back.
            return [.object(object)]
        }
    }

    private static func userPart(_ part: ContentPart) -> JSONValue? {
        switch part {
        case .text(let t):
            return .object(JSONObject([("type", "text"), ("text", .string(t.text))]))
        case .image(let image):
            let url = image.url ?? "data:\(image.mediaType ?? "image/png");base64,\(image.data ?? "")"
            return .object(
                JSONObject([("type", "image_url"), ("image_url", .object(JSONObject([("url", .string(url))])))]))
        default:
            return nil
        }
    }
}
