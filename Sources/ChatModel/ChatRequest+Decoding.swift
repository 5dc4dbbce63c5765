import JSON

/// Strict decoding of a client's request: every problem is a 400 naming the field's path
/// (`messages[2].content[0].type`), so a client can fix it without guessing.
extension ChatRequest {
    static let knownKeys: Set<String> = [
        "model", "messages", "tools", "tool_choice", "max_tokens", "temperature",
        "top_p", "stop", "thinking", "stream", "fallbacks", "metadata",
        "provider_options",
    ]
    /// Every top-level key, built once: per request the unions cost thousands of instructions.
    static let allTopKeys = knownKeys.union(optionKeys)
    /// A message's and each part type's keys: lists, scanned (a `Set` literal at the call
    /// hashed every name per message, and a handful of names scans faster than it hashes).
    static let messageKeys = ["role", "content", "cache", "tool_call_id", "is_error"]
    /// The message keys only a tool result may set (a literal at the use was built per message).
    static let toolOnlyMessageKeys = ["tool_call_id", "is_error"]
    static let textPartKeys = ["type", "text", "cache", "signature"]
    static let imagePartKeys = ["type", "media_type", "data", "url", "cache"]
    static let thinkingPartKeys = ["type", "text", "signature", "redacted"]
    static let toolCallPartKeys = ["type", "id", "name", "arguments", "signature"]
    static let toolKeys = ["name", "description", "parameters", "cache", "strict"]
    public static let providerNames: Set<String> = ["openai", "anthropic", "gemini"]
    /// Provider request fields `provider_options` may not set.
    static let gatewayOwnedProviderFields: Set<String> = ["model", "stream", "stream_options", "messages", "contents"]
    /// Anthropic's limit, applied to every provider so a request means the same everywhere.
    public static let maxCacheBreakpoints = 4

    /// Decodes and validates. `extraKeys` are top-level keys a caller handles itself.
    public static func decode(_ json: JSONValue, extraKeys: Set<String> = []) throws(GatewayError) -> ChatRequest {
        let body = try FieldReader.object(json, at: "")
        let top = ChatRequestMembers(body)
        // Names the first unknown key in the body's order; only bodies with a key that is not a
        // member (an unknown one, or one of `extraKeys`) pay for the hashing.
        if top.hasOtherKeys {
            try FieldReader.rejectUnknown(
                body, allowed: extraKeys.isEmpty ? allTopKeys : allTopKeys.union(extraKeys), at: "")
        }

        let model = try FieldReader.string(top[.model], at: "model", required: true)!
        guard !model.isEmpty else { throw .invalidRequest("model: must not be empty", param: "model") }

        guard let rawMessages = top[.messages] else {
            throw .invalidRequest("messages: required", param: "messages")
        }
        let messageArray = try FieldReader.array(rawMessages, at: "messages")
        guard !messageArray.isEmpty else { throw .invalidRequest("messages: must not be empty", param: "messages") }
        var messages: [Message] = []
        for (i, raw) in messageArray.enumerated() {
            messages.append(try decodeMessage(raw, at: "messages[\(i)]"))
        }

        var tools: [Tool] = []
        var providerTools: [ProviderTool] = []
        if let rawTools = top[.tools], !rawTools.isNull {
            for (i, raw) in try FieldReader.array(rawTools, at: "tools").enumerated() {
                if case .object(let o) = raw, o["type"] != nil {
                    providerTools.append(try decodeProviderTool(o, at: "tools[\(i)]"))
                    continue
                }
                let tool = try decodeTool(raw, at: "tools[\(i)]")
                if tools.contains(where: { $0.name == tool.name }) {
                    throw .invalidRequest(
                        "tools[\(i)].name: duplicate tool name \"\(tool.name)\"", param: "tools[\(i)].name")
                }
                tools.append(tool)
            }
        }

        var request = ChatRequest(model: model, messages: messages, tools: tools)
        request.providerTools = providerTools
        request.toolChoice = try decodeToolChoice(top[.toolChoice], tools: tools)
        if let raw = top[.maxTokens], !raw.isNull {
            request.maxTokens = try FieldReader.int(raw, at: "max_tokens", range: AllowedRanges.maxTokens)
        }
        request.temperature = try FieldReader.number(
            top[.temperature], at: "temperature",
            range: AllowedRanges.temperature)
        request.topP = try FieldReader.number(top[.topP], at: "top_p", range: AllowedRanges.topP)
        request.stop = try decodeStop(top[.stop])
        request.thinking = try decodeThinking(top[.thinking])
        if let raw = top[.stream], !raw.isNull { request.stream = try FieldReader.bool(raw, at: "stream") }
        if let raw = top[.fallbacks], !raw.isNull {
            var names: [String] = []
            for (i, item) in try FieldReader.array(raw, at: "fallbacks").enumerated() {
                let name = try FieldReader.string(item, at: "fallbacks[\(i)]", required: true)!
                guard !name.isEmpty else {
                    throw .invalidRequest("fallbacks[\(i)]: must not be empty", param: "fallbacks[\(i)]")
                }
                names.append(name)
            }
            request.fallbacks = names
        }
        if let raw = top[.metadata], !raw.isNull { request.metadata = try FieldReader.object(raw, at: "metadata") }
        if let raw = top[.providerOptions], !raw.isNull {
            let options = try FieldReader.object(raw, at: "provider_options")
            for (name, value) in options {
                guard providerNames.contains(name) else {
                    throw .invalidRequest(
                        "provider_options.\(name): unknown provider (openai, anthropic, gemini)",
                        param: "provider_options.\(name)")
                }
                if value.isNull { continue }  // null is absent, as for every optional field
                let fields = try FieldReader.object(value, at: "provider_options.\(name)")
                // The gateway decides these itself; overriding them would break the stream it
                // relays (or route to a model the key may not use).
                for key in fields.keys where gatewayOwnedProviderFields.contains(key) {
                    throw .invalidRequest(
                        "provider_options.\(name).\(key): set by the gateway; use the unified field instead",
                        param: "provider_options.\(name).\(key)")
                }
                request.providerOptions[name] = fields
            }
        }
        try decodeOptions(top, into: &request)
        try checkCacheBreakpoints(request)
        return request
    }

