import ChatModel
import JSON

/// A Messages API request (as Anthropic's SDKs send it) → the unified request, field by
/// field: mapped, passed through to Anthropic only (server tools; the advisory
/// `service_tier`), or refused with a 400 naming the client's field. See README
/// "Field mapping".
enum AnthropicRequestTranslator {
    static let mapped: Set<String> = [
        "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature", "top_p",
        "tools", "tool_choice", "thinking", "output_config", "output_format", "service_tier",
    ]
    /// Known fields with no unified equivalent: refused when set.
    static let refusedFields: [(key: String, why: String)] = [
        ("top_k", "top_k has no equivalent at every provider"),
        ("container", "containers are not supported"),
        ("mcp_servers", "MCP servers are not supported"),
        ("context_management", "context management is not supported"),
        ("cache_control", "automatic caching is not supported; put cache_control on blocks"),
        ("inference_geo", "inference geography is not supported"),
        ("speed", "speed modes are not supported"),
        ("diagnostics", "diagnostics are not supported"),
        ("user_profile_id", "user profiles are not supported"),
        ("workspace_id", "workspaces are not supported"),
    ]

    /// Every top-level field this door knows, built once rather than per request.
    static let known = mapped.union(refusedFields.map(\.key))

    static func translate(_ json: JSONValue) throws(GatewayError) -> ChatRequest {
        guard case .object(let body) = json else { throw .invalidRequest("body: expected a JSON object") }
        let members = AnthropicRequestMembers.read(body)
        // Names the first unknown field in the body's order.
        if members.sendsUnknownFields { try DoorFields.rejectUnknown(body, allowed: known, at: "") }
        // Most requests send none of them: told by the one pass, instead of a lookup each.
        if members.sendsUnmappedFields {
            for field in refusedFields { try DoorFields.refuseUnlessNeutral(body, field.key, at: "", why: field.why) }
        }

        let model = try FieldReader.string(members[.model], at: "model", required: true)!
        guard !model.isEmpty else { throw .invalidRequest("model: must not be empty", param: "model") }
        var messages = try system(members[.system])
        guard let rawMessages = members[.messages], !rawMessages.isNull else {
            throw .invalidRequest("messages: required", param: "messages")
        }
        let turns = try FieldReader.array(rawMessages, at: "messages")
        guard !turns.isEmpty else { throw .invalidRequest("messages: must not be empty", param: "messages") }
        for (i, turn) in turns.enumerated() {
            messages += try AnthropicMessageTranslator.turn(turn, at: "messages[\(i)]")
        }

        var request = ChatRequest(model: model, messages: messages, stream: false)
        try tools(members[.tools], into: &request)
        try toolChoice(members[.toolChoice], into: &request)
        request.maxTokens = try DoorFields.int(members[.maxTokens], at: "max_tokens", range: DoorFields.maxTokensRange)
        request.temperature = try FieldReader.number(members[.temperature], at: "temperature", range: 0...1)
        request.topP = try FieldReader.number(members[.topP], at: "top_p", range: 0...1)
        request.stop = try stopSequences(members[.stopSequences])
        request.stream = try DoorFields.bool(members[.stream], at: "stream") ?? false
        request.thinking = try thinking(members[.thinking])
        request.user = try metadataUser(members[.metadata])
        request.responseFormat = try outputFormat(members)
        // The priority tier is billing and capacity, not the answer: Anthropic gets it as sent.
        if let tier = try FieldReader.string(members[.serviceTier], at: "service_tier", required: false) {
            guard tier == "auto" || tier == "standard_only" else {
                throw .invalidRequest("service_tier: expected auto or standard_only", param: "service_tier")
            }
            request.providerOptions["anthropic", default: JSONObject()]["service_tier"] = .string(tier)
        }
        try ChatRequest.checkCacheBreakpoints(request, param: "cache_control")
        return request
    }

    /// A string, or text blocks (with `cache_control`).
    private static func system(_ raw: JSONValue?) throws(GatewayError) -> [Message] {
        switch raw {
        case nil, .null?: return []
        case .string(let s)?: return [.text(.system, s)]
        case .array(let blocks)?:
            var parts: [ContentPart] = []
            for (i, block) in blocks.enumerated() {
                let at = "system[\(i)]"
                let object = try FieldReader.object(block, at: at)
                let type = try DoorFields.string(object, "type", at: at, required: true)!
                guard type == "text" else {
                    throw .invalidRequest("\(at).type: system blocks are text (got \(type))", param: "\(at).type")
                }
                parts.append(try AnthropicMessageTranslator.text(object, at: at))
            }
            return parts.isEmpty ? [] : [Message(role: .system, content: parts)]
        case let other?:
            throw .invalidRequest(
                "system: expected a string or an array of text blocks, got \(other.kindName)",
                param: "system")
        }
    }

    /// Client tools (`custom`, or no type) become unified tools; any other type is one of
    /// Anthropic's own tools (server tools, `bash_…`, `text_editor_…`), passed to Anthropic
    /// as written and refused by other providers.
    private static func tools(_ raw: JSONValue?, into request: inout ChatRequest) throws(GatewayError) {
        guard let raw, !raw.isNull else { return }
        for (i, item) in try FieldReader.array(raw, at: "tools").enumerated() {
            let path = "tools[\(i)]"
            let object = try FieldReader.object(item, at: path)
            let type = try DoorFields.string(object, "type", at: path)
            if let type, type != "custom" {
                request.providerTools.append(ProviderTool(provider: "anthropic", definition: item))
                continue
            }
            try DoorFields.rejectUnknown(
                object,
                allowed: [
                    "type", "name", "description", "input_schema", "strict",
                    "cache_control",
                ], at: path)
            let name = try DoorFields.string(object, "name", at: path, required: true)!
            try DoorFields.checkToolName(name, existing: request.tools, at: "\(path).name")
            var tool = Tool(name: name, description: try DoorFields.string(object, "description", at: path))
            guard let schema = object["input_schema"], !schema.isNull else {
                throw .invalidRequest("\(path).input_schema: required", param: "\(path).input_schema")
            }
            tool.parameters = .object(try FieldReader.object(schema, at: "\(path).input_schema"))
            tool.cache = try DoorFields.cacheControl(object["cache_control"], at: "\(path).cache_control")
            tool.strict = try DoorFields.bool(object, "strict", at: path)
            request.tools.append(tool)
        }
    }

