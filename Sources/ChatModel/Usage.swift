/// Token counts, exactly as the provider reported them (SPEC §4). `inputTokens` includes
/// cached tokens; absent counts are 0.
public struct Usage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheReadTokens: Int
    public var cacheWriteTokens: Int
    public var reasoningTokens: Int
    public var totalTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cacheReadTokens: Int = 0, cacheWriteTokens: Int = 0,
                reasoningTokens: Int = 0, totalTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
        self.totalTokens = totalTokens ?? (inputTokens + outputTokens)
    }

    public static let zero = Usage()

    /// Sums, for loops and aggregate reports.
    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens,
              cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens, cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
              reasoningTokens: a.reasoningTokens + b.reasoningTokens, totalTokens: a.totalTokens + b.totalTokens)
    }
}

/// Why the model stopped, in unified terms; the provider's own word travels beside it.
public enum FinishReason: String, Sendable, Equatable {
    case stop
    case length
    case toolCalls = "tool_calls"
    case contentFilter = "content_filter"
    case error
    case cancelled
}

/// A failure after the stream started (SPEC §4 `error` event).
public struct StreamError: Sendable, Equatable {
    public var type: String
    public var message: String
    public var provider: String
    /// The HTTP status this would have had before the first byte.
    public var status: Int
    public init(type: String, message: String, provider: String, status: Int) {
        self.type = type
        self.message = message
        self.provider = provider
        self.status = status
    }
}