    private static func decodeMessage(_ raw: JSONValue, at path: @autoclosure () -> String) throws(GatewayError)
        -> Message
    {
        let object = try FieldReader.object(raw, at: path())
        try FieldReader.rejectUnknown(object, allowed: messageKeys, at: path())
        let roleName = try FieldReader.string(object["role"], at: "\(path()).role", required: true)!
        guard let role = Role(rawValue: roleName) else {
            throw .invalidRequest(
                "\(path()).role: unknown role \"\(roleName)\" (system, user, assistant, tool)",
                param: "\(path()).role")
        }
        guard let rawContent = object["content"] else {
            throw .invalidRequest("\(path()).content: required", param: "\(path()).content")
        }
        var content: [ContentPart] = []
        switch rawContent {
        case .string(let text):
            content = [.text(TextPart(text: text))]
        case .array(let parts):
            for (i, part) in parts.enumerated() {
                content.append(try decodePart(part, role: role, at: "\(path()).content[\(i)]"))
            }
        default:
            throw .invalidRequest(
                "\(path()).content: expected a string or an array of parts, got \(rawContent.kindName)",
                param: "\(path()).content")
        }
        var message = Message(role: role, content: content)
        if let raw = object["cache"], !raw.isNull { message.cache = try FieldReader.bool(raw, at: "\(path()).cache") }
        if role == .tool {
            message.toolCallId = try FieldReader.string(
                object["tool_call_id"], at: "\(path()).tool_call_id", required: true)
            if let raw = object["is_error"], !raw.isNull {
                message.isError = try FieldReader.bool(raw, at: "\(path()).is_error")
            }
            if let bad = content.firstIndex(where: {
                if case .text = $0 { return false }; return true
            }) {
                throw .invalidRequest(
                    "\(path()).content[\(bad)]: a tool result holds text only",
                    param: "\(path()).content[\(bad)].type")
            }
        } else {
            for key in toolOnlyMessageKeys where !(object[key]?.isNull ?? true) {
                throw .invalidRequest("\(path()).\(key): only allowed on role \"tool\"", param: "\(path()).\(key)")
            }
        }
        return message
    }

