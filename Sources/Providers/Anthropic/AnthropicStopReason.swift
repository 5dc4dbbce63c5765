import ChatModel

/// Anthropic's `stop_reason` ↔ the unified finish reason, one table both ways: the adapter reads
/// Anthropic's word; the door writes the first word listed for a reason, or the provider's own
/// word when it is one of Anthropic's that keeps its name and means the same.
enum AnthropicStopReason {
    static let words: [(word: String, reason: FinishReason, keepsName: Bool)] = [
        ("end_turn", .stop, true),
        ("tool_use", .toolCalls, true),
        ("max_tokens", .length, true),
        ("refusal", .contentFilter, true),
        // Ends that mean "stop" but tell the client more: a long server-tool turn the client
        // resumes by sending the answer back, and a stop sequence.
        ("stop_sequence", .stop, true),
        ("pause_turn", .stop, true),
        // Newer than some clients' enums: written back as max_tokens.
        ("model_context_window_exceeded", .length, false),
    ]

    /// Anthropic's word → unified; an unknown word is a normal stop.
    static func unified(_ word: String) -> FinishReason {
        words.first { $0.word == word }?.reason ?? .stop
    }

    /// Unified → Anthropic's word. An error or a cancellation ends as `end_turn` (the error
    /// went out before it).
    static func wire(_ reason: FinishReason, providerWord: String?) -> String {
        let reason: FinishReason = reason == .error || reason == .cancelled ? .stop : reason
        if let providerWord, words.contains(where: { $0.word == providerWord && $0.keepsName && $0.reason == reason }) {
            return providerWord
        }
        return words.first { $0.reason == reason }?.word ?? "end_turn"
    }
}
