import JSON

/// The generation options of issue 11 (structured output, seed, parallel tool calls,
/// log probabilities, penalties, end user), server-tool parts and provider tools: decoded as
/// strictly as the rest of the request, every problem a 400 naming the field's path.
extension ChatRequest {
    static let optionKeys: Set<String> = [
        "response_format", "seed", "parallel_tool_calls", "logprobs", "top_logprobs",
        "presence_penalty", "frequency_penalty", "user",
    ]
    /// OpenAI's range for `top_logprobs`.
    public static let topLogprobsRange: ClosedRange<Int> = 0...20
    /// OpenAI's range for both penalties.
    public static let penaltyRange: ClosedRange<Double> = -2...2

    static func decodeOptions(_ top: ChatRequestMembers, into request: inout ChatRequest) throws(GatewayError) {
        request.responseFormat = try decodeResponseFormat(top[.responseFormat], at: "response_format")
        if let raw = top[.seed], !raw.isNull {
            request.seed = try wholeNumber(raw, at: "seed", range: Int.min...Int.max)
        }
        if let raw = top[.parallelToolCalls], !raw.isNull {
            request.parallelToolCalls = try FieldReader.bool(raw, at: "parallel_tool_calls")
        }
        if let raw = top[.logprobs], !raw.isNull { request.logprobs = try FieldReader.bool(raw, at: "logprobs") }
        if let raw = top[.topLogprobs], !raw.isNull {
            request.topLogprobs = try wholeNumber(raw, at: "top_logprobs", range: topLogprobsRange)
        }
        try checkLogprobs(request, path: "top_logprobs")
        request.presencePenalty = try FieldReader.number(
            top[.presencePenalty], at: "presence_penalty",
            range: penaltyRange)
        request.frequencyPenalty = try FieldReader.number(
            top[.frequencyPenalty], at: "frequency_penalty",
            range: penaltyRange)
        request.user = try FieldReader.string(top[.user], at: "user", required: false)
    }

    /// `top_logprobs` asks for alternatives of the tokens `logprobs` returns: alone it means
    /// nothing (OpenAI refuses it the same way).
    public static func checkLogprobs(_ request: ChatRequest, path: String) throws(GatewayError) {
        if request.topLogprobs != nil, request.logprobs != true {
            throw .invalidRequest("\(path): requires logprobs: true", param: path)
        }
    }

    /// OpenAI's `response_format` shape: `{"type":"text"}`, `{"type":"json_object"}` or
    /// `{"type":"json_schema","json_schema":{"name","description"?,"schema","strict"?}}`.
    /// `path` is where the client put it (the front doors use their own names).
    public static func decodeResponseFormat(
        _ raw: JSONValue?,
        at path: String
    ) throws(GatewayError) -> ResponseFormat? {
        guard let raw, !raw.isNull else { return nil }
        let object = try FieldReader.object(raw, at: path)
        let type = try FieldReader.string(object["type"], at: "\(path).type", required: true)!
        switch type {
        case "text", "json_object":
            try FieldReader.rejectUnknown(object, allowed: ["type"], at: path)
            return type == "text" ? .text : .jsonObject
        case "json_schema":
            try FieldReader.rejectUnknown(object, allowed: ["type", "json_schema"], at: path)
            guard let inner = object["json_schema"], !inner.isNull else {
                throw .invalidRequest(
                    "\(path).json_schema: required with type json_schema",
                    param: "\(path).json_schema")
            }
            return .jsonSchema(try decodeJSONSchemaFormat(inner, at: "\(path).json_schema"))
        default:
            throw .invalidRequest("\(path).type: expected text, json_object or json_schema", param: "\(path).type")
        }
    }

    /// `{"name","description"?,"schema","strict"?}`. The name follows OpenAI's rule (it also
    /// names Anthropic's answer tool); the schema must be an object.
    public static func decodeJSONSchemaFormat(
        _ raw: JSONValue,
        at path: String
    ) throws(GatewayError) -> JSONSchemaFormat {
        let object = try FieldReader.object(raw, at: path)
        try FieldReader.rejectUnknown(object, allowed: ["name", "description", "schema", "strict"], at: path)
        let name = try FieldReader.string(object["name"], at: "\(path).name", required: true)!
        guard isToolName(name) else {
            throw .invalidRequest("\(path).name: 1 to 64 characters of a-z, A-Z, 0-9, _ and -", param: "\(path).name")
        }
        let description = try FieldReader.string(object["description"], at: "\(path).description", required: false)
        guard let schema = object["schema"], !schema.isNull else {
            throw .invalidRequest("\(path).schema: required", param: "\(path).schema")
        }
        let schemaObject = try FieldReader.object(schema, at: "\(path).schema")
        var strict: Bool?
        if let raw = object["strict"], !raw.isNull { strict = try FieldReader.bool(raw, at: "\(path).strict") }
        return JSONSchemaFormat(name: name, description: description, schema: .object(schemaObject), strict: strict)
    }