    private static func decodePart(_ raw: JSONValue, role: Role, at path: @autoclosure () -> String)
        throws(GatewayError) -> ContentPart
    {
        let object = try FieldReader.object(raw, at: path())
        let type = try FieldReader.string(object["type"], at: "\(path()).type", required: true)!
        var cache = false
        if let raw = object["cache"], !raw.isNull { cache = try FieldReader.bool(raw, at: "\(path()).cache") }
        switch type {
        case "text":
            try FieldReader.rejectUnknown(object, allowed: textPartKeys, at: path())
            let text = try FieldReader.string(object["text"], at: "\(path()).text", required: true)!
            let signature = try FieldReader.string(object["signature"], at: "\(path()).signature", required: false)
            return .text(TextPart(text: text, cache: cache, signature: signature))
        case "image":
            try FieldReader.rejectUnknown(object, allowed: imagePartKeys, at: path())
            let mediaType = try FieldReader.string(object["media_type"], at: "\(path()).media_type", required: false)
            let data = try FieldReader.string(object["data"], at: "\(path()).data", required: false)
            let url = try FieldReader.string(object["url"], at: "\(path()).url", required: false)
            if data != nil, mediaType == nil {
                throw .invalidRequest("\(path()).media_type: required with data", param: "\(path()).media_type")
            }
            guard (data == nil) != (url == nil) else {
                throw .invalidRequest(
                    "\(path()): an image has either data (with media_type) or url", param: "\(path()).data")
            }
            return .image(ImagePart(mediaType: mediaType, data: data, url: url, cache: cache))
        case "thinking":
            guard role == .assistant else {
                throw .invalidRequest(
                    "\(path()).type: thinking parts belong to assistant messages", param: "\(path()).type")
            }
            try FieldReader.rejectUnknown(object, allowed: thinkingPartKeys, at: path())
            let redacted = try FieldReader.string(object["redacted"], at: "\(path()).redacted", required: false)
            let text = try FieldReader.string(object["text"], at: "\(path()).text", required: redacted == nil) ?? ""
            let signature = try FieldReader.string(object["signature"], at: "\(path()).signature", required: false)
            return .thinking(ThinkingPart(text: text, signature: signature, redacted: redacted))
        case "tool_call":
            guard role == .assistant else {
                throw .invalidRequest(
                    "\(path()).type: tool_call parts belong to assistant messages", param: "\(path()).type")
            }
            try FieldReader.rejectUnknown(object, allowed: toolCallPartKeys, at: path())
            let id = try FieldReader.string(object["id"], at: "\(path()).id", required: true)!
            let name = try FieldReader.string(object["name"], at: "\(path()).name", required: true)!
            var arguments: JSONValue = .object(JSONObject())
            switch object["arguments"] {
            case nil, .null?: break
            case .object(let o)?: arguments = .object(o)
            case .string(let text)?:
                guard case .object(let o)? = try? JSONValue.parse(text) else {
                    throw .invalidRequest(
                        "\(path()).arguments: the string does not hold a JSON object", param: "\(path()).arguments")
                }
                arguments = .object(o)
            case let other?:
                throw .invalidRequest(
                    "\(path()).arguments: expected object, got \(other.kindName)", param: "\(path()).arguments")
            }
            let signature = try FieldReader.string(object["signature"], at: "\(path()).signature", required: false)
            return .toolCall(ToolCallPart(id: id, name: name, arguments: arguments, signature: signature))
        case "server_tool":
            return try decodeServerToolPart(object, role: role, at: path())
        default:
            throw .invalidRequest(
                "\(path()).type: unknown part type \"\(type)\" "
                    + "(text, image, thinking, tool_call, server_tool)", param: "\(path()).type")
        }
    }

