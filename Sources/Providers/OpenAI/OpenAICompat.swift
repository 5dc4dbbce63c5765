/// What an OpenAI-compatible server does differently from OpenAI, declared per provider in
/// the configuration's `compat:` block rather than guessed from its answers.
public struct OpenAICompat: Sendable, Equatable {
    /// The request field that carries the output-token cap.
    public enum MaxTokensField: String, Sendable, CaseIterable {
        case maxCompletionTokens = "max_completion_tokens"
        case maxTokens = "max_tokens"
    }

    /// The answer field that carries reasoning text (read as `thinking`).
    public enum ReasoningField: String, Sendable, CaseIterable {
        /// DeepSeek, vLLM.
        case reasoningContent = "reasoning_content"
        /// OpenRouter, Ollama.
        case reasoning
    }

    /// Whether the server takes `stream_options: {include_usage: true}` (some refuse it).
    public var streamOptions = true
    public var maxTokensField = MaxTokensField.maxCompletionTokens
    /// nil: either field (OpenAI itself sends neither).
    public var reasoningField: ReasoningField?
    /// false: a local server without keys; no `Authorization` header is sent when no key is set.
    public var requiresKey = true

    public init(
        streamOptions: Bool = true, maxTokensField: MaxTokensField = .maxCompletionTokens,
        reasoningField: ReasoningField? = nil, requiresKey: Bool = true
    ) {
        self.streamOptions = streamOptions
        self.maxTokensField = maxTokensField
        self.reasoningField = reasoningField
        self.requiresKey = requiresKey
    }
}
