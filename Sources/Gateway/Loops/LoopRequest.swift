import ChatModel
import JSON

/// `POST /v1/loops`: the unified request plus the loop's own two settings (SPEC §6).
struct LoopRequest: Sendable {
    var chat: ChatRequest
    var maxSteps: Int
    var toolTimeoutSeconds: Double

    static let defaultMaxSteps = 8
    static let defaultToolTimeoutSeconds = 300.0

    static func decode(_ json: JSONValue) throws(GatewayError) -> LoopRequest {
        let chat = try ChatRequest.decode(json, extraKeys: ["max_steps", "tool_timeout_s"])
        guard chat.stream else {
            throw .invalidRequest(
                "stream: a loop is one stream over every turn; omit stream or set it to true", param: "stream")
        }
        var maxSteps = defaultMaxSteps
        if let raw = json["max_steps"], !raw.isNull {
            maxSteps = try FieldReader.int(raw, at: "max_steps", range: AllowedRanges.loopMaxSteps)
        }
        let timeout = try FieldReader.number(
            json["tool_timeout_s"], at: "tool_timeout_s",
            range: AllowedRanges.toolTimeoutSeconds)
        return LoopRequest(chat: chat, maxSteps: maxSteps, toolTimeoutSeconds: timeout ?? defaultToolTimeoutSeconds)
    }
}

/// One entry of `POST /v1/loops/{id}/tool_results`.
struct ToolResult: Sendable, Equatable {
    var toolCallId: String
    /// What the tool returned, as text (a JSON value other than a string is sent as its JSON text).
    var content: String
    var isError: Bool

    /// `{"results": [{"tool_call_id","content","is_error"}]}`, strictly.
    static func decodeList(_ json: JSONValue) throws(GatewayError) -> [ToolResult] {
        let top = try FieldReader.object(json, at: "")
        try FieldReader.rejectUnknown(top, allowed: ["results"], at: "")
        guard let raw = top["results"] else { throw .invalidRequest("results: required", param: "results") }
        let list = try FieldReader.array(raw, at: "results")
        guard !list.isEmpty else { throw .invalidRequest("results: must not be empty", param: "results") }
        var results: [ToolResult] = []
        for (i, item) in list.enumerated() {
            let path = "results[\(i)]"
            let object = try FieldReader.object(item, at: path)
            try FieldReader.rejectUnknown(object, allowed: ["tool_call_id", "content", "is_error"], at: path)
            let id = try FieldReader.string(object["tool_call_id"], at: "\(path).tool_call_id", required: true)!
            guard !id.isEmpty else {
                throw .invalidRequest("\(path).tool_call_id: must not be empty", param: "\(path).tool_call_id")
            }
            let content: String
            switch object["content"] {
            case .string(let s)?: content = s
            case nil, .null?: content = ""
            case let other?: content = other.serialized()
            }
            var isError = false
            if let flag = object["is_error"], !flag.isNull {
                isError = try FieldReader.bool(flag, at: "\(path).is_error")
            }
            results.append(ToolResult(toolCallId: id, content: content, isError: isError))
        }
        return results
    }
}
