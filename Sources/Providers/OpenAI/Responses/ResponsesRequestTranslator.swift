import ChatModel
import JSON

/// What the Responses door read from one request: the unified request, the request fields the
/// response object repeats (`instructions`, `tools`, `metadata`, …), and the conversation to
/// store (earlier turns' items, then this request's input).
public struct ResponsesRequest: Sendable {
    public var chat: ChatRequest
    /// The request's own settings, as the response object shows them.
    public var echo: JSONObject
    /// The whole conversation's input items: the previous response's input and output, then
    /// this request's input (what `GET /v1/responses/{id}/input_items` lists).
    public var inputItems: [JSONValue]
    /// Keep the response (OpenAI's default: true).
    public var store: Bool
}

/// A Responses API request (`POST /v1/responses`) → the unified request, field by field: mapped,
/// passed through to OpenAI only (advisory fields), or refused with a 400 naming the field.
enum ResponsesRequestTranslator {
    static let openAIOnly: Set<String> = ["service_tier", "prompt_cache_key", "prompt_cache_retention"]
    static let mapped: Set<String> = [
        "model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls", "max_output_tokens",
        "temperature", "top_p", "reasoning", "text", "metadata", "user", "safety_identifier", "stream", "store",
        "previous_response_id", "include", "stream_options",
    ]
    /// Known fields with no unified equivalent: refused when they ask for anything.
    static let refusedFields: [(key: String, neutral: [JSONValue], why: String)] = [
        ("background", [false], "background mode is not supported; stream or wait for the answer"),
        ("conversation", [], "conversations objects are not supported; use previous_response_id"),
        ("prompt", [], "stored prompt templates are not supported"),
        ("max_tool_calls", [], "a limit on built-in tool calls has no equivalent (built-in tools are refused)"),
        ("top_logprobs", [0], "log probabilities are not supported on this door"),
        ("truncation", ["disabled"], "only truncation \"disabled\" is supported"),
    ]
    static let includable: Set<String> = ["reasoning.encrypted_content"]

    /// `history`: the stored conversation of a `previous_response_id` (404 when it is not the
    /// caller's or gone).
    static func translate(
        _ json: JSONValue, history: (String) throws(GatewayError) -> [JSONValue]
    ) throws(GatewayError) -> ResponsesRequest {
        guard case .object(let body) = json else { throw .invalidRequest("body: expected a JSON object") }
        try DoorFields.rejectUnknown(body, allowed: mapped.union(openAIOnly).union(refusedFields.map(\.key)), at: "")
        for field in refusedFields {
            try DoorFields.refuseUnlessNeutral(body, field.key, at: "", neutral: field.neutral, why: field.why)
        }
        let model = try DoorFields.string(body, "model", at: "", required: true)!
        guard !model.isEmpty else { throw .invalidRequest("model: must not be empty", param: "model") }
        try include(body["include"])

        let input = try ResponsesInputTranslator.items(body["input"])
        let previousId = try DoorFields.string(body, "previous_response_id", at: "")
        let earlier = try previousId.map { (id) throws(GatewayError) in try history(id) } ?? []
        let paths =
            earlier.indices.map { "previous_response_id(\(previousId ?? "")).items[\($0)]" }
            + input.indices.map { body["input"]?.arrayValue == nil ? "input" : "input[\($0)]" }
        var messages = try ResponsesInputTranslator.messages(earlier + input, paths: paths)
        let instructions = try DoorFields.string(body, "instructions", at: "")
        if let instructions { messages.insert(.text(.system, instructions), at: 0) }
        guard messages.contains(where: { $0.role != .system }) else {
            throw .invalidRequest("input: must hold at least one item", param: "input")
        }

        var request = ChatRequest(
            model: model, messages: messages, tools: try ResponsesTools.tools(body["tools"]), stream: false)
        request.toolChoice = try ResponsesTools.choice(body["tool_choice"])
        try DoorFields.checkToolChoice(request, at: "tool_choice")
        request.parallelToolCalls = try DoorFields.bool(body, "parallel_tool_calls", at: "")
        request.maxTokens = try DoorFields.int(body, "max_output_tokens", at: "", range: DoorFields.maxTokensRange)
        request.temperature = try FieldReader.number(body["temperature"], at: "temperature", range: 0...2)
        request.topP = try FieldReader.number(body["top_p"], at: "top_p", range: 0...1)
        request.stream = try DoorFields.bool(body, "stream", at: "") ?? false
        request.user = try user(body)
        try reasoning(body["reasoning"], into: &request)
        request.responseFormat = try textFormat(body["text"])
        if let raw = body["metadata"], !raw.isNull {
            request.metadata = try metadata(raw)
        }
        if let raw = body["stream_options"], !raw.isNull {
            // include_obfuscation asks OpenAI to pad events; the gateway writes its own, unpadded.
            let options = try FieldReader.object(raw, at: "stream_options")
            try DoorFields.rejectUnknown(options, allowed: ["include_obfuscation"], at: "stream_options")
            _ = try DoorFields.bool(options, "include_obfuscation", at: "stream_options")
        }
        for key in openAIOnly {
            if let value = body[key], !value.isNull {
                request.providerOptions["openai", default: JSONObject()][key] = value
            }
        }
        return ResponsesRequest(
            chat: request, echo: echo(body), inputItems: earlier + input,
            store: try DoorFields.bool(body, "store", at: "") ?? true)
    }

