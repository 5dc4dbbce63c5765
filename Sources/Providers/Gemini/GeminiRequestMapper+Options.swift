import ChatModel
import JSON

/// Issue 11's request options for `generateContent`: most live in `generationConfig`; what
/// Gemini has no equivalent of is refused with a 400 naming the field.
extension GeminiRequestMapper {
    static let provider = "gemini"

    static func options(_ request: ChatRequest, into generation: inout JSONObject) throws(GatewayError) {
        try ProviderFields.refuseForeignTools(request, provider: provider)
        switch request.responseFormat {
        case .text?, nil: break  // text/plain is Gemini's default
        case .jsonObject?: generation["responseMimeType"] = "application/json"
        case .jsonSchema(let format)?:
            // responseJsonSchema takes JSON Schema as written ($ref, additionalProperties, …),
            // so the schema needs none of the cleaning tool parameters get.
            generation["responseMimeType"] = "application/json"
            generation["responseJsonSchema"] = format.schema
        }
        if let seed = request.seed {
            guard let seed32 = Int32(exactly: seed) else {
                throw .unsupported("seed", provider: provider, "Gemini's seed is a 32-bit integer")
            }
            generation["seed"] = .int(Int(seed32))
        }
        if request.parallelToolCalls == false, !request.tools.isEmpty {
            throw .unsupported(
                "parallel_tool_calls", provider: provider,
                "Gemini has no switch for parallel function calls; omit the field or set it to true")
        }
        if request.logprobs == true {
            generation["responseLogprobs"] = true
            if let top = request.topLogprobs { generation["logprobs"] = .int(top) }
        }
        if let p = request.presencePenalty { generation["presencePenalty"] = .double(p) }
        if let f = request.frequencyPenalty { generation["frequencyPenalty"] = .double(f) }
        if request.user != nil {
            throw .unsupported("user", provider: provider, "Gemini has no end-user field; omit user for Gemini models")
        }
    }

    /// A strict tool asks for arguments that follow its schema: Gemini's `VALIDATED` mode
    /// where the choice is automatic (`ANY` already holds calls to the schema; `NONE` makes none).
    static func strictTools(_ request: ChatRequest, into body: inout JSONObject) {
        guard request.tools.contains(where: { $0.strict == true }) else { return }
        switch request.toolChoice {
        case .auto?, nil: body["toolConfig"] = ["functionCallingConfig": ["mode": "VALIDATED"]]
        case .none?, .required?, .tool?: break
        }
    }
}
