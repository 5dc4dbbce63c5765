import ChatModel
import JSON

/// One Messages API turn → unified messages: `tool_result` blocks become `tool` messages (in
/// order, before the rest of their user turn); Anthropic's server-tool blocks in assistant
/// turns become `server_tool` parts that go back to Anthropic byte-faithfully.
enum AnthropicMessageTranslator {
    /// Result blocks of Anthropic's server tools (`web_search_tool_result`, …).
    static func isServerToolResult(_ type: String) -> Bool {
        type.hasSuffix("_tool_result") && type != "tool_result" && !type.hasPrefix("mcp_")
    }

    static func turn(_ raw: JSONValue, at path: @autoclosure () -> String) throws(GatewayError) -> [Message] {
        let object = try FieldReader.object(raw, at: path())
        try DoorFields.rejectUnknown(object, allowed: ["role", "content"], at: path())
        let roleName = try DoorFields.string(object, "role", at: path(), required: true)!
        guard roleName == "user" || roleName == "assistant" else {
            throw .invalidRequest("\(path()).role: expected user or assistant", param: "\(path()).role")
        }
        let role: Role = roleName == "user" ? .user : .assistant
        switch object["content"] {
        case .string(let s)?: return [.text(role, s)]
        case .array(let blocks)?:
            var out: [Message] = []
            var parts: [ContentPart] = []
            for (i, block) in blocks.enumerated() {
                let at = "\(path()).content[\(i)]"
                if let result = try translate(block, role: role, at: at, into: &parts) { out.append(result) }
            }
            if !parts.isEmpty || out.isEmpty { out.append(Message(role: role, content: parts)) }
            return out
        case nil, .null?:
            throw .invalidRequest("\(path()).content: required", param: "\(path()).content")
        case let other?:
            throw .invalidRequest(
                "\(path()).content: expected a string or an array of blocks, got \(other.kindName)",
                param: "\(path()).content")
        }
    }

    /// Appends the block's part, or returns the tool message a `tool_result` becomes.
    private static func translate(
        _ raw: JSONValue, role: Role, at path: String,
        into parts: inout [ContentPart]
    ) throws(GatewayError) -> Message? {
        let object = try FieldReader.object(raw, at: path)
        let type = try DoorFields.string(object, "type", at: path, required: true)!
        func assistantOnly() throws(GatewayError) {
            guard role == .assistant else {
                throw .invalidRequest("\(path).type: \(type) blocks belong to assistant turns", param: "\(path).type")
            }
        }
        func userOnly() throws(GatewayError) {
            guard role == .user else {
                throw .invalidRequest("\(path).type: \(type) blocks belong to user turns", param: "\(path).type")
            }
        }
        switch type {
        case "text":
            parts.append(try text(object, at: path))
        case "image":
            try userOnly()
            parts.append(try image(object, at: path))
        case "thinking":
            try assistantOnly()
            try DoorFields.rejectUnknown(object, allowed: ["type", "thinking", "signature"], at: path)
            let thinking = try DoorFields.string(object, "thinking", at: path, required: true)!
            let signature = try DoorFields.string(object, "signature", at: path)
            parts.append(.thinking(ThinkingPart(text: thinking, signature: signature)))
        case "redacted_thinking":
            try assistantOnly()
            try DoorFields.rejectUnknown(object, allowed: ["type", "data"], at: path)
            let data = try DoorFields.string(object, "data", at: path, required: true)!
            parts.append(.thinking(ThinkingPart(redacted: data)))
        case "tool_use":
            try assistantOnly()
            parts.append(try toolUse(object, at: path))
        case "tool_result":
            try userOnly()
            return try toolResult(object, at: path)
        case "server_tool_use":
            try assistantOnly()
            parts.append(.serverTool(ServerToolPart(provider: "anthropic", block: raw)))
        case _ where isServerToolResult(type):
            try assistantOnly()
            parts.append(.serverTool(ServerToolPart(provider: "anthropic", block: raw)))
        case "document", "search_result", "container_upload", "mcp_tool_use", "mcp_tool_result":
            throw DoorFields.refused("\(path).type", "\(type) blocks are not supported")
        default:
            throw .invalidRequest("\(path).type: unknown block type \"\(type)\"", param: "\(path).type")
        }
        return nil
    }

