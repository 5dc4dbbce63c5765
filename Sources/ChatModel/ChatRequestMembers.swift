import JSON

/// A unified request body's top-level members, found in one pass over its entries. Decoding
/// read each of ~21 fields by name, a scan of the entries per field, most of them for fields
/// the request does not send, and hashed every key into a set to find unknown ones; here each
/// key is told apart by its length and then one or two comparisons (issue 13, as the OpenAI
/// door's `OpenAIRequestMembers`).
struct ChatRequestMembers {
    /// Every top-level field of the unified request (`ChatRequest.allTopKeys`).
    enum Member: Int, CaseIterable {
        case model, messages, tools, toolChoice, maxTokens, temperature, topP, stop, thinking, stream
        case fallbacks, metadata, providerOptions, responseFormat, seed, parallelToolCalls, logprobs
        case topLogprobs, presencePenalty, frequencyPenalty, user

        /// The field's name on the wire (for the tests that hold `member(_:)` to the key sets).
        var wireName: String {
            let names = [
                "model", "messages", "tools", "tool_choice", "max_tokens", "temperature", "top_p", "stop",
                "thinking", "stream", "fallbacks", "metadata", "provider_options", "response_format", "seed",
                "parallel_tool_calls", "logprobs", "top_logprobs", "presence_penalty", "frequency_penalty", "user",
            ]
            return names[rawValue]
        }
    }

    /// Each member's position in the body's entries.
    private var positions: JSONMemberPositions<Member>
    /// A key that is not a member came (whatever its value: the unified door refuses it even
    /// when null, unless the caller handles it as one of its `extraKeys`).
    private(set) var hasOtherKeys = false

    init(_ body: JSONObject) {
        positions = JSONMemberPositions(body, memberCount: Self.memberCount)
        // By index: iterating the entries would copy (retain and release) each one.
        for i in body.entries.indices {
            if let member = Self.member(body.entries[i].key) {
                positions.record(member, at: i)
            } else {
                hasOtherKeys = true
            }
        }
    }

    private static let memberCount = Member.allCases.count

    subscript(member: Member) -> JSONValue? { positions[member] }

    /// The member named `key`, by its length first (most lengths hold one to three names).
    static func member(_ key: String) -> Member? {
        switch key.utf8.count {
        case 4:
            if key == "stop" { return .stop }
            if key == "seed" { return .seed }
            return key == "user" ? .user : nil
        case 5:
            if key == "model" { return .model }
            if key == "tools" { return .tools }
            return key == "top_p" ? .topP : nil
        case 6: return key == "stream" ? .stream : nil
        case 8:
            if key == "messages" { return .messages }
            if key == "thinking" { return .thinking }
            if key == "metadata" { return .metadata }
            return key == "logprobs" ? .logprobs : nil
        case 9: return key == "fallbacks" ? .fallbacks : nil
        case 10: return key == "max_tokens" ? .maxTokens : nil
        case 11: return key == "tool_choice" ? .toolChoice : key == "temperature" ? .temperature : nil
        case 12: return key == "top_logprobs" ? .topLogprobs : nil
        case 15: return key == "response_format" ? .responseFormat : nil
        case 16:
            return key == "provider_options" ? .providerOptions : key == "presence_penalty" ? .presencePenalty : nil
        case 17: return key == "frequency_penalty" ? .frequencyPenalty : nil
        case 19: return key == "parallel_tool_calls" ? .parallelToolCalls : nil
        default: return nil
        }
    }
}
