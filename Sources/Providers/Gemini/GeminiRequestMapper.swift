import ChatModel
import JSON

/// Unified request → `generateContent` body.
enum GeminiRequestMapper {
    /// `cached`: the name of a cachedContents entry holding the first `messageCount`
    /// messages, the system instruction and the tools; the body then carries only the rest.
    static func body(_ request: ChatRequest, cached: (name: String, messageCount: Int)? = nil) throws(GatewayError)
        -> JSONObject
    {
        var body = JSONObject()
        if let cached {
            body["cachedContent"] = .string(cached.name)
            body["contents"] = .array(try contents(request, from: cached.messageCount))
        } else {
            if let system = request.systemText {
                body["systemInstruction"] = ["parts": [["text": .string(system)]]]
            }
            body["contents"] = .array(try contents(request, from: 0))
        }
        if !request.tools.isEmpty, cached == nil {
            body["tools"] = [
                [
                    "functionDeclarations": .array(
                        request.tools.map { tool in
                            var o = JSONObject([("name", .string(tool.name))])
                            if let d = tool.description { o["description"] = .string(d) }
                            o["parameters"] = GeminiSchema.clean(tool.parameters)
                            return .object(o)
                        })
                ]
            ]
        }
        switch cached == nil ? request.toolChoice : nil {
        case .auto?: body["toolConfig"] = ["functionCallingConfig": ["mode": "AUTO"]]
        case .none?: body["toolConfig"] = ["functionCallingConfig": ["mode": "NONE"]]
        case .required?: body["toolConfig"] = ["functionCallingConfig": ["mode": "ANY"]]
        case .tool(let name)?:
            body["toolConfig"] = ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": [.string(name)]]]
        case nil: break
        }
        if cached == nil { strictTools(request, into: &body) }
        var generation = JSONObject()
        if let m = request.maxTokens { generation["maxOutputTokens"] = .int(m) }
        if let t = request.temperature { generation["temperature"] = .double(t) }
        if let p = request.topP { generation["topP"] = .double(p) }
        if !request.stop.isEmpty { generation["stopSequences"] = .array(request.stop.map { .string($0) }) }
        if let thinking = request.thinking {
            let budget: Int =
                switch thinking {
                case .budget(let b): b
                case .effort(.low): 1024
                case .effort(.medium): 8192
                case .effort(.high): 24576
                }
            generation["thinkingConfig"] = .object(
                JSONObject([("thinkingBudget", .int(budget)), ("includeThoughts", true)]))
        }
        try options(request, into: &generation)
        if !generation.isEmpty { body["generationConfig"] = .object(generation) }
        for (key, value) in request.providerOptions["gemini"] ?? JSONObject() { body[key] = value }
        return body
    }

    /// Roles `user`/`model`; tool results are `functionResponse` parts in a user turn, named
    /// after the call they answer (looked up by id), consecutive ones merged. A signature goes
    /// back as `thoughtSignature` on the same part; a thinking part's signature rides on the
    /// part that follows it (that is where a streaming client's accumulated signature belongs).
    /// Gemini's own signature bytes; another provider's are dropped.
    private static func own(_ signature: String) -> String? { SignatureTag.untag(signature, for: "gemini") }

