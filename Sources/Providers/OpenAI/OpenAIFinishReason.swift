import ChatModel

/// Chat Completions' `finish_reason` ↔ the unified finish reason, one table both ways: the
/// adapter reads OpenAI's word, the door writes the first word listed for a reason.
enum OpenAIFinishReason {
    static let words: [(word: String, reason: FinishReason)] = [
        ("stop", .stop), ("length", .length), ("tool_calls", .toolCalls), ("content_filter", .contentFilter),
        ("function_call", .toolCalls),  // the deprecated functions API's word for a call
    ]

    /// OpenAI's word → unified; an unknown word is a normal stop.
    static func unified(_ word: String) -> FinishReason {
        words.first { $0.word == word }?.reason ?? .stop
    }

    /// Unified → OpenAI's word. OpenAI has no word for an error or a cancellation: the stream
    /// ends as a stop (the error went out before it).
    static func wire(_ reason: FinishReason) -> String {
        let reason: FinishReason = reason == .error || reason == .cancelled ? .stop : reason
        return words.first { $0.reason == reason }?.word ?? "stop"
    }
}
