import JSON

/// A Messages API body's top-level members, found in one pass over its entries: the
/// translator read each field by name (a scan of the entries per field, ~13 per request) and
/// checked for unknown fields by hashing every key into a set; here each key is told apart by
/// its length and then a few comparisons (issue 13, as the OpenAI door's `OpenAIRequestMembers`).
struct AnthropicRequestMembers {
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

    /// Where `key` goes: a mapped field, `.refused` for one of the door's refused fields
    /// (`AnthropicRequestTranslator.refusedFields`), nil for one it does not know.
    enum Place: Equatable {
        case mapped(Member)
        case refused
    }

    /// Each member's position in the body's entries.
    private var positions: JSONMemberPositions<Member>
    /// A refused field came with a value other than null.
    private(set) var sendsRefusedFields = false
    /// A field this door does not know came with a value other than null (the translator
    /// then names the first one, as `DoorFields.rejectUnknown` does).
    private(set) var sendsUnknownFields = false

    init(_ body: JSONObject) {
        positions = JSONMemberPositions(body, memberCount: Self.memberCount)
        // By index: iterating the entries would copy (retain and release) each one.
        for i in body.entries.indices {
            switch Self.place(body.entries[i].key) {
            case .mapped(let member)?: positions.record(member, at: i)
            case .refused?: if !body.entries[i].value.isNull { sendsRefusedFields = true }
            case nil: if !body.entries[i].value.isNull { sendsUnknownFields = true }
            }
        }
    }

    private static let memberCount = Member.allCases.count

    subscript(member: Member) -> JSONValue? { positions[member] }

    /// `key`'s place, by its length first (most lengths hold one to four of the door's names).
    static func place(_ key: String) -> Place? {
        switch key.utf8.count {
        case 5:
            if key == "model" { return .mapped(.model) }
            if key == "tools" { return .mapped(.tools) }
            if key == "top_p" { return .mapped(.topP) }
            return key == "top_k" || key == "speed" ? .refused : nil
        case 6:
            if key == "stream" { return .mapped(.stream) }
            return key == "system" ? .mapped(.system) : nil
        case 8:
            if key == "messages" { return .mapped(.messages) }
            if key == "metadata" { return .mapped(.metadata) }
            return key == "thinking" ? .mapped(.thinking) : nil
        case 9: return key == "container" ? .refused : nil
        case 10: return key == "max_tokens" ? .mapped(.maxTokens) : nil
        case 11:
            if key == "temperature" { return .mapped(.temperature) }
            if key == "tool_choice" { return .mapped(.toolChoice) }
            return key == "mcp_servers" || key == "diagnostics" ? .refused : nil
        case 12:
            if key == "service_tier" { return .mapped(.serviceTier) }
            return key == "workspace_id" ? .refused : nil
        case 13:
            if key == "output_config" { return .mapped(.outputConfig) }
            if key == "output_format" { return .mapped(.outputFormat) }
            return key == "cache_control" || key == "inference_geo" ? .refused : nil
        case 14: return key == "stop_sequences" ? .mapped(.stopSequences) : nil
        case 15: return key == "user_profile_id" ? .refused : nil
        case 18: return key == "context_management" ? .refused : nil
        default: return nil
        }
    }
}
