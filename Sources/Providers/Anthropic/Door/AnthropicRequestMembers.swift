import JSON

/// A Messages API body's top-level members, found in one pass over its entries: the
/// translator read each field by name (a scan of the entries per field, ~13 per request) and
/// checked for unknown fields by hashing every key into a set; here each key is told apart by
/// its length and then a few comparisons (issue 13, as the OpenAI door's `OpenAIRequestMembers`).
enum AnthropicRequestMembers {
    /// The mapped fields the translator reads (`AnthropicRequestTranslator.mapped`).
    enum Member: Int, CaseIterable {
        case model, messages, maxTokens, system, metadata, stopSequences, stream, temperature, topP, tools
        case toolChoice, thinking, outputConfig, outputFormat, serviceTier

        /// The field's name on the wire (for the tests that hold `place` to the door's lists).
        var wireName: String {
            let names = [
                "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature",
                "top_p", "tools", "tool_choice", "thinking", "output_config", "output_format", "service_tier",
            ]
            return names[rawValue]
        }
    }

    /// Where `key` goes: a mapped field, `.unmapped` for one of the door's refused fields
    /// (`AnthropicRequestTranslator.refusedFields`), nil for one it does not know.
    typealias Place = DoorKeyPlace<Member>

    /// A body read by `read`.
    typealias Body = DoorMembers<Member>

    /// The body's members, read in one pass.
    static func read(_ body: JSONObject) -> Body {
        DoorMembers(body, memberCount: memberCount, place: place)
    }

    private static let memberCount = Member.allCases.count

    /// `key`'s place, by its length first (most lengths hold one to four of the door's names).
    static func place(_ key: String) -> Place? {
        switch key.utf8.count {
        case 5:
            if key == "model" { return .mapped(.model) }
            if key == "tools" { return .mapped(.tools) }
            if key == "top_p" { return .mapped(.topP) }
            return key == "top_k" || key == "speed" ? .unmapped : nil
        case 6:
            if key == "stream" { return .mapped(.stream) }
            return key == "system" ? .mapped(.system) : nil
        case 8:
            if key == "messages" { return .mapped(.messages) }
            if key == "metadata" { return .mapped(.metadata) }
            return key == "thinking" ? .mapped(.thinking) : nil
        case 9: return key == "container" ? .unmapped : nil
        case 10: return key == "max_tokens" ? .mapped(.maxTokens) : nil
        case 11:
            if key == "temperature" { return .mapped(.temperature) }
            if key == "tool_choice" { return .mapped(.toolChoice) }
            return key == "mcp_servers" || key == "diagnostics" ? .unmapped : nil
        case 12:
            if key == "service_tier" { return .mapped(.serviceTier) }
            return key == "workspace_id" ? .unmapped : nil
        case 13:
            if key == "output_config" { return .mapped(.outputConfig) }
            if key == "output_format" { return .mapped(.outputFormat) }
            return key == "cache_control" || key == "inference_geo" ? .unmapped : nil
        case 14: return key == "stop_sequences" ? .mapped(.stopSequences) : nil
        case 15: return key == "user_profile_id" ? .unmapped : nil
        case 18: return key == "context_management" ? .unmapped : nil
        default: return nil
        }
    }
}
