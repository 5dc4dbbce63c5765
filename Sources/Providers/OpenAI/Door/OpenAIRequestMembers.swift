import JSON

/// A Chat Completions body's top-level members, found in one pass over its entries: the
/// translator read each field by name (a scan of the entries per field, ~20 per request) and
/// checked for unknown fields by hashing every key into a set; here each key is told apart by
/// its length and then one or two comparisons.
enum OpenAIRequestMembers {
    /// The mapped fields the translator reads on every request.
    enum Member: Int, CaseIterable {
        case model, messages, tools, toolChoice, parallelToolCalls, responseFormat, seed, logprobs, topLogprobs
        case stop, presencePenalty, frequencyPenalty, maxTokens, maxCompletionTokens, stream, streamOptions
        case temperature, topP, user, safetyIdentifier, reasoningEffort

        /// The field's name on the wire (for the tests that hold `place` to the door's lists).
        var wireName: String {
            let names = [
                "model", "messages", "tools", "tool_choice", "parallel_tool_calls", "response_format", "seed",
                "logprobs", "top_logprobs", "stop", "presence_penalty", "frequency_penalty", "max_tokens",
                "max_completion_tokens", "stream", "stream_options", "temperature", "top_p", "user",
                "safety_identifier", "reasoning_effort",
            ]
            return names[rawValue]
        }
    }

    /// Where `key` goes: a mapped field, `.unmapped` for one this door knows but only refuses or
    /// passes through (`OpenAIRequestTranslator.rareFields`), nil for one it does not know.
    typealias Place = DoorKeyPlace<Member>

    /// A body read by `read`.
    typealias Body = DoorMembers<Member>

    /// The body's members, read in one pass.
    static func read(_ body: JSONObject) -> Body {
        DoorMembers(body, memberCount: memberCount, place: place)
    }

    private static let memberCount = Member.allCases.count

    /// `key`'s place, by its length first (most lengths hold one or two of the door's names).
    static func place(_ key: String) -> Place? {
        switch key.utf8.count {
        case 1: return key == "n" ? .unmapped : nil
        case 4:
            if key == "seed" { return .mapped(.seed) }
            if key == "stop" { return .mapped(.stop) }
            return key == "user" ? .mapped(.user) : nil
        case 5:
            if key == "model" { return .mapped(.model) }
            if key == "tools" { return .mapped(.tools) }
            if key == "top_p" { return .mapped(.topP) }
            return key == "store" || key == "audio" ? .unmapped : nil
        case 6: return key == "stream" ? .mapped(.stream) : nil
        case 8:
            if key == "messages" { return .mapped(.messages) }
            if key == "logprobs" { return .mapped(.logprobs) }
            return key == "metadata" ? .unmapped : nil
        case 9: return key == "verbosity" || key == "functions" ? .unmapped : nil
        case 10:
            if key == "max_tokens" { return .mapped(.maxTokens) }
            return key == "modalities" || key == "logit_bias" || key == "prediction" ? .unmapped : nil
        case 11: return key == "tool_choice" ? .mapped(.toolChoice) : key == "temperature" ? .mapped(.temperature) : nil
        case 12: return key == "top_logprobs" ? .mapped(.topLogprobs) : key == "service_tier" ? .unmapped : nil
        case 13: return key == "function_call" ? .unmapped : nil
        case 14: return key == "stream_options" ? .mapped(.streamOptions) : nil
        case 15: return key == "response_format" ? .mapped(.responseFormat) : nil
        case 16:
            if key == "presence_penalty" { return .mapped(.presencePenalty) }
            if key == "reasoning_effort" { return .mapped(.reasoningEffort) }
            return key == "prompt_cache_key" ? .unmapped : nil
        case 17:
            if key == "frequency_penalty" { return .mapped(.frequencyPenalty) }
            return key == "safety_identifier" ? .mapped(.safetyIdentifier) : nil
        case 18: return key == "web_search_options" ? .unmapped : nil
        case 19: return key == "parallel_tool_calls" ? .mapped(.parallelToolCalls) : nil
        case 21: return key == "max_completion_tokens" ? .mapped(.maxCompletionTokens) : nil
        case 22: return key == "prompt_cache_retention" ? .unmapped : nil
        default: return nil
        }
    }
}
