import ChatModel
import JSON

/// Responses API input items → unified messages. Item kinds: `message` (roles `user`,
/// `system`, `developer`, `assistant`; parts `input_text`, `input_image`, `output_text`,
/// `refusal`), `function_call`, `function_call_output` and `reasoning` (its summaries, and
/// `encrypted_content`: the gateway's tagged signature, or `anthropic-redacted:` data).
///
/// Consecutive assistant-side items (reasoning, assistant messages, function calls) form one
/// assistant turn, as the providers need parallel calls and their thinking in one message.
enum ResponsesInputTranslator {
    /// The prefix that marks a redacted Anthropic thinking block in `encrypted_content`.
    static let redactedPrefix = "anthropic-redacted:"

    /// `input` as the client sent it → its items (a string is one user message).
    static func items(_ raw: JSONValue?) throws(GatewayError) -> [JSONValue] {
        switch raw {
        case nil, .null?: throw .invalidRequest("input: required", param: "input")
        case .string(let text)?:
            return [
                [
                    "type": "message", "role": "user",
                    "content": [["type": "input_text", "text": .string(text)]],
                ]
            ]
        case .array(let items)?: return items
        case let other?:
            throw .invalidRequest(
                "input: expected a string or an array of items, got \(other.kindName)",
                param: "input")
        }
    }

    /// The items → messages. `paths[i]` names item `i` in a 400 (stored items have no path
    /// of the client's, they are named by the response they came from).
    static func messages(_ items: [JSONValue], paths: [String]) throws(GatewayError) -> [Message] {
        var messages: [Message] = []
        var assistant: [ContentPart] = []
        func flushAssistant() {
            if !assistant.isEmpty { messages.append(Message(role: .assistant, content: assistant)) }
            assistant = []
        }
        for (item, path) in zip(items, paths) {
            let object = try FieldReader.object(item, at: path)
            let type = try DoorFields.string(object, "type", at: path) ?? "message"
            switch type {
            case "message":
                let role = try DoorFields.string(object, "role", at: path, required: true)!
                try DoorFields.rejectUnknown(object, allowed: ["type", "role", "content", "id", "status"], at: path)
                if role == "assistant" {
                    assistant.append(contentsOf: try content(object["content"], role: role, at: "\(path).content"))
                    continue
                }
                flushAssistant()
                let unified: Role
                switch role {
                case "user": unified = .user
                case "system", "developer": unified = .system
                default:
                    throw .invalidRequest(
                        "\(path).role: unknown role \"\(role)\" (user, system, developer, assistant)",
                        param: "\(path).role")
                }
                messages.append(
                    Message(role: unified, content: try content(object["content"], role: role, at: "\(path).content")))
            case "function_call":
                try DoorFields.rejectUnknown(
                    object, allowed: ["type", "call_id", "name", "arguments", "id", "status"], at: path)
                assistant.append(.toolCall(try functionCall(object, at: path)))
            case "reasoning":
                try DoorFields.rejectUnknown(
                    object, allowed: ["type", "id", "summary", "encrypted_content", "content", "status"], at: path)
                assistant.append(.thinking(try reasoning(object, at: path)))
            case "function_call_output":
                flushAssistant()
                try DoorFields.rejectUnknown(object, allowed: ["type", "call_id", "output", "id", "status"], at: path)
                let callId = try DoorFields.string(object, "call_id", at: path, required: true)!
                let text = try outputText(object["output"], at: "\(path).output")
                messages.append(Message(role: .tool, content: [.text(TextPart(text: text))], toolCallId: callId))
            default:
                throw DoorFields.refused(
                    "\(path).type",
                    "item type \"\(type)\" is not supported (message, function_call, function_call_output, reasoning)")
            }
        }
        flushAssistant()
        return messages
    }

    private static func content(_ raw: JSONValue?, role: String, at path: String) throws(GatewayError) -> [ContentPart]
    {
        switch raw {
        case .string(let s)?: return [.text(TextPart(text: s))]
        case .array(let parts)?:
            var out: [ContentPart] = []
            for (i, part) in parts.enumerated() {
                out.append(try contentPart(part, role: role, at: "\(path)[\(i)]"))
            }
            return out
        case nil, .null?: throw .invalidRequest("\(path): required", param: path)
        case let other?:
            throw .invalidRequest("\(path): expected a string or an array of parts, got \(other.kindName)", param: path)
        }
    }

