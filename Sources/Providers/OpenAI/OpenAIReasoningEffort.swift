import ChatModel

/// Chat Completions' `reasoning_effort` ↔ unified thinking, one table both ways: the request
/// mapper writes an effort for OpenAI, the door reads its clients' words.
enum OpenAIReasoningEffort {
    /// OpenAI's words and the unified effort each means (`none`: thinking off). The words that
    /// are not a unified effort's own name reach OpenAI exactly as sent (`sentAsIs`).
    static let words: [(word: String, effort: ThinkingEffort?)] = [
        ("low", .low), ("medium", .medium), ("high", .high), ("none", nil), ("minimal", .low), ("xhigh", .high),
    ]

    /// Unified thinking → OpenAI's word; a token budget becomes the effort of its size.
    static func wire(_ thinking: ThinkingConfig) -> String {
        switch thinking {
        case .effort(let effort): return word(effort)
        case .budget(let b): return word(b <= 2048 ? .low : b <= 8192 ? .medium : .high)
        }
    }

    private static func word(_ effort: ThinkingEffort) -> String {
        words.first { $0.effort == effort }?.word ?? effort.rawValue
    }

    /// A client's word → (thinking, whether OpenAI must get the word as sent); nil for a word
    /// OpenAI does not have.
    static func unified(_ word: String) -> (thinking: ThinkingConfig?, sentAsIs: Bool)? {
        guard let entry = words.first(where: { $0.word == word }) else { return nil }
        let thinking = entry.effort.map(ThinkingConfig.effort)
        return (thinking, entry.effort.map { self.word($0) } != word)
    }
}
