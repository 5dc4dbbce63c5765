import ChatModel
import JSON

/// One Chat Completions message → one unified message. Roles `system`/`developer` (both the
/// system prompt), `user`, `assistant`, `tool`; content parts `text`, `image_url`, and on
/// assistant turns `refusal`; assistant reasoning and signatures per the gateway's OpenAI
/// convention (README): `reasoning_details`, LiteLLM's `thinking_blocks`, `reasoning_content`,
/// and `extra_content.google.thought_signature` on tool calls.
enum OpenAIMessageTranslator {
    static func message(_ raw: JSONValue, at path: @autoclosure () -> String) throws(GatewayError) -> Message {
        let object = try FieldReader.object(raw, at: path())
        let role = try DoorFields.string(object, "role", at: path(), required: true)!
        if role == "function" {
            throw DoorFields.refused("\(path()).role", "function messages are deprecated; use tool messages")
        }
        try DoorFields.refuseUnlessNeutral(
            object, "name", at: path(),
            why: "participant names have no equivalent at every provider")
        switch role {
        case "system", "developer":
            try DoorFields.rejectUnknown(object, allowed: ["role", "content", "name"], at: path())
            return Message(role: .system, content: try textParts(object["content"], at: "\(path()).content"))
        case "user":
            try DoorFields.rejectUnknown(object, allowed: ["role", "content", "name"], at: path())
            return Message(role: .user, content: try userContent(object["content"], at: "\(path()).content"))
        case "assistant":
            return try assistant(object, at: path())
        case "tool":
            try DoorFields.rejectUnknown(object, allowed: ["role", "content", "tool_call_id"], at: path())
            let id = try DoorFields.string(object, "tool_call_id", at: path(), required: true)!
            let text = try textParts(object["content"], at: "\(path()).content").map { part -> String in
                if case .text(let t) = part { return t.text }
                return ""
            }.joined()
            return Message(role: .tool, content: [.text(TextPart(text: text))], toolCallId: id)
        default:
            throw .invalidRequest(
                "\(path()).role: unknown role \"\(role)\" (system, developer, user, assistant, tool)",
                param: "\(path()).role")
        }
    }

    /// A string, or text parts only (system, developer and tool messages).
    private static func textParts(_ raw: JSONValue?, at path: @autoclosure () -> String) throws(GatewayError)
        -> [ContentPart]
    {
        switch raw {
        case .string(let s)?: return [.text(TextPart(text: s))]
        case .array(let parts)?:
            var out: [ContentPart] = []
            for (i, part) in parts.enumerated() {
                let at = "\(path())[\(i)]"
                let object = try FieldReader.object(part, at: at)
                let type = try DoorFields.string(object, "type", at: at, required: true)!
                guard type == "text" else {
                    throw .invalidRequest(
                        "\(at).type: only text parts are allowed here (got \(type))",
                        param: "\(at).type")
                }
                out.append(try text(object, at: at))
            }
            return out
        case nil, .null?:
            throw .invalidRequest("\(path()): required", param: path())
        case let other?:
            throw .invalidRequest(
                "\(path()): expected a string or an array of parts, got \(other.kindName)", param: path())
        }
    }

    private static func text(_ object: JSONObject, at path: @autoclosure () -> String) throws(GatewayError)
        -> ContentPart
    {
        try DoorFields.rejectUnknown(object, allowed: ["type", "text", "cache_control"], at: path())
        let text = try DoorFields.string(object, "text", at: path(), required: true)!
        let cache = try DoorFields.cacheControl(object["cache_control"], at: "\(path()).cache_control")
        return .text(TextPart(text: text, cache: cache))
    }

    private static func userContent(_ raw: JSONValue?, at path: @autoclosure () -> String) throws(GatewayError)
        -> [ContentPart]
    {
        guard case .array(let parts)? = raw else { return try textParts(raw, at: path()) }
        var out: [ContentPart] = []
        for (i, part) in parts.enumerated() {
            let at = "\(path())[\(i)]"
            let object = try FieldReader.object(part, at: at)
            switch try DoorFields.string(object, "type", at: at, required: true)! {
            case "text":
                out.append(try text(object, at: at))
            case "image_url":
                out.append(try image(object, at: at))
            case "input_audio":
                throw DoorFields.refused("\(at).type", "audio input is not supported")
            case "file":
                throw DoorFields.refused("\(at).type", "file inputs are not supported")
            case let type:
                throw .invalidRequest(
                    "\(at).type: unknown part type \"\(type)\" (text, image_url)",
                    param: "\(at).type")
            }
        }
        return out
    }

