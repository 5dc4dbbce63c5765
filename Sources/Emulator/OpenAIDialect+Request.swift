import JSON

/// Chat Completions' checks of the generation options, worded as OpenAI words them, and the
/// schema a `response_format` asks the answer to follow.
extension OpenAIDialect {
    func malformed(_ request: ScenarioRequest) -> Reply? {
        guard let body = request.body else { return nil }
        if let problem = Self.responseFormatProblem(body) ?? Self.optionProblem(body) {
            return .json(400, Self.invalid(problem.message, param: problem.param, code: problem.code))
        }
        return nil
    }

    func answerSchema(_ request: ScenarioRequest) -> JSONValue? {
        switch request.body?["response_format"]?["type"]?.stringValue {
        case "json_schema"?: return request.body?["response_format"]?["json_schema"]?["schema"] ?? [:]
        case "json_object"?: return AnswerSchema.anyObject
        default: return nil
        }
    }

    struct Problem {
        var message: String
        var param: String?
        var code: String?
    }

    static func invalid(_ message: String, param: String?, code: String?) -> [UInt8] {
        let body: JSONValue = [
            "error": [
                "message": .string(message), "type": "invalid_request_error",
                "param": param.map { .string($0) } ?? .null,
                "code": code.map { .string($0) } ?? .null,
            ]
        ]
        return JSONStyle.pretty.bytes(body, trailingNewline: true)
    }

    private static func missing(_ param: String) -> Problem {
        Problem(message: "Missing required parameter: '\(param)'.", param: param, code: "missing_required_parameter")
    }

    private static func wrongType(_ param: String, _ expected: String, _ got: JSONValue) -> Problem {
        Problem(
            message: "Invalid type for '\(param)': expected \(expected), but got \(got.kindName) instead.",
            param: param, code: "invalid_type")
    }

    private static func responseFormatProblem(_ body: JSONValue) -> Problem? {
        guard let format = body["response_format"], !format.isNull else { return nil }
        guard case .object(let o) = format else { return wrongType("response_format", "an object", format) }
        guard let type = o["type"]?.stringValue else { return missing("response_format.type") }
        switch type {
        case "text": return nil
        case "json_object":
            // OpenAI's own rule: the conversation must mention JSON.
            let mentions = body["messages"]?.serialized().lowercased().contains("json") ?? false
            return mentions
                ? nil
                : Problem(
                    message: "'messages' must contain the word 'json' in some form, to use "
                        + "'response_format' of type 'json_object'.", param: "messages", code: nil)
        case "json_schema":
            guard case .object(let inner)? = o["json_schema"] else { return missing("response_format.json_schema") }
            guard let name = inner["name"] else { return missing("response_format.json_schema.name") }
            guard case .string(let text) = name else {
                return wrongType("response_format.json_schema.name", "a string", name)
            }
            let valid =
                !text.isEmpty && text.utf8.count <= 64
                && text.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                        || $0 == "_" || $0 == "-"
                }
            if !valid {
                return Problem(
                    message: "Invalid 'response_format.json_schema.name': string does not match pattern. "
                        + "Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                    param: "response_format.json_schema.name", code: "invalid_value")
            }
            if let schema = inner["schema"], schema.objectValue == nil {
                return wrongType("response_format.json_schema.schema", "an object", schema)
            }
            if let strict = inner["strict"], !strict.isNull, strict.boolValue == nil {
                return wrongType("response_format.json_schema.strict", "a boolean", strict)
            }
            for key in inner.keys where !["name", "description", "schema", "strict"].contains(key) {
                return Problem(
                    message: "Unrecognized request argument supplied: response_format.json_schema.\(key)",
                    param: nil, code: nil)
            }
            return nil
        default:
            return Problem(
                message: "Invalid value: '\(type)'. Supported values are: 'text', 'json_object', and "
                    + "'json_schema'.", param: "response_format.type", code: "invalid_value")
        }
    }

    private static func optionProblem(_ body: JSONValue) -> Problem? {
        if let seed = body["seed"], !seed.isNull, seed.intValue == nil { return wrongType("seed", "an integer", seed) }
        for key in ["logprobs", "parallel_tool_calls"] {
            if let flag = body[key], !flag.isNull, flag.boolValue == nil { return wrongType(key, "a boolean", flag) }
        }
        if let top = body["top_logprobs"], !top.isNull {
            guard let n = top.intValue else { return wrongType("top_logprobs", "an integer", top) }
            if !(0...20).contains(n) {
                return Problem(
                    message: "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, "
                        + "but got \(n) instead.", param: "top_logprobs", code: "integer_above_max_value")
            }
            if body["logprobs"]?.boolValue != true {
                return Problem(
                    message: "Invalid value for 'top_logprobs': logprobs must be set to true.",
                    param: "top_logprobs", code: nil)
            }
        }
        for key in ["presence_penalty", "frequency_penalty"] {
            if let value = body[key], !value.isNull {
                guard let d = value.doubleValue else { return wrongType(key, "a number", value) }
                if !(-2...2).contains(d) {
                    return Problem(
                        message: "Invalid '\(key)': number must be between -2 and 2.", param: key,
                        code: "invalid_value")
                }
            }
        }
        if body["parallel_tool_calls"] != nil, (body["tools"]?.arrayValue ?? []).isEmpty {
            return Problem(
                message: "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed "
                    + "when 'tools' are specified.", param: "parallel_tool_calls", code: nil)
        }
        if let user = body["user"], !user.isNull, user.stringValue == nil { return wrongType("user", "a string", user) }
        return nil
    }
}
