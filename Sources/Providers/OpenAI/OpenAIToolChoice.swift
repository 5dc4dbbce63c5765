import ChatModel
import JSON

/// Chat Completions' `tool_choice` ↔ the unified tool choice, one table both ways: the request
/// mapper writes it for OpenAI, the door reads it from OpenAI's clients.
enum OpenAIToolChoice {
    /// The string choices; a forced tool is `{"type":"function","function":{"name"}}`.
    static let words: [(word: String, choice: ToolChoice)] = [
        ("auto", .auto), ("none", .none), ("required", .required),
    ]

    static func wire(_ choice: ToolChoice) -> JSONValue {
        guard case .tool(let name) = choice else { return .string(words.first { $0.choice == choice }?.word ?? "auto") }
        return .object(
            JSONObject([("type", "function"), ("function", .object(JSONObject([("name", .string(name))])))]))
    }

    /// A client's `tool_choice`; anything else is a 400 naming the field.
    static func unified(_ raw: JSONValue?) throws(GatewayError) -> ToolChoice? {
        switch raw {
        case nil, .null?: return nil
        case .string(let word)?:
            if let choice = words.first(where: { $0.word == word })?.choice { return choice }
        case .object(let o)?:
            let type = try DoorFields.string(o, "type", at: "tool_choice", required: true)!
            guard type == "function" else {
                throw DoorFields.refused("tool_choice.type", "only function choices are supported (got \(type))")
            }
            try DoorFields.rejectUnknown(o, allowed: ["type", "function"], at: "tool_choice")
            guard let function = o["function"] else {
                throw .invalidRequest("tool_choice.function: required", param: "tool_choice.function")
            }
            let inner = try FieldReader.object(function, at: "tool_choice.function")
            try DoorFields.rejectUnknown(inner, allowed: ["name"], at: "tool_choice.function")
            return .tool(try DoorFields.string(inner, "name", at: "tool_choice.function", required: true)!)
        default: break
        }
        throw .invalidRequest(
            "tool_choice: expected \"auto\", \"none\", \"required\" or a function choice",
            param: "tool_choice")
    }
}