    private static func decodeTool(_ raw: JSONValue, at path: String) throws(GatewayError) -> Tool {
        let object = try FieldReader.object(raw, at: path)
        try FieldReader.rejectUnknown(object, allowed: toolKeys, at: path)
        let name = try FieldReader.string(object["name"], at: "\(path).name", required: true)!
        let valid =
            !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "-"
            }
        guard valid else {
            throw .invalidRequest("\(path).name: 1 to 64 characters of a-z, A-Z, 0-9, _ and -", param: "\(path).name")
        }
        var tool = Tool(name: name)
        tool.description = try FieldReader.string(object["description"], at: "\(path).description", required: false)
        if let raw = object["parameters"], !raw.isNull {
            tool.parameters = .object(try FieldReader.object(raw, at: "\(path).parameters"))
        }
        if let raw = object["cache"], !raw.isNull { tool.cache = try FieldReader.bool(raw, at: "\(path).cache") }
        if let raw = object["strict"], !raw.isNull { tool.strict = try FieldReader.bool(raw, at: "\(path).strict") }
        return tool
    }

    private static func decodeToolChoice(_ raw: JSONValue?, tools: [Tool]) throws(GatewayError) -> ToolChoice? {
        guard let raw, !raw.isNull else { return nil }
        let choice: ToolChoice
        switch raw {
        case .string("auto"): choice = .auto
        case .string("none"): choice = .none
        case .string("required"): choice = .required
        case .object(let o):
            try FieldReader.rejectUnknown(o, allowed: ["name"], at: "tool_choice")
            let name = try FieldReader.string(o["name"], at: "tool_choice.name", required: true)!
            guard tools.contains(where: { $0.name == name }) else {
                throw .invalidRequest(
                    "tool_choice.name: \"\(name)\" is not one of the declared tools", param: "tool_choice.name")
            }
            choice = .tool(name)
        default:
            throw .invalidRequest(
                "tool_choice: expected \"auto\", \"none\", \"required\" or {\"name\": …}", param: "tool_choice")
        }
        if tools.isEmpty, choice != .auto, choice != .none {
            throw .invalidRequest("tool_choice: requires tools", param: "tool_choice")
        }
        return choice
    }

    private static func decodeStop(_ raw: JSONValue?) throws(GatewayError) -> [String] {
        switch raw {
        case nil, .null?: return []
        case .string(let s)?: return [s]
        case .array(let items)?:
            guard items.count <= 4 else { throw .invalidRequest("stop: at most 4 sequences", param: "stop") }
            var out: [String] = []
            for (i, item) in items.enumerated() {
                out.append(try FieldReader.string(item, at: "stop[\(i)]", required: true)!)
            }
            return out
        case let other?:
            throw .invalidRequest(
                "stop: expected a string or an array of strings, got \(other.kindName)", param: "stop")
        }
    }

    private static func decodeThinking(_ raw: JSONValue?) throws(GatewayError) -> ThinkingConfig? {
        guard let raw, !raw.isNull else { return nil }
        let given = try FieldReader.object(raw, at: "thinking")
        try FieldReader.rejectUnknown(given, allowed: ["budget_tokens", "effort"], at: "thinking")
        var object = JSONObject()
        for (key, value) in given where !value.isNull { object[key] = value }
        guard object.count == 1 else {
            throw .invalidRequest(
                "thinking: give exactly one of thinking.budget_tokens or thinking.effort (null is absent)",
                param: "thinking")
        }
        if let budget = object["budget_tokens"] {
            return .budget(
                try FieldReader.int(
                    budget, at: "thinking.budget_tokens",
                    range: AllowedRanges.thinkingBudget))
        }
        let effortName = try FieldReader.string(object["effort"], at: "thinking.effort", required: true)!
        guard let effort = ThinkingEffort(rawValue: effortName) else {
            throw .invalidRequest("thinking.effort: expected low, medium or high", param: "thinking.effort")
        }
        return .effort(effort)
    }

    /// More than `maxCacheBreakpoints` is a 400 naming `param` (the front doors name their own field).
    public static func checkCacheBreakpoints(_ request: ChatRequest, param: String = "cache") throws(GatewayError) {
        var count = request.tools.filter(\.cache).count
        for message in request.messages {
            if message.cache { count += 1 }
            for part in message.content {
                switch part {
                case .text(let p) where p.cache: count += 1
                case .image(let p) where p.cache: count += 1
                default: break
                }
            }
        }
        if count > maxCacheBreakpoints {
            throw .invalidRequest(
                "\(param): \(count) cache breakpoints; at most \(maxCacheBreakpoints) are allowed",
                param: param)
        }
    }
}
