import ChatModel
import JSON

/// How a `response_format` reaches Anthropic.
///
/// - `native`: Anthropic's structured outputs, `output_config.format` =
///   `{"type":"json_schema","schema":…}` — constrained decoding, the answer is the text.
///   Claude Opus/Sonnet/Haiku 4.5 and later have it; it combines with tools and thinking.
/// - `answerTool`: the documented forced-tool technique for every other model and for
///   `json_object` (native outputs need a schema that closes every object): one tool whose
///   `input_schema` is the schema, `tool_choice` forcing it; the stream decoder turns that
///   tool's input into the answer's text and its `tool_use` stop into `stop`. Anthropic
///   forbids a forced tool with thinking, and it would leave the model no way to call the
///   client's own tools, so those combinations are refused.
enum AnthropicStructuredOutput: Equatable {
    case native(schema: JSONValue)
    case answerTool(name: String, description: String?, schema: JSONValue)

    static let provider = "anthropic"

    /// nil for no structured output (or plain text).
    static func plan(_ request: ChatRequest, model: String) throws(GatewayError) -> AnthropicStructuredOutput? {
        let plan: AnthropicStructuredOutput
        switch request.responseFormat {
        case nil, .text?: return nil
        case .jsonObject?:
            plan = .answerTool(
                name: "json_object", description: "Give the answer as a JSON object.",
                schema: ["type": "object"])
        case .jsonSchema(let format)?:
            if supportsNative(model: model) {
                return .native(schema: format.schema)
            }
            guard format.schema["type"]?.stringValue == "object" else {
                throw .unsupported(
                    "response_format.json_schema.schema", provider: provider,
                    "\(model) takes a schema through a tool, whose input must be an object "
                        + "(\"type\": \"object\" at the top)")
            }
            plan = .answerTool(name: format.name, description: format.description, schema: format.schema)
        }
        let technique = "\(model) gets this response_format as a forced tool"
        if !request.tools.isEmpty || !request.providerTools.isEmpty {
            throw .unsupported(
                "response_format", provider: provider,
                "\(technique), which leaves no room for other tools (Claude 4.5 and later take a "
                    + "json_schema natively, with tools)")
        }
        if request.thinking != nil {
            throw .unsupported(
                "response_format", provider: provider,
                "\(technique), which Anthropic does not allow with thinking (Claude 4.5 and later "
                    + "take a json_schema natively, with thinking)")
        }
        return plan
    }

    /// The name of the tool whose input is the answer, when the plan uses one.
    static func answerToolName(_ request: ChatRequest, model: String) -> String? {
        guard case .answerTool(let name, _, _)? = try? plan(request, model: model) else { return nil }
        return name
    }

    /// Claude Opus, Sonnet and Haiku from 4.5 on (`claude-sonnet-4-5`, `claude-opus-4-6-…`,
    /// `claude-haiku-4-5-20251001`); older ids (`claude-3-7-sonnet-…`, `claude-sonnet-4-2025…`,
    /// `claude-opus-4-1`) and ids of other shapes do not have native structured outputs.
    static func supportsNative(model: String) -> Bool {
        let parts = model.split(separator: "-")
        guard parts.count >= 3, parts[0] == "claude", ["opus", "sonnet", "haiku"].contains(parts[1]),
            parts[2].count <= 2, let major = Int(parts[2])
        else { return false }
        // The part after the major version is a minor version (1-2 digits) or a date (8 digits).
        var minor = 0
        if parts.count > 3, parts[3].count <= 2, let m = Int(parts[3]) { minor = m }
        return major > 4 || major == 4 && minor >= 5
    }

    /// Puts the plan into the Messages body.
    func apply(to body: inout JSONObject) {
        switch self {
        case .native(let schema):
            body["output_config"] = ["format": .object(JSONObject([("type", "json_schema"), ("schema", schema)]))]
        case .answerTool(let name, let description, let schema):
            var tool = JSONObject([("name", .string(name))])
            if let description { tool["description"] = .string(description) }
            tool["input_schema"] = schema
            body["tools"] = [.object(tool)]
            body["tool_choice"] = .object(
                JSONObject([
                    ("type", "tool"), ("name", .string(name)),
                    ("disable_parallel_tool_use", true),
                ]))
        }
    }
}
