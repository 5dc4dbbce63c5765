import ChatModel
import JSON

/// Responses API `tools` and `tool_choice`. Function tools (flat: `{"type":"function","name",
/// "description","parameters","strict"}`) map to unified tools; OpenAI's built-in tools run
/// only inside OpenAI's own Responses service, so each is refused by name.
enum ResponsesTools {
    static let builtIn: Set<String> = [
        "web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11", "file_search",
        "computer_use", "computer_use_preview", "code_interpreter", "mcp", "image_generation", "local_shell",
        "shell", "apply_patch", "custom",
    ]

    static func tools(_ raw: JSONValue?) throws(GatewayError) -> [Tool] {
        guard let raw, !raw.isNull else { return [] }
        var tools: [Tool] = []
        for (i, item) in try FieldReader.array(raw, at: "tools").enumerated() {
            let path = "tools[\(i)]"
            let object = try FieldReader.object(item, at: path)
            let type = try DoorFields.string(object, "type", at: path, required: true)!
            guard type == "function" else {
                let what = builtIn.contains(type) ? "the built-in tool \(type)" : "tool type \(type)"
                throw DoorFields.refused("\(path).type", "\(what) is not supported; only function tools are")
            }
            try DoorFields.rejectUnknown(
                object, allowed: ["type", "name", "description", "parameters", "strict"], at: path)
            let name = try DoorFields.string(object, "name", at: path, required: true)!
            try DoorFields.checkToolName(name, existing: tools, at: "\(path).name")
            var tool = Tool(name: name, description: try DoorFields.string(object, "description", at: path))
            if let parameters = object["parameters"], !parameters.isNull {
                tool.parameters = .object(try FieldReader.object(parameters, at: "\(path).parameters"))
            }
            tool.strict = try DoorFields.bool(object, "strict", at: path)
            tools.append(tool)
        }
        return tools
    }

    static func choice(_ raw: JSONValue?) throws(GatewayError) -> ToolChoice? {
        switch raw {
        case nil, .null?: return nil
        case "auto"?: return .auto
        case "none"?: return ToolChoice.none
        case "required"?: return .required
        case .object(let object)?:
            let type = try DoorFields.string(object, "type", at: "tool_choice", required: true)!
            guard type == "function" else {
                throw DoorFields.refused("tool_choice.type", "only function tool choices are supported (got \(type))")
            }
            try DoorFields.rejectUnknown(object, allowed: ["type", "name"], at: "tool_choice")
            return .tool(try DoorFields.string(object, "name", at: "tool_choice", required: true)!)
        case let other?:
            throw .invalidRequest(
                "tool_choice: expected auto, none, required or {\"type\":\"function\",\"name\"}, got \(other.kindName)",
                param: "tool_choice")
        }
    }
}