    private static func include(_ raw: JSONValue?) throws(GatewayError) {
        guard let raw, !raw.isNull else { return }
        for (i, item) in try FieldReader.array(raw, at: "include").enumerated() {
            let value = try FieldReader.string(item, at: "include[\(i)]", required: true)!
            guard includable.contains(value) else {
                throw DoorFields.refused(
                    "include[\(i)]", "\"\(value)\" is not supported (reasoning.encrypted_content is, and always sent)")
            }
        }
    }

    /// `user`, or the newer `safety_identifier` for the same purpose.
    private static func user(_ body: JSONObject) throws(GatewayError) -> String? {
        let user = try DoorFields.string(body, "user", at: "")
        let safety = try DoorFields.string(body, "safety_identifier", at: "")
        if let user, let safety, user != safety {
            throw .invalidRequest("safety_identifier: differs from user; send one of them", param: "safety_identifier")
        }
        return user ?? safety
    }

    /// `{effort, summary}`: the effort is each provider's thinking setting (as the Chat
    /// Completions door reads `reasoning_effort`); thinking text always streams as the summary,
    /// so any `summary` setting is honoured by what the provider shows.
    private static func reasoning(_ raw: JSONValue?, into request: inout ChatRequest) throws(GatewayError) {
        guard let raw, !raw.isNull else { return }
        let object = try FieldReader.object(raw, at: "reasoning")
        try DoorFields.rejectUnknown(object, allowed: ["effort", "summary", "generate_summary"], at: "reasoning")
        for key in ["summary", "generate_summary"] {
            if let summary = try DoorFields.string(object, key, at: "reasoning"),
                !["auto", "concise", "detailed"].contains(summary)
            {
                throw .invalidRequest(
                    "reasoning.\(key): expected auto, concise or detailed",
                    param: "reasoning.\(key)")
            }
        }
        guard let effort = try DoorFields.string(object, "effort", at: "reasoning") else {
            if object["summary"].map({ !$0.isNull }) == true { request.thinking = .effort(.medium) }
            return
        }
        guard let read = OpenAIReasoningEffort.unified(effort) else {
            throw .invalidRequest(
                "reasoning.effort: expected none, minimal, low, medium, high or xhigh",
                param: "reasoning.effort")
        }
        request.thinking = read.thinking
        if read.sentAsIs {
            request.providerOptions["openai", default: JSONObject()]["reasoning_effort"] = .string(effort)
        }
    }

    /// `text.format`: `text`, `json_object`, or `json_schema` with its fields beside the type.
    private static func textFormat(_ raw: JSONValue?) throws(GatewayError) -> ResponseFormat? {
        guard let raw, !raw.isNull else { return nil }
        let text = try FieldReader.object(raw, at: "text")
        try DoorFields.rejectUnknown(text, allowed: ["format", "verbosity"], at: "text")
        try DoorFields.refuseUnlessNeutral(
            text, "verbosity", at: "text", neutral: ["medium"], why: "verbosity has no equivalent at every provider")
        guard let format = text["format"], !format.isNull else { return nil }
        let object = try FieldReader.object(format, at: "text.format")
        guard object["type"] == "json_schema" else {
            return try ChatRequest.decodeResponseFormat(format, at: "text.format")
        }
        var schema = object
        schema["type"] = nil
        return .jsonSchema(try ChatRequest.decodeJSONSchemaFormat(.object(schema), at: "text.format"))
    }

    /// OpenAI's limits: at most 16 pairs, keys up to 64 characters, values up to 512.
    private static func metadata(_ raw: JSONValue) throws(GatewayError) -> JSONObject {
        let object = try FieldReader.object(raw, at: "metadata")
        guard object.count <= 16 else { throw .invalidRequest("metadata: at most 16 pairs", param: "metadata") }
        for (key, value) in object {
            let value = try FieldReader.string(value, at: "metadata.\(key)", required: true)!
            guard key.count <= 64, value.count <= 512 else {
                throw .invalidRequest(
                    "metadata.\(key): keys up to 64 characters, values up to 512",
                    param: "metadata.\(key)")
            }
        }
        return object
    }

    /// The request's settings the response object repeats (OpenAI's defaults where absent).
    private static func echo(_ body: JSONObject) -> JSONObject {
        func value(_ key: String, _ fallback: JSONValue) -> JSONValue {
            guard let value = body[key], !value.isNull else { return fallback }
            return value
        }
        return JSONObject([
            ("instructions", value("instructions", .null)),
            ("max_output_tokens", value("max_output_tokens", .null)),
            ("metadata", value("metadata", .object(JSONObject()))),
            ("parallel_tool_calls", value("parallel_tool_calls", true)),
            ("previous_response_id", value("previous_response_id", .null)),
            ("reasoning", value("reasoning", ["effort": nil, "summary": nil])),
            ("store", value("store", true)),
            ("temperature", value("temperature", 1.0)),
            ("text", value("text", ["format": ["type": "text"]])),
            ("tool_choice", value("tool_choice", "auto")),
            ("tools", value("tools", [])),
            ("top_p", value("top_p", 1.0)),
            ("truncation", "disabled"),
            ("user", value("user", .null)),
        ])
    }
}