    /// OpenAI's and Anthropic's rule for tool (and schema) names.
    public static func isToolName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "-"
            }
    }

    /// `{"type":"server_tool","provider","block"}`: a provider's own block, assistant only.
    static func decodeServerToolPart(
        _ object: JSONObject, role: Role,
        at path: String
    ) throws(GatewayError) -> ContentPart {
        guard role == .assistant else {
            throw .invalidRequest("\(path).type: server_tool parts belong to assistant messages", param: "\(path).type")
        }
        try FieldReader.rejectUnknown(object, allowed: ["type", "provider", "block"], at: path)
        let provider = try providerName(object["provider"], at: "\(path).provider")
        guard let block = object["block"], case .object(let fields) = block else {
            throw .invalidRequest("\(path).block: expected the provider's block object", param: "\(path).block")
        }
        _ = try FieldReader.string(fields["type"], at: "\(path).block.type", required: true)
        return .serverTool(ServerToolPart(provider: provider, block: block))
    }

    /// `{"type":"server_tool","provider","definition"}` in `tools`.
    static func decodeProviderTool(_ object: JSONObject, at path: String) throws(GatewayError) -> ProviderTool {
        let type = try FieldReader.string(object["type"], at: "\(path).type", required: true)!
        guard type == "server_tool" else {
            throw .invalidRequest(
                "\(path).type: expected server_tool (a client tool has no type)",
                param: "\(path).type")
        }
        try FieldReader.rejectUnknown(object, allowed: ["type", "provider", "definition"], at: path)
        let provider = try providerName(object["provider"], at: "\(path).provider")
        guard let definition = object["definition"], case .object(let fields) = definition else {
            throw .invalidRequest(
                "\(path).definition: expected the provider's tool object",
                param: "\(path).definition")
        }
        _ = try FieldReader.string(fields["type"], at: "\(path).definition.type", required: true)
        return ProviderTool(provider: provider, definition: definition)
    }

    private static func providerName(_ raw: JSONValue?, at path: String) throws(GatewayError) -> String {
        let name = try FieldReader.string(raw, at: path, required: true)!
        guard providerNames.contains(name) else {
            throw .invalidRequest("\(path): unknown provider \"\(name)\" (openai, anthropic, gemini)", param: path)
        }
        return name
    }

    /// A whole number inside `range` (another type, a fraction or a value outside is a 400).
    static func wholeNumber(_ value: JSONValue, at path: String, range: ClosedRange<Int>) throws(GatewayError) -> Int {
        guard let n = value.intValue, range.contains(n) else {
            let bounds = range == Int.min...Int.max ? "" : " from \(range.lowerBound) to \(range.upperBound)"
            throw .invalidRequest("\(path): expected a whole number\(bounds), got \(value.kindName)", param: path)
        }
        return n
    }
}

extension ChatRequest {
    /// The options above written back in their unified spelling.
    func writeOptions(into o: inout JSONObject) {
        switch responseFormat {
        case .text?: o["response_format"] = ["type": "text"]
        case .jsonObject?: o["response_format"] = ["type": "json_object"]
        case .jsonSchema(let format)?:
            var inner = JSONObject([("name", .string(format.name))])
            if let d = format.description { inner["description"] = .string(d) }
            inner["schema"] = format.schema
            if let s = format.strict { inner["strict"] = .bool(s) }
            o["response_format"] = .object(JSONObject([("type", "json_schema"), ("json_schema", .object(inner))]))
        case nil: break
        }
        if let seed { o["seed"] = .int(seed) }
        if let parallelToolCalls { o["parallel_tool_calls"] = .bool(parallelToolCalls) }
        if let logprobs { o["logprobs"] = .bool(logprobs) }
        if let topLogprobs { o["top_logprobs"] = .int(topLogprobs) }
        if let presencePenalty { o["presence_penalty"] = .double(presencePenalty) }
        if let frequencyPenalty { o["frequency_penalty"] = .double(frequencyPenalty) }
        if let user { o["user"] = .string(user) }
    }
}

extension ProviderTool {
    public func json() -> JSONValue {
        .object(JSONObject([("type", "server_tool"), ("provider", .string(provider)), ("definition", definition)]))
    }
}