    /// `{"type":"text","text","cache_control"?,"citations"?}`. Citations on an earlier answer
    /// are accepted and not sent on: they annotate text the model already wrote.
    static func text(_ object: JSONObject, at path: String) throws(GatewayError) -> ContentPart {
        try DoorFields.rejectUnknown(object, allowed: ["type", "text", "cache_control", "citations"], at: path)
        if let citations = object["citations"], !citations.isNull {
            _ = try FieldReader.array(citations, at: "\(path).citations")
        }
        return .text(
            TextPart(
                text: try DoorFields.string(object, "text", at: path, required: true)!,
                cache: try DoorFields.cacheControl(object["cache_control"], at: "\(path).cache_control")))
    }

    /// `source` `base64` (`media_type`, `data`) or `url`.
    private static func image(_ object: JSONObject, at path: String) throws(GatewayError) -> ContentPart {
        try DoorFields.rejectUnknown(object, allowed: ["type", "source", "cache_control"], at: path)
        let cache = try DoorFields.cacheControl(object["cache_control"], at: "\(path).cache_control")
        guard let raw = object["source"] else {
            throw .invalidRequest("\(path).source: required", param: "\(path).source")
        }
        let at = "\(path).source"
        let source = try FieldReader.object(raw, at: at)
        switch try DoorFields.string(source, "type", at: at, required: true)! {
        case "base64":
            try DoorFields.rejectUnknown(source, allowed: ["type", "media_type", "data"], at: at)
            return .image(
                ImagePart(
                    mediaType: try DoorFields.string(source, "media_type", at: at, required: true)!,
                    data: try DoorFields.string(source, "data", at: at, required: true)!, cache: cache))
        case "url":
            try DoorFields.rejectUnknown(source, allowed: ["type", "url"], at: at)
            return .image(ImagePart(url: try DoorFields.string(source, "url", at: at, required: true)!, cache: cache))
        case let type:
            throw DoorFields.refused("\(at).type", "\(type) image sources are not supported (base64, url)")
        }
    }

    private static func toolUse(_ object: JSONObject, at path: String) throws(GatewayError) -> ContentPart {
        try DoorFields.rejectUnknown(object, allowed: ["type", "id", "name", "input", "cache_control"], at: path)
        if try DoorFields.cacheControl(object["cache_control"], at: "\(path).cache_control") {
            throw DoorFields.refused(
                "\(path).cache_control",
                "a breakpoint on a tool call has no unified equivalent; "
                    + "put it on a text block or the tool result")
        }
        var input = object["input"] ?? .null
        if input.isNull { input = .object(JSONObject()) }  // null is absent: no arguments
        guard case .object = input else {
            throw .invalidRequest("\(path).input: expected an object, got \(input.kindName)", param: "\(path).input")
        }
        return .toolCall(
            ToolCallPart(
                id: try DoorFields.string(object, "id", at: path, required: true)!,
                name: try DoorFields.string(object, "name", at: path, required: true)!,
                arguments: input))
    }

    /// `{"type":"tool_result","tool_use_id","content"?,"is_error"?,"cache_control"?}`; content is
    /// a string or text blocks (unified tool results are text).
    private static func toolResult(_ object: JSONObject, at path: String) throws(GatewayError) -> Message {
        try DoorFields.rejectUnknown(
            object, allowed: ["type", "tool_use_id", "content", "is_error", "cache_control"],
            at: path)
        let id = try DoorFields.string(object, "tool_use_id", at: path, required: true)!
        var text = ""
        switch object["content"] {
        case nil, .null?: break
        case .string(let s)?: text = s
        case .array(let blocks)?:
            for (i, block) in blocks.enumerated() {
                let at = "\(path).content[\(i)]"
                let inner = try FieldReader.object(block, at: at)
                let type = try DoorFields.string(inner, "type", at: at, required: true)!
                guard type == "text" else {
                    throw DoorFields.refused("\(at).type", "tool results hold text only (got \(type))")
                }
                guard case .text(let part) = try Self.text(inner, at: at) else { continue }
                if part.cache {
                    throw DoorFields.refused("\(at).cache_control", "put the breakpoint on the tool_result block")
                }
                text += part.text
            }
        case let other?:
            throw .invalidRequest(
                "\(path).content: expected a string or text blocks, got \(other.kindName)",
                param: "\(path).content")
        }
        return Message(
            role: .tool, content: [.text(TextPart(text: text))], toolCallId: id,
            isError: try DoorFields.bool(object, "is_error", at: path) ?? false,
            cache: try DoorFields.cacheControl(object["cache_control"], at: "\(path).cache_control"))
    }
}
