import ChatModel
import JSON

/// Issue 11's request options for Chat Completions: each is OpenAI's own field, so each goes
/// as it is.
extension OpenAIRequestMapper {
    static func options(_ request: ChatRequest, into body: inout JSONObject) throws(GatewayError) {
        try ProviderFields.refuseForeignTools(request, provider: "openai")
        switch request.responseFormat {
        case .text?: body["response_format"] = ["type": "text"]
        case .jsonObject?: body["response_format"] = ["type": "json_object"]
        case .jsonSchema(let format)?:
            var inner = JSONObject([("name", .string(format.name))])
            if let d = format.description { inner["description"] = .string(d) }
            inner["schema"] = format.schema
            if let strict = format.strict { inner["strict"] = .bool(strict) }
            body["response_format"] = .object(JSONObject([("type", "json_schema"), ("json_schema", .object(inner))]))
        case nil: break
        }
        if let seed = request.seed { body["seed"] = .int(seed) }
        // OpenAI refuses parallel_tool_calls without tools; without tools it constrains nothing.
        if let parallel = request.parallelToolCalls, !request.tools.isEmpty {
            body["parallel_tool_calls"] = .bool(parallel)
        }
        if let logprobs = request.logprobs { body["logprobs"] = .bool(logprobs) }
        if let top = request.topLogprobs { body["top_logprobs"] = .int(top) }
        if let p = request.presencePenalty { body["presence_penalty"] = .double(p) }
        if let f = request.frequencyPenalty { body["frequency_penalty"] = .double(f) }
        if let user = ProviderFields.user(request) { body["user"] = .string(user) }
    }
}
