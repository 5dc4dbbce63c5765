import ChatModel
import JSON

/// Reasoning and signatures sent back on the OpenAI door (README "Thinking signatures on the
/// OpenAI door"). Accepted on assistant messages, first found wins, as they carry the same
/// reasoning: `reasoning_details` (`reasoning.text` with `signature`, `reasoning.encrypted`
/// with `data`, `reasoning.summary`), LiteLLM's `thinking_blocks` (`thinking` with
/// `signature`, `redacted_thinking` with `data`), and plain `reasoning_content`/`reasoning`
/// text (no signature: providers that need one drop it). On tool calls:
/// `extra_content.google.thought_signature`. Signatures stay in the gateway's tagged form.
enum OpenAIReasoningTranslator {
    /// The thinking parts that open an assistant message.
    static func thinking(_ message: JSONObject, at path: String) throws(GatewayError) -> [ContentPart] {
        if let details = message["reasoning_details"], !details.isNull {
            return try reasoningDetails(details, at: "\(path).reasoning_details")
        }
        if let blocks = message["thinking_blocks"], !blocks.isNull {
            return try thinkingBlocks(blocks, at: "\(path).thinking_blocks")
        }
        for key in ["reasoning_content", "reasoning"] {
            if let text = try DoorFields.string(message, key, at: path), !text.isEmpty {
                return [.thinking(ThinkingPart(text: text))]
            }
        }
        return []
    }

    private static func reasoningDetails(_ raw: JSONValue, at path: String) throws(GatewayError) -> [ContentPart] {
        var out: [ContentPart] = []
        for (i, item) in try FieldReader.array(raw, at: path).enumerated() {
            let at = "\(path)[\(i)]"
            let entry = try FieldReader.object(item, at: at)
            try DoorFields.rejectUnknown(
                entry,
                allowed: [
                    "type", "text", "signature", "data", "summary", "format",
                    "index", "id",
                ], at: at)
            _ = try DoorFields.string(entry, "format", at: at)
            _ = try DoorFields.string(entry, "id", at: at)
            switch try DoorFields.string(entry, "type", at: at, required: true)! {
            case "reasoning.text":
                out.append(
                    .thinking(
                        ThinkingPart(
                            text: try DoorFields.string(entry, "text", at: at) ?? "",
                            signature: try DoorFields.string(entry, "signature", at: at))))
            case "reasoning.encrypted":
                let data = try DoorFields.string(entry, "data", at: at, required: true)!
                out.append(.thinking(ThinkingPart(redacted: data)))
            case "reasoning.summary":
                let summary = try DoorFields.string(entry, "summary", at: at, required: true)!
                out.append(.thinking(ThinkingPart(text: summary)))
            case let type:
                throw .invalidRequest(
                    "\(at).type: unknown reasoning type \"\(type)\" (reasoning.text, "
                        + "reasoning.encrypted, reasoning.summary)", param: "\(at).type")
            }
        }
        return out
    }

    private static func thinkingBlocks(_ raw: JSONValue, at path: String) throws(GatewayError) -> [ContentPart] {
        var out: [ContentPart] = []
        for (i, item) in try FieldReader.array(raw, at: path).enumerated() {
            let at = "\(path)[\(i)]"
            let block = try FieldReader.object(item, at: at)
            switch try DoorFields.string(block, "type", at: at, required: true)! {
            case "thinking":
                try DoorFields.rejectUnknown(block, allowed: ["type", "thinking", "signature"], at: at)
                out.append(
                    .thinking(
                        ThinkingPart(
                            text: try DoorFields.string(block, "thinking", at: at) ?? "",
                            signature: try DoorFields.string(block, "signature", at: at))))
            case "redacted_thinking":
                try DoorFields.rejectUnknown(block, allowed: ["type", "data"], at: at)
                let data = try DoorFields.string(block, "data", at: at, required: true)!
                out.append(.thinking(ThinkingPart(redacted: data)))
            case let type:
                throw .invalidRequest(
                    "\(at).type: unknown block type \"\(type)\" (thinking, redacted_thinking)",
                    param: "\(at).type")
            }
        }
        return out
    }

    /// `{"google":{"thought_signature":"…"}}` on a tool call.
    static func thoughtSignature(_ raw: JSONValue?, at path: String) throws(GatewayError) -> String? {
        guard let raw, !raw.isNull else { return nil }
        let extra = try FieldReader.object(raw, at: path)
        try DoorFields.rejectUnknown(extra, allowed: ["google"], at: path)
        guard let google = extra["google"], !google.isNull else { return nil }
        let inner = try FieldReader.object(google, at: "\(path).google")
        try DoorFields.rejectUnknown(inner, allowed: ["thought_signature"], at: "\(path).google")
        return try DoorFields.string(inner, "thought_signature", at: "\(path).google")
    }
}
