import ChatModel
import JSON

/// The Chat Completions body written straight into bytes, with the answer side's writer
/// (`appendJSONString`): every request to OpenAI goes through here, and building it as a tree
/// first cost ~12k instructions of a small request. The text is `OpenAIRequestMapper.body`'s
/// byte for byte, key order included (`OpenAIRequestWriterTests` holds it to the tree):
///
/// `{"model","messages"[,"tools"][,"tool_choice"][,max tokens][,"temperature"][,"top_p"][,"stop"]
/// [,"reasoning_effort"][,options…][,"stream"[,"stream_options"]][,provider options…]}`
///
/// Provider options are appended as the tree appends them; one that replaces a field written
/// above (rare: `reasoning_effort` sent as is) would take that field's place, so such a
/// request is written from the tree instead.
enum OpenAIRequestWriter: RequestBodyWriter {
    static func bytes(
        _ request: ChatRequest, model: String, stream: Bool,
        compat: OpenAICompat = OpenAICompat()
    ) throws(GatewayError) -> [UInt8] {
        let extra = request.providerOptions["openai"]
        if let extra, extra.entries.contains(where: { replacesWrittenField($0.key) }) {
            var body: [UInt8] = []
            JSONValue.object(try OpenAIRequestMapper.body(request, model: model, stream: stream, compat: compat))
                .write(into: &body)
            return body
        }
        try ProviderFields.refuseForeignTools(request, provider: "openai")
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: #"{"model":"#.utf8)
        appendJSONString(model, to: &out)
        out.append(contentsOf: #","messages":["#.utf8)
        var first = true
        for message in request.messages {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            write(message, into: &out)
        }
        out.append(UInt8(ascii: "]"))
        if !request.tools.isEmpty { tools(request.tools, into: &out) }
        if let choice = request.toolChoice { member("tool_choice", OpenAIToolChoice.wire(choice), into: &out) }
        if let m = request.maxTokens {
            switch compat.maxTokensField {
            case .maxCompletionTokens: int("max_completion_tokens", m, into: &out)
            case .maxTokens: int("max_tokens", m, into: &out)
            }
        }
        if let t = request.temperature { member("temperature", .double(t), into: &out) }
        if let p = request.topP { member("top_p", .double(p), into: &out) }
        if !request.stop.isEmpty { strings("stop", request.stop, into: &out) }
        if let thinking = request.thinking {
            out.append(contentsOf: #","reasoning_effort":"#.utf8)
            appendJSONString(OpenAIReasoningEffort.wire(thinking), to: &out)
        }
        options(request, into: &out)
        if stream {
            out.append(contentsOf: #","stream":true"#.utf8)
            if compat.streamOptions { out.append(contentsOf: #","stream_options":{"include_usage":true}"#.utf8) }
        }
        for (key, value) in extra ?? JSONObject() { member(key, value, into: &out) }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The keys `bytes` may write itself: a provider option with one of these replaces it in
    /// place in the tree.
    private static let writtenFields: [String] = [
        "model", "messages", "tools", "tool_choice", "max_completion_tokens", "max_tokens", "temperature", "top_p",
        "stop", "reasoning_effort", "response_format", "seed", "parallel_tool_calls", "logprobs", "top_logprobs",
        "presence_penalty", "frequency_penalty", "user", "stream", "stream_options",
    ]

    private static func replacesWrittenField(_ key: String) -> Bool { writtenFields.contains(key) }

    /// As `OpenAIRequestMapper.options`, in its order (the foreign-tool check is done above).
    private static func options(_ request: ChatRequest, into out: inout [UInt8]) {
        switch request.responseFormat {
        case .text?: out.append(contentsOf: #","response_format":{"type":"text"}"#.utf8)
        case .jsonObject?: out.append(contentsOf: #","response_format":{"type":"json_object"}"#.utf8)
        case .jsonSchema(let format)?:
            out.append(contentsOf: #","response_format":{"type":"json_schema","json_schema":"#.utf8)
            namedSchema(
                format.name, description: format.description, schemaKey: "schema", schema: format.schema,
                strict: format.strict, into: &out)
            out.append(contentsOf: "}}".utf8)
        case nil: break
        }
        if let seed = request.seed { int("seed", seed, into: &out) }
        // OpenAI refuses parallel_tool_calls without tools; without tools it constrains nothing.
        if let parallel = request.parallelToolCalls, !request.tools.isEmpty {
            bool("parallel_tool_calls", parallel, into: &out)
        }
        if let logprobs = request.logprobs { bool("logprobs", logprobs, into: &out) }
        if let top = request.topLogprobs { int("top_logprobs", top, into: &out) }
        if let p = request.presencePenalty { member("presence_penalty", .double(p), into: &out) }
        if let f = request.frequencyPenalty { member("frequency_penalty", .double(f), into: &out) }
        if let user = ProviderFields.user(request) {
            out.append(contentsOf: #","user":"#.utf8)
            appendJSONString(user, to: &out)
        }
    }

    private static func tools(_ tools: [Tool], into out: inout [UInt8]) {
        out.append(contentsOf: #","tools":["#.utf8)
        for (i, tool) in tools.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"type":"function","function":"#.utf8)
            namedSchema(
                tool.name, description: tool.description, schemaKey: "parameters", schema: tool.parameters,
                strict: tool.strict, into: &out)
            out.append(contentsOf: "}}".utf8)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// One message as `OpenAIRequestMapper` maps it.
    private static func write(_ message: Message, into out: inout [UInt8]) {
        switch message.role {
        case .system:
            out.append(contentsOf: #"{"role":"system","content":"#.utf8)
            text(of: message, into: &out)
        case .tool:
            out.append(contentsOf: #"{"role":"tool","tool_call_id":"#.utf8)
            appendJSONString(message.toolCallId ?? "", to: &out)
            out.append(contentsOf: #","content":"#.utf8)
            text(of: message, into: &out)
        case .user:
            out.append(contentsOf: #"{"role":"user","content":"#.utf8)
            if message.content.allSatisfy(isText) {
                text(of: message, into: &out)
            } else {
                userParts(message, into: &out)
            }
        case .assistant:
            out.append(contentsOf: #"{"role":"assistant","content":"#.utf8)
            assistant(message, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func isText(_ part: ContentPart) -> Bool {
        if case .text = part { return true }
        return false
    }

    /// The message's text parts joined, as a JSON string; one part (nearly always) is written
    /// without joining.
    private static func text(of message: Message, into out: inout [UInt8]) {
        if message.content.count == 1, case .text(let t) = message.content[0] {
            appendJSONString(t.text, to: &out)
        } else {
            appendJSONString(message.text, to: &out)
        }
    }

    private static func userParts(_ message: Message, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        var first = true
        for part in message.content {
            switch part {
            case .text(let t):
                if !first { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"type":"text","text":"#.utf8)
                appendJSONString(t.text, to: &out)
                out.append(UInt8(ascii: "}"))
            case .image(let image):
                if !first { out.append(UInt8(ascii: ",")) }
                let url = image.url ?? "data:\(image.mediaType ?? "image/png");base64,\(image.data ?? "")"
                out.append(contentsOf: #"{"type":"image_url","image_url":{"url":"#.utf8)
                appendJSONString(url, to: &out)
                out.append(contentsOf: "}}".utf8)
            default:
                continue
            }
            first = false
        }
        out.append(UInt8(ascii: "]"))
    }

    /// After `"content":`: the text (null only beside tool calls: OpenAI rejects an assistant
    /// turn with neither), then the tool calls. Thinking parts are dropped: Chat Completions
    /// cannot take reasoning back.
    private static func assistant(_ message: Message, into out: inout [UInt8]) {
        let hasCalls = message.content.contains {
            if case .toolCall = $0 { return true }; return false
        }
        let text = message.text
        if text.isEmpty && hasCalls { out.append(contentsOf: "null".utf8) } else { appendJSONString(text, to: &out) }
        guard hasCalls else { return }
        out.append(contentsOf: #","tool_calls":["#.utf8)
        var first = true
        for case .toolCall(let call) in message.content {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: #"{"id":"#.utf8)
            appendJSONString(call.id, to: &out)
            out.append(contentsOf: #","type":"function","function":{"name":"#.utf8)
            appendJSONString(call.name, to: &out)
            out.append(contentsOf: #","arguments":"#.utf8)
            appendJSONString(call.arguments.serialized(), to: &out)
            out.append(contentsOf: "}}".utf8)
        }
        out.append(UInt8(ascii: "]"))
    }
}
