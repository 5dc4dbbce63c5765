import ChatModel
import JSON

/// Issue 11's request options for the Messages API: structured output (see
/// `AnthropicStructuredOutput`), parallel tool calls, the end user and server tools are
/// mapped; seed, log probabilities and penalties have no Anthropic equivalent and are refused.
extension AnthropicRequestMapper {
    static let provider = "anthropic"

    /// Seed, log probabilities and non-zero penalties: Anthropic has nothing to map them to.
    static func refuseUnmapped(_ request: ChatRequest) throws(GatewayError) {
        if request.seed != nil {
            throw .unsupported("seed", provider: provider, "Anthropic has no seed")
        }
        if request.logprobs == true {
            throw .unsupported("logprobs", provider: provider, "Anthropic does not return log probabilities")
        }
        // A zero penalty is no penalty, which is what Anthropic does.
        let penalties = [
            ("presence_penalty", request.presencePenalty), ("frequency_penalty", request.frequencyPenalty),
        ]
        for (field, value) in penalties
        where value != nil && value != 0 {
            throw .unsupported(field, provider: provider, "Anthropic has no penalties")
        }
    }

    static func options(_ request: ChatRequest, model: String, into body: inout JSONObject) throws(GatewayError) {
        try refuseUnmapped(request)
        if let user = ProviderFields.user(request) { body["metadata"] = ["user_id": .string(user)] }

        try ProviderFields.refuseForeignTools(request, provider: provider)
        let serverTools = request.providerTools.map(\.definition)
        if !serverTools.isEmpty {
            body["tools"] = .array((body["tools"]?.arrayValue ?? []) + serverTools)
        }
        if request.parallelToolCalls == false, !request.tools.isEmpty || !serverTools.isEmpty {
            switch body["tool_choice"] {
            case .object(var choice)? where choice["type"]?.stringValue != "none":
                choice["disable_parallel_tool_use"] = true
                body["tool_choice"] = .object(choice)
            case nil:
                body["tool_choice"] = ["type": "auto", "disable_parallel_tool_use": true]
            default:
                break  // tool_choice none: no calls at all
            }
        }
        try AnthropicStructuredOutput.plan(request, model: model)?.apply(to: &body)
    }
}
