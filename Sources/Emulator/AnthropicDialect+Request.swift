import HTTPServer
import HTTPTypes
import JSON

/// The Messages API's checks of structured output (`output_config.format`, the older
/// `output_format`), `tool_choice` and `metadata`, worded as Anthropic words them; the schema
/// a native structured-output answer follows; and the answer to a forced `tool_choice`.
extension AnthropicDialect {
    func malformed(_ request: ScenarioRequest) -> Reply? {
        guard let body = request.body, let problem = Self.problem(body) else { return nil }
        var headers = HTTPHeaders()
        headers.add("request-id", "req_mock_error")
        return .json(400, Self.errorBody(type: "invalid_request_error", message: problem), headers: headers)
    }

    func answerSchema(_ request: ScenarioRequest) -> JSONValue? {
        (request.body?["output_config"]?["format"] ?? request.body?["output_format"])?["schema"]
    }

    /// With `tool_choice` `{"type":"tool","name":…}` the answer is one call of that tool, its
    /// input a minimal instance of the tool's `input_schema`.
    func forcedToolAnswer(_ request: ScenarioRequest) -> Block? {
        guard let choice = request.body?["tool_choice"], choice["type"]?.stringValue == "tool",
            let name = choice["name"]?.stringValue,
            let tool = request.body?["tools"]?.arrayValue?.first(where: { $0["name"]?.stringValue == name })
        else {
            return nil
        }
        let input = SchemaInstance.minimal(tool["input_schema"] ?? ["type": "object"])
        return .toolUse(id: "toolu_mock\(request.serial)_0", name: name, arguments: input.serialized())
    }

    private static func extra(_ path: String) -> String { "\(path): Extra inputs are not permitted" }

    private static func problem(_ body: JSONValue) -> String? {
        if let problem = formatProblem(body["output_config"]?["format"], at: "output_config.format")
            ?? formatProblem(body["output_format"], at: "output_format")
        {
            return problem
        }
        if case .object(let config)? = body["output_config"] {
            for key in config.keys where key != "format" && key != "effort" { return extra("output_config.\(key)") }
        }
        if case .object(let metadata)? = body["metadata"] {
            for key in metadata.keys where key != "user_id" { return extra("metadata.\(key)") }
            if let user = metadata["user_id"], !user.isNull, user.stringValue == nil {
                return "metadata.user_id: Input should be a valid string"
            }
        }
        return toolChoiceProblem(body)
    }

    private static func formatProblem(_ format: JSONValue?, at path: String) -> String? {
        guard let format, !format.isNull else { return nil }
        guard case .object(let o) = format else { return "\(path): Input should be an object" }
        guard o["type"]?.stringValue == "json_schema" else {
            return "\(path).type: Input should be 'json_schema'"
        }
        guard let schema = o["schema"] else { return "\(path).schema: Field required" }
        guard schema.objectValue != nil else { return "\(path).schema: Input should be a valid dictionary" }
        for key in o.keys where key != "type" && key != "schema" { return extra("\(path).\(key)") }
        return nil
    }

    private static func toolChoiceProblem(_ body: JSONValue) -> String? {
        guard let choice = body["tool_choice"], !choice.isNull else { return nil }
        let type = choice["type"]?.stringValue ?? ""
        let allowed: Set<String> =
            switch type {
            case "auto", "any": ["type", "disable_parallel_tool_use"]
            case "tool": ["type", "name", "disable_parallel_tool_use"]
            case "none": ["type"]
            default: []
            }
        if allowed.isEmpty {
            return "tool_choice: Input tag '\(type)' found using 'type' does not match any of the expected tags: "
                + "'auto', 'any', 'tool', 'none'"
        }
        for key in choice.objectValue?.keys ?? [] where !allowed.contains(key) {
            return extra("tool_choice.\(type).\(key)")
        }
        if let flag = choice["disable_parallel_tool_use"], flag.boolValue == nil {
            return "tool_choice.\(type).disable_parallel_tool_use: Input should be a valid boolean"
        }
        if type == "tool" {
            guard let name = choice["name"]?.stringValue else { return "tool_choice.tool.name: Field required" }
            let declared = body["tools"]?.arrayValue?.contains { $0["name"]?.stringValue == name } ?? false
            if !declared { return "tool_choice: Tool '\(name)' not found in provided tools" }
        }
        if (type == "tool" || type == "any"), body["thinking"]?["type"]?.stringValue == "enabled" {
            return "Thinking may not be enabled when tool_choice forces tool use."
        }
        return nil
    }
}
