import ChatModel
import JSON

/// The Messages body written straight into bytes, as `OpenAIRequestWriter` writes OpenAI's:
/// every request to Anthropic goes through here. The text is `AnthropicRequestMapper.body`'s
/// byte for byte, key order included (`AnthropicRequestWriterTests` holds it to the tree):
///
/// `{"model"[,"thinking"|,"temperature"][,"top_p"],"max_tokens"[,"system"],"messages"[,"tools"]
/// [,"tool_choice"][,"stop_sequences"][,"metadata"][,"tool_choice"][,"output_config"][,"stream"]
/// [,provider options…]}` (the second `tool_choice` only when the first is absent)
///
/// The rare requests whose tree is built by editing fields already set are written from the
/// tree instead: server tools (appended to `tools`), a `response_format` sent as a forced tool
/// (which replaces `tools` and `tool_choice`), and a provider option naming a written field.
enum AnthropicRequestWriter: RequestBodyWriter {
    static func bytes(_ request: ChatRequest, model: String, stream: Bool) throws(GatewayError) -> [UInt8] {
        guard writesDirectly(request, model: model) else {
            var body: [UInt8] = []
            JSONValue.object(try AnthropicRequestMapper.body(request, model: model, stream: stream)).write(into: &body)
            return body
        }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: #"{"model":"#.utf8)
        appendJSONString(model, to: &out)
        var maxTokens = request.maxTokens
        if let thinking = request.thinking {
            let budget = try AnthropicRequestMapper.thinkingBudget(thinking, of: request)
            maxTokens = budget.maxTokens
            out.append(contentsOf: #","thinking":{"type":"enabled","budget_tokens":"#.utf8)
            out.append(contentsOf: String(budget.budget).utf8)
            out.append(UInt8(ascii: "}"))
        } else {
            if let t = request.temperature { member("temperature", .double(t), into: &out) }
            if let p = request.topP { member("top_p", .double(p), into: &out) }
        }
        int("max_tokens", maxTokens ?? 4096, into: &out)
        system(request, into: &out)
        messages(request, into: &out)
        if !request.tools.isEmpty { tools(request.tools, into: &out) }
        // Parallel calls are turned off inside tool_choice (server tools are written from the tree).
        let serial = request.parallelToolCalls == false && !request.tools.isEmpty
        if let choice = request.toolChoice { toolChoice(choice, serial: serial, into: &out) }
        if !request.stop.isEmpty { strings("stop_sequences", request.stop, into: &out) }
        // As `AnthropicRequestMapper.options`, in its order.
        try AnthropicRequestMapper.refuseUnmapped(request)
        if let user = ProviderFields.user(request) {
            out.append(contentsOf: #","metadata":{"user_id":"#.utf8)
            appendJSONString(user, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        if serial, request.toolChoice == nil {
            out.append(contentsOf: #","tool_choice":{"type":"auto","disable_parallel_tool_use":true}"#.utf8)
        }
        if case .jsonSchema(let format)? = request.responseFormat {
            // Natively: the forced-tool plan was written from the tree above.
            out.append(contentsOf: #","output_config":{"format":{"type":"json_schema""#.utf8)
            member("schema", format.schema, into: &out)
            out.append(contentsOf: "}}".utf8)
        }
        if stream { out.append(contentsOf: #","stream":true"#.utf8) }
        for (key, value) in request.providerOptions["anthropic"] ?? JSONObject() where key != "anthropic-beta" {
            member(key, value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// False for the requests written from the tree (see above).
    static func writesDirectly(_ request: ChatRequest, model: String) -> Bool {
        if !request.providerTools.isEmpty || needsAnswerTool(request, model: model) { return false }
        let extra = request.providerOptions["anthropic"]
        return extra?.entries.contains(where: { replacesWrittenField($0.key) }) != true
    }

    /// The keys `bytes` may write itself: a provider option with one of these replaces it in
    /// place in the tree.
    private static let writtenFields: [String] = [
        "model", "thinking", "temperature", "top_p", "max_tokens", "system", "messages", "tools", "tool_choice",
        "stop_sequences", "metadata", "output_config", "stream",
    ]

    private static func replacesWrittenField(_ key: String) -> Bool { writtenFields.contains(key) }

    /// A `response_format` that `AnthropicStructuredOutput` sends as a forced tool.
    private static func needsAnswerTool(_ request: ChatRequest, model: String) -> Bool {
        switch request.responseFormat {
        case nil, .text?: return false
        case .jsonObject?: return true
        case .jsonSchema?: return !AnthropicStructuredOutput.supportsNative(model: model)
        }
    }

    private static func tools(_ tools: [Tool], into out: inout [UInt8]) {
        out.append(contentsOf: #","tools":["#.utf8)
        for (i, tool) in tools.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"name":"#.utf8)
            appendJSONString(tool.name, to: &out)
            if let d = tool.description {
                out.append(contentsOf: #","description":"#.utf8)
                appendJSONString(d, to: &out)
            }
            member("input_schema", tool.parameters, into: &out)
            if tool.cache { cacheControl(into: &out) }
            if let strict = tool.strict { bool("strict", strict, into: &out) }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `serial` adds `disable_parallel_tool_use` to every choice but `none` (which allows no calls).
    private static func toolChoice(_ choice: ToolChoice, serial: Bool, into out: inout [UInt8]) {
        switch choice {
        case .none:
            out.append(contentsOf: #","tool_choice":{"type":"none"}"#.utf8)
            return
        case .auto: out.append(contentsOf: #","tool_choice":{"type":"auto""#.utf8)
        case .required: out.append(contentsOf: #","tool_choice":{"type":"any""#.utf8)
        case .tool(let name):
            out.append(contentsOf: #","tool_choice":{"type":"tool","name":"#.utf8)
            appendJSONString(name, to: &out)
        }
        if serial { out.append(contentsOf: #","disable_parallel_tool_use":true"#.utf8) }
        out.append(UInt8(ascii: "}"))
    }

    /// `,"cache_control":{"type":"ephemeral"}`, `AnthropicRequestMapper.cacheControl`.
    static func cacheControl(into out: inout [UInt8]) {
        out.append(contentsOf: #","cache_control":{"type":"ephemeral"}"#.utf8)
    }
}