    /// `{"type":"image_url","image_url":{"url","detail"?}}`; `detail` is OpenAI's resolution
    /// hint, which no other provider has: only `auto` (the default) is accepted.
    private static func image(_ object: JSONObject, at path: @autoclosure () -> String) throws(GatewayError)
        -> ContentPart
    {
        try DoorFields.rejectUnknown(object, allowed: ["type", "image_url", "cache_control"], at: path())
        guard let raw = object["image_url"] else {
            throw .invalidRequest("\(path()).image_url: required", param: "\(path()).image_url")
        }
        let inner = try FieldReader.object(raw, at: "\(path()).image_url")
        try DoorFields.rejectUnknown(inner, allowed: ["url", "detail"], at: "\(path()).image_url")
        try DoorFields.refuseUnlessNeutral(
            inner, "detail", at: "\(path()).image_url", neutral: ["auto"],
            why: "only auto is supported (no equivalent at every provider)")
        let url = try DoorFields.string(inner, "url", at: "\(path()).image_url", required: true)!
        let cache = try DoorFields.cacheControl(object["cache_control"], at: "\(path()).cache_control")
        if let (media, data) = try DoorFields.dataURL(url, at: "\(path()).image_url.url") {
            return .image(ImagePart(mediaType: media, data: data, cache: cache))
        }
        return .image(ImagePart(url: url, cache: cache))
    }

    private static func assistant(_ object: JSONObject, at path: @autoclosure () -> String) throws(GatewayError)
        -> Message
    {
        try DoorFields.rejectUnknown(
            object,
            allowed: [
                "role", "content", "name", "refusal", "tool_calls",
                "function_call", "audio", "reasoning_content", "reasoning",
                "reasoning_details", "thinking_blocks",
            ], at: path())
        try DoorFields.refuseUnlessNeutral(object, "function_call", at: path(), why: "deprecated; use tool_calls")
        try DoorFields.refuseUnlessNeutral(object, "audio", at: path(), why: "audio is not supported")
        var content = try OpenAIReasoningTranslator.thinking(object, at: path())
        switch object["content"] {
        case nil, .null?: break
        case .string(let s)?: if !s.isEmpty { content.append(.text(TextPart(text: s))) }
        case .array(let parts)?:
            for (i, part) in parts.enumerated() {
                let at = "\(path()).content[\(i)]"
                let o = try FieldReader.object(part, at: at)
                switch try DoorFields.string(o, "type", at: at, required: true)! {
                case "text": content.append(try text(o, at: at))
                case "refusal":
                    try DoorFields.rejectUnknown(o, allowed: ["type", "refusal"], at: at)
                    content.append(.text(TextPart(text: try DoorFields.string(o, "refusal", at: at, required: true)!)))
                case let type:
                    throw .invalidRequest(
                        "\(at).type: unknown part type \"\(type)\" (text, refusal)",
                        param: "\(at).type")
                }
            }
        case let other?:
            throw .invalidRequest(
                "\(path()).content: expected a string, null or an array of parts, "
                    + "got \(other.kindName)", param: "\(path()).content")
        }
        // A refusal is what the model said instead of content (the gateway's answers put it in content).
        if let refusal = try DoorFields.string(object, "refusal", at: path()), !refusal.isEmpty {
            content.append(.text(TextPart(text: refusal)))
        }
        if let calls = object["tool_calls"], !calls.isNull {
            for (i, call) in try FieldReader.array(calls, at: "\(path()).tool_calls").enumerated() {
                content.append(try toolCall(call, at: "\(path()).tool_calls[\(i)]"))
            }
        }
        return Message(role: .assistant, content: content)
    }

    private static func toolCall(_ raw: JSONValue, at path: @autoclosure () -> String) throws(GatewayError)
        -> ContentPart
    {
        let object = try FieldReader.object(raw, at: path())
        if let type = try DoorFields.string(object, "type", at: path()), type != "function" {
            throw DoorFields.refused("\(path()).type", "only function calls are supported (got \(type))")
        }
        try DoorFields.rejectUnknown(object, allowed: ["id", "type", "function", "extra_content"], at: path())
        let id = try DoorFields.string(object, "id", at: path(), required: true)!
        guard let rawFunction = object["function"] else {
            throw .invalidRequest("\(path()).function: required", param: "\(path()).function")
        }
        let function = try FieldReader.object(rawFunction, at: "\(path()).function")
        try DoorFields.rejectUnknown(function, allowed: ["name", "arguments"], at: "\(path()).function")
        let name = try DoorFields.string(function, "name", at: "\(path()).function", required: true)!
        let text = try DoorFields.string(function, "arguments", at: "\(path()).function") ?? ""
        var arguments: JSONValue = .object(JSONObject())
        if !text.isEmpty {
            guard case .object(let o)? = try? JSONValue.parse(text) else {
                throw .invalidRequest(
                    "\(path()).function.arguments: the string does not hold a JSON object",
                    param: "\(path()).function.arguments")
            }
            arguments = .object(o)
        }
        let signature = try OpenAIReasoningTranslator.thoughtSignature(
            object["extra_content"],
            at: "\(path()).extra_content")
        return .toolCall(ToolCallPart(id: id, name: name, arguments: arguments, signature: signature))
    }
}