    /// Contents for messages from `start` on; call names are learned from every message, so a
    /// tool result can answer a call that lives in a cached prefix.
    private static func contents(_ request: ChatRequest, from start: Int) throws(GatewayError) -> [JSONValue] {
        var names: [String: String] = [:]
        for message in request.messages {
            for case .toolCall(let call) in message.content { names[call.id] = call.name }
        }
        var out: [(role: String, parts: [JSONValue])] = []
        for (index, message) in request.messages.enumerated() where message.role != .system && index >= start {
            var parts: [JSONValue] = []
            switch message.role {
            case .tool:
                let id = message.toolCallId ?? ""
                guard let name = names[id] else {
                    throw GatewayError.invalidRequest(
                        "messages[\(index)].tool_call_id: no earlier assistant tool_call has id \"\(id)\"",
                        param: "messages[\(index)].tool_call_id")
                }
                let text = message.text
                var response: JSONValue
                if case .object(let o)? = try? JSONValue.parse(text) {
                    response = .object(o)
                } else {
                    response = ["result": .string(text)]
                }
                if message.isError { response = ["error": .string(text)] }
                parts = [["functionResponse": .object(JSONObject([("name", .string(name)), ("response", response)]))]]
            default:
                var pendingSignature: String?
                for part in message.content {
                    switch part {
                    case .text(let t):
                        var o = JSONObject([("text", .string(t.text))])
                        if let s = (t.signature ?? pendingSignature).flatMap(own) { o["thoughtSignature"] = .string(s) }
                        pendingSignature = nil
                        parts.append(.object(o))
                    case .image(let image):
                        if let url = image.url {
                            parts.append([
                                "fileData": .object(
                                    JSONObject([
                                        ("mimeType", .string(image.mediaType ?? "image/png")),
                                        ("fileUri", .string(url)),
                                    ]))
                            ])
                        } else {
                            parts.append([
                                "inlineData": .object(
                                    JSONObject([
                                        ("mimeType", .string(image.mediaType ?? "image/png")),
                                        ("data", .string(image.data ?? "")),
                                    ]))
                            ])
                        }
                    case .thinking(let t):
                        // Thought summaries are not sent back; their signature is.
                        if let s = t.signature { pendingSignature = s }
                    case .toolCall(let call):
                        names[call.id] = call.name
                        var o = JSONObject([
                            (
                                "functionCall",
                                .object(JSONObject([("name", .string(call.name)), ("args", call.arguments)]))
                            )
                        ])
                        if let s = (call.signature ?? pendingSignature).flatMap(own) {
                            o["thoughtSignature"] = .string(s)
                        }
                        pendingSignature = nil
                        parts.append(.object(o))
                    case .serverTool:
                        // Another provider's server tool: its result text stays in the text parts.
                        break
                    }
                }
            }
            if parts.isEmpty { continue }
            let role = message.role == .assistant ? "model" : "user"
            if let last = out.last, last.role == role,
                message.role == .tool || last.parts.allSatisfy({ $0["functionResponse"] != nil })
            {
                out[out.count - 1].parts += parts
            } else {
                out.append((role, parts))
            }
        }
        return out.map { .object(JSONObject([("role", .string($0.role)), ("parts", .array($0.parts))])) }
    }
}

/// JSON Schema → the OpenAPI subset Gemini's `parameters` accepts: keywords it rejects are
/// removed (`$schema`, `additionalProperties`, `$ref`/`$defs`, …), `const` becomes a
/// one-value `enum`, and `type: [T, "null"]` becomes `type: T, nullable: true`.
enum GeminiSchema {
    static let dropped: Set<String> = [
        "$schema", "$id", "$ref", "$defs", "definitions", "additionalProperties",
        "patternProperties", "unevaluatedProperties", "examples", "default", "$comment",
        "dependentRequired", "dependentSchemas", "if", "then", "else", "not", "contentMediaType",
    ]

    static func clean(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .object(let o):
            var out = JSONObject()
            for (key, value) in o where !dropped.contains(key) {
                switch key {
                case "properties":
                    if case .object(let props) = value {
                        out[key] = .object(JSONObject(props.entries.map { ($0.key, clean($0.value)) }))
                    }
                case "const":
                    out["enum"] = [value]
                case "type":
                    if case .array(let types) = value {
                        let real = types.filter { $0 != "null" }
                        out["type"] = real.first ?? "string"
                        if real.count < types.count { out["nullable"] = true }
                    } else {
                        out["type"] = value
                    }
                default:
                    out[key] = clean(value)
                }
            }
            return .object(out)
        case .array(let items):
            return .array(items.map(clean))
        default:
            return schema
        }
    }
}
