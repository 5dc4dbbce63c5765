import ChatModel
import JSON

/// A Chat Completions request (as OpenAI's SDKs send it) → the unified request. Fields the
/// unified schema lacks are ignored, as OpenAI-compatible servers commonly do; `n > 1` is
/// refused because one answer is all a gateway stream carries.
enum OpenAIRequestTranslator {
    static func translate(_ json: JSONValue) throws(GatewayError) -> (request: ChatRequest, includeUsage: Bool) {
        guard case .object(let body) = json else { throw .invalidRequest("body: expected a JSON object") }
        if let n = body["n"], !n.isNull, n.intValue != 1 { throw .invalidRequest("n: only n=1 is supported", param: "n") }
        var unified = JSONObject()
        unified["model"] = body["model"] ?? .null
        guard let messages = body["messages"]?.arrayValue else { throw .invalidRequest("messages: required", param: "messages") }
        unified["messages"] = .array(try messages.enumerated().map { i, m throws(GatewayError) in try message(m, at: i) })
        if let tools = body["tools"]?.arrayValue, !tools.isEmpty {
            unified["tools"] = .array(tools.map { tool in
                let function = tool["function"] ?? .null
                var o = JSONObject([("name", function["name"] ?? "")])
                if let d = function["description"] { o["description"] = d }
                if let p = function["parameters"] { o["parameters"] = p }
                return .object(o)
            })
        }
        switch body["tool_choice"] {
        case .string(let s)?: unified["tool_choice"] = .string(s)
        case .object(let o)?: unified["tool_choice"] = ["name": o["function"]?["name"] ?? ""]
        default: break
        }
        // Checked under the client's own name before the unified decoder sees it as max_tokens.
        for name in ["max_completion_tokens", "max_tokens"] {
            if let m = body[name], !m.isNull { _ = try FieldReader.int(m, at: name, range: AllowedRanges.maxTokens) }
        }
        if let m = body["max_completion_tokens"] ?? body["max_tokens"], !m.isNull { unified["max_tokens"] = m }
        for key in ["temperature", "top_p", "stop", "stream"] { if let v = body[key], !v.isNull { unified[key] = v } }
        if body["stream"]?.isNull ?? true { unified["stream"] = false }   // OpenAI's default is one JSON answer
        if let effort = body["reasoning_effort"]?.stringValue {
            unified["thinking"] = ["effort": .string(effort == "minimal" ? "low" : effort)]
        }
        if let user = body["user"], !user.isNull { unified["metadata"] = ["user": user] }
        let includeUsage = body["stream_options"]?["include_usage"]?.boolValue ?? false
        return (try ChatRequest.decode(.object(unified)), includeUsage)
    }

    private static func message(_ m: JSONValue, at index: Int) throws(GatewayError) -> JSONValue {
        let role = m["role"]?.stringValue ?? ""
        switch role {
        case "system", "developer":
            return ["role": "system", "content": .string(text(m["content"]))]
        case "user":
            guard case .array(let parts)? = m["content"] else { return ["role": "user", "content": .string(text(m["content"]))] }
            return ["role": "user", "content": .array(parts.compactMap(userPart))]
        case "assistant":
            var content: [JSONValue] = []
            let t = text(m["content"])
            if !t.isEmpty { content.append(["type": "text", "text": .string(t)]) }
            for call in m["tool_calls"]?.arrayValue ?? [] {
                let arguments = call["function"]?["arguments"]?.stringValue ?? "{}"
                content.append(.object(JSONObject([
                    ("type", "tool_call"), ("id", call["id"] ?? ""), ("name", call["function"]?["name"] ?? ""),
                    ("arguments", (try? JSONValue.parse(arguments)).flatMap { $0.objectValue.map { .object($0) } } ?? .object(JSONObject())),
                ])))
            }
            return ["role": "assistant", "content": .array(content)]
        case "tool":
            return ["role": "tool", "tool_call_id": m["tool_call_id"] ?? "", "content": .string(text(m["content"]))]
        default:
            throw .invalidRequest("messages[\(index)].role: unknown role \"\(role)\"", param: "messages[\(index)].role")
        }
    }

    private static func userPart(_ part: JSONValue) -> JSONValue? {
        switch part["type"]?.stringValue {
        case "text": return ["type": "text", "text": part["text"] ?? ""]
        case "image_url":
            let url = part["image_url"]?["url"]?.stringValue ?? ""
            if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
                let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
                let mediaType = header.split(separator: ";").first.map(String.init) ?? "image/png"
                return ["type": "image", "media_type": .string(mediaType), "data": .string(String(url[url.index(after: comma)...]))]
            }
            return ["type": "image", "url": .string(url)]
        default: return nil
        }
    }

    /// A string, or the text of a parts array.
    private static func text(_ content: JSONValue?) -> String {
        switch content {
        case .string(let s)?: return s
        case .array(let parts)?: return parts.compactMap { $0["text"]?.stringValue }.joined()
        default: return ""
        }
    }
}
