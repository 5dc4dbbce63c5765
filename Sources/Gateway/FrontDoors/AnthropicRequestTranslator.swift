import ChatModel
import JSON

/// A Messages API request (as Anthropic's SDKs send it) → the unified request.
enum AnthropicRequestTranslator {
    static func translate(_ json: JSONValue) throws(GatewayError) -> ChatRequest {
        guard case .object(let body) = json else { throw .invalidRequest("body: expected a JSON object") }
        var unified = JSONObject()
        unified["model"] = body["model"] ?? .null
        var messages: [JSONValue] = []
        switch body["system"] {
        case .string(let s)?: messages.append(["role": "system", "content": .string(s)])
        case .array(let blocks)?:
            messages.append(["role": "system", "content": .array(blocks.map { b in
                var o = JSONObject([("type", "text"), ("text", b["text"] ?? "")])
                if b["cache_control"] != nil { o["cache"] = true }
                return .object(o)
            })])
        default: break
        }
        guard let turns = body["messages"]?.arrayValue else { throw .invalidRequest("messages: required", param: "messages") }
        for (i, turn) in turns.enumerated() { messages += try message(turn, at: i) }
        unified["messages"] = .array(messages)
        if let tools = body["tools"]?.arrayValue, !tools.isEmpty {
            unified["tools"] = .array(tools.map { t in
                var o = JSONObject([("name", t["name"] ?? "")])
                if let d = t["description"] { o["description"] = d }
                if let s = t["input_schema"] { o["parameters"] = s }
                if t["cache_control"] != nil { o["cache"] = true }
                return .object(o)
            })
        }
        switch body["tool_choice"]?["type"]?.stringValue {
        case "auto"?: unified["tool_choice"] = "auto"
        case "any"?: unified["tool_choice"] = "required"
        case "none"?: unified["tool_choice"] = "none"
        case "tool"?: unified["tool_choice"] = ["name": body["tool_choice"]?["name"] ?? ""]
        default: break
        }
        if let m = body["max_tokens"], !m.isNull { unified["max_tokens"] = m }
        for key in ["temperature", "top_p"] { if let v = body[key], !v.isNull { unified[key] = v } }
        if let stop = body["stop_sequences"], !stop.isNull { unified["stop"] = stop }
        unified["stream"] = .bool(body["stream"]?.boolValue ?? false)
        if body["thinking"]?["type"]?.stringValue == "enabled", let budget = body["thinking"]?["budget_tokens"] {
            unified["thinking"] = ["budget_tokens": budget]
        }
        if let user = body["metadata"]?["user_id"], !user.isNull { unified["metadata"] = ["user": user] }
        return try ChatRequest.decode(.object(unified))
    }

    /// One Anthropic turn → unified messages: tool results become `tool` messages.
    private static func message(_ turn: JSONValue, at index: Int) throws(GatewayError) -> [JSONValue] {
        let role = turn["role"]?.stringValue ?? ""
        guard role == "user" || role == "assistant" else {
            throw .invalidRequest("messages[\(index)].role: expected user or assistant", param: "messages[\(index)].role")
        }
        guard case .array(let blocks)? = turn["content"] else {
            return [["role": .string(role), "content": .string(turn["content"]?.stringValue ?? "")]]
        }
        var out: [JSONValue] = []
        var parts: [JSONValue] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text":
                var o = JSONObject([("type", "text"), ("text", block["text"] ?? "")])
                if block["cache_control"] != nil { o["cache"] = true }
                parts.append(.object(o))
            case "image":
                let source = block["source"]
                if source?["type"]?.stringValue == "url" {
                    parts.append(["type": "image", "url": source?["url"] ?? ""])
                } else {
                    parts.append(["type": "image", "media_type": source?["media_type"] ?? "image/png", "data": source?["data"] ?? ""])
                }
            case "thinking":
                var o = JSONObject([("type", "thinking"), ("text", block["thinking"] ?? "")])
                if let s = block["signature"], !s.isNull { o["signature"] = s }
                parts.append(.object(o))
            case "redacted_thinking":
                parts.append(["type": "thinking", "redacted": block["data"] ?? ""])
            case "tool_use":
                parts.append(["type": "tool_call", "id": block["id"] ?? "", "name": block["name"] ?? "",
                              "arguments": block["input"] ?? .object(JSONObject())])
            case "tool_result":
                let content: String
                switch block["content"] {
                case .string(let s)?: content = s
                case .array(let items)?: content = items.compactMap { $0["text"]?.stringValue }.joined()
                default: content = ""
                }
                var o = JSONObject([("role", "tool"), ("tool_call_id", block["tool_use_id"] ?? ""), ("content", .string(content))])
                if block["is_error"]?.boolValue == true { o["is_error"] = true }
                out.append(.object(o))
            default:
                break
            }
        }
        if !parts.isEmpty { out.append(["role": .string(role), "content": .array(parts)]) }
        return out
    }
}