    private static func toolChoice(_ raw: JSONValue?, into request: inout ChatRequest) throws(GatewayError) {
        guard let raw, !raw.isNull else { return }
        let object = try FieldReader.object(raw, at: "tool_choice")
        let type = try DoorFields.string(object, "type", at: "tool_choice", required: true)!
        switch type {
        case "auto": request.toolChoice = .auto
        case "any": request.toolChoice = .required
        case "none": request.toolChoice = ToolChoice.none
        case "tool":
            request.toolChoice = .tool(try DoorFields.string(object, "name", at: "tool_choice", required: true)!)
        default:
            throw .invalidRequest("tool_choice.type: expected auto, any, tool or none", param: "tool_choice.type")
        }
        let allowed: [String] =
            type == "tool"
            ? ["type", "name", "disable_parallel_tool_use"]
            : type == "none" ? ["type"] : ["type", "disable_parallel_tool_use"]
        try DoorFields.rejectUnknown(object, allowed: allowed, at: "tool_choice")
        if let disable = try DoorFields.bool(object, "disable_parallel_tool_use", at: "tool_choice") {
            request.parallelToolCalls = !disable
        }
        try DoorFields.checkToolChoice(request, at: type == "tool" ? "tool_choice.name" : "tool_choice")
    }

    private static func stopSequences(_ raw: JSONValue?) throws(GatewayError) -> [String] {
        guard let raw, !raw.isNull else { return [] }
        let items = try FieldReader.array(raw, at: "stop_sequences")
        guard items.count <= DoorFields.maxStops else {
            throw DoorFields.refused(
                "stop_sequences",
                "at most \(DoorFields.maxStops) (the limit every provider shares)")
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            out.append(try FieldReader.string(item, at: "stop_sequences[\(i)]", required: true)!)
        }
        return out
    }

    /// `{"type":"enabled","budget_tokens"}` or `{"type":"disabled"}`.
    private static func thinking(_ raw: JSONValue?) throws(GatewayError) -> ThinkingConfig? {
        guard let raw, !raw.isNull else { return nil }
        let object = try FieldReader.object(raw, at: "thinking")
        switch try DoorFields.string(object, "type", at: "thinking", required: true)! {
        case "enabled":
            try DoorFields.rejectUnknown(object, allowed: ["type", "budget_tokens"], at: "thinking")
            guard
                let budget = try DoorFields.int(
                    object, "budget_tokens", at: "thinking",
                    range: AllowedRanges.thinkingBudget)
            else {
                throw .invalidRequest("thinking.budget_tokens: required", param: "thinking.budget_tokens")
            }
            return .budget(budget)
        case "disabled":
            try DoorFields.rejectUnknown(object, allowed: ["type"], at: "thinking")
            return nil
        case let type:
            throw DoorFields.refused(
                "thinking.type",
                "\(type) thinking is not supported (enabled with budget_tokens, or disabled)")
        }
    }

    private static func metadataUser(_ raw: JSONValue?) throws(GatewayError) -> String? {
        guard let raw, !raw.isNull else { return nil }
        let object = try FieldReader.object(raw, at: "metadata")
        try DoorFields.rejectUnknown(object, allowed: ["user_id"], at: "metadata")
        return try DoorFields.string(object, "user_id", at: "metadata")
    }

    /// `output_config.format` (or the older `output_format`): `{"type":"json_schema","schema"}`
    /// → `response_format` json_schema named "response".
    private static func outputFormat(_ members: AnthropicRequestMembers.Body) throws(GatewayError) -> ResponseFormat? {
        var format: (JSONValue, String)?
        if let raw = members[.outputConfig], !raw.isNull {
            let config = try FieldReader.object(raw, at: "output_config")
            try DoorFields.rejectUnknown(config, allowed: ["format", "effort"], at: "output_config")
            try DoorFields.refuseUnlessNeutral(
                config, "effort", at: "output_config",
                why: "effort has no equivalent at every provider")
            if let f = config["format"], !f.isNull { format = (f, "output_config.format") }
        }
        if let f = members[.outputFormat], !f.isNull {
            if format != nil {
                throw .invalidRequest("output_format: send output_config.format only", param: "output_format")
            }
            format = (f, "output_format")
        }
        guard let (raw, path) = format else { return nil }
        let object = try FieldReader.object(raw, at: path)
        try DoorFields.rejectUnknown(object, allowed: ["type", "schema"], at: path)
        guard try DoorFields.string(object, "type", at: path, required: true) == "json_schema" else {
            throw .invalidRequest("\(path).type: expected json_schema", param: "\(path).type")
        }
        guard let schema = object["schema"], !schema.isNull else {
            throw .invalidRequest("\(path).schema: required", param: "\(path).schema")
        }
        let fields = try FieldReader.object(schema, at: "\(path).schema")
        return .jsonSchema(JSONSchemaFormat(name: "response", schema: .object(fields)))
    }
}