    private static func contentPart(_ raw: JSONValue, role: String, at path: String) throws(GatewayError) -> ContentPart
    {
        let object = try FieldReader.object(raw, at: path)
        let type = try DoorFields.string(object, "type", at: path, required: true)!
        switch (type, role) {
        case ("input_text", _) where role != "assistant", ("output_text", "assistant"):
            // Annotations and logprobs describe an earlier answer; they are not sent back.
            try DoorFields.rejectUnknown(object, allowed: ["type", "text", "annotations", "logprobs"], at: path)
            return .text(TextPart(text: try DoorFields.string(object, "text", at: path, required: true)!))
        case ("refusal", "assistant"):
            try DoorFields.rejectUnknown(object, allowed: ["type", "refusal"], at: path)
            return .text(TextPart(text: try DoorFields.string(object, "refusal", at: path, required: true)!))
        case ("input_image", "user"):
            try DoorFields.rejectUnknown(object, allowed: ["type", "image_url", "detail", "file_id"], at: path)
            try DoorFields.refuseUnlessNeutral(
                object, "file_id", at: path, why: "uploaded files are not supported; send image_url")
            try DoorFields.refuseUnlessNeutral(
                object, "detail", at: path, neutral: ["auto"],
                why: "image detail has no equivalent at every provider")
            let url = try DoorFields.string(object, "image_url", at: path, required: true)!
            if let (media, data) = try DoorFields.dataURL(url, at: "\(path).image_url") {
                return .image(ImagePart(mediaType: media, data: data))
            }
            return .image(ImagePart(url: url))
        default:
            throw DoorFields.refused(
                "\(path).type",
                "part type \"\(type)\" is not supported in a \(role) message "
                    + "(input_text, input_image on user; output_text, refusal on assistant)")
        }
    }

    private static func functionCall(_ object: JSONObject, at path: String) throws(GatewayError) -> ToolCallPart {
        let callId = try DoorFields.string(object, "call_id", at: path, required: true)!
        let name = try DoorFields.string(object, "name", at: path, required: true)!
        let text = try DoorFields.string(object, "arguments", at: path, required: true)!
        guard let arguments = try? JSONValue.parse(text), arguments.objectValue != nil else {
            throw .invalidRequest("\(path).arguments: expected a JSON object in a string", param: "\(path).arguments")
        }
        return ToolCallPart(id: callId, name: name, arguments: arguments)
    }

    /// Summaries → thinking text; `encrypted_content` → the signature (or redacted data) the
    /// provider issued, byte-exact.
    private static func reasoning(_ object: JSONObject, at path: String) throws(GatewayError) -> ThinkingPart {
        var text = ""
        if let raw = object["summary"], !raw.isNull {
            for (i, entry) in try FieldReader.array(raw, at: "\(path).summary").enumerated() {
                let at = "\(path).summary[\(i)]"
                let summary = try FieldReader.object(entry, at: at)
                try DoorFields.rejectUnknown(summary, allowed: ["type", "text"], at: at)
                guard summary["type"] == "summary_text" else {
                    throw .invalidRequest("\(at).type: expected summary_text", param: "\(at).type")
                }
                text += try DoorFields.string(summary, "text", at: at, required: true)!
            }
        }
        // Reasoning content (the raw chain of thought) is OpenAI's to keep; summaries carry it back.
        if let raw = object["content"], !raw.isNull {
            _ = try FieldReader.array(raw, at: "\(path).content")
        }
        guard let encrypted = try DoorFields.string(object, "encrypted_content", at: path) else {
            return ThinkingPart(text: text)
        }
        if encrypted.hasPrefix(redactedPrefix) {
            return ThinkingPart(redacted: String(encrypted.dropFirst(redactedPrefix.count)))
        }
        return ThinkingPart(text: text, signature: encrypted)
    }

    /// A function's output: a string, or text parts.
    private static func outputText(_ raw: JSONValue?, at path: String) throws(GatewayError) -> String {
        switch raw {
        case .string(let s)?: return s
        case .array(let parts)?:
            var text = ""
            for (i, part) in parts.enumerated() {
                let at = "\(path)[\(i)]"
                let object = try FieldReader.object(part, at: at)
                guard object["type"] == "input_text" else {
                    throw DoorFields.refused("\(at).type", "only input_text parts are supported in a function output")
                }
                try DoorFields.rejectUnknown(object, allowed: ["type", "text"], at: at)
                text += try DoorFields.string(object, "text", at: at, required: true)!
            }
            return text
        case nil, .null?: throw .invalidRequest("\(path): required", param: path)
        case let other?:
            throw .invalidRequest("\(path): expected a string or an array of parts, got \(other.kindName)", param: path)
        }
    }
}
