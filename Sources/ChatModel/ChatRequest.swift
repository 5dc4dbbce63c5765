import JSON

public enum Role: String, Sendable, Equatable {
    case system, user, assistant, tool
}

/// The unified chat request (SPEC §3).
public struct ChatRequest: Sendable, Equatable {
    /// An alias from the configuration, or "provider/model-id".
    public var model: String
    public var messages: [Message]
    public var tools: [Tool]
    public var toolChoice: ToolChoice?
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var stop: [String]
    public var thinking: ThinkingConfig?
    /// SSE when true (the default), one JSON object when false.
    public var stream: Bool
    /// Overrides the alias's configured fallbacks when present.
    public var fallbacks: [String]?
    public var metadata: JSONObject?
    /// Provider name → fields merged into that provider's request body only.
    public var providerOptions: [String: JSONObject]
    /// Structured output; nil = not asked for.
    public var responseFormat: ResponseFormat?
    /// Best-effort determinism (OpenAI `seed`, Gemini `generationConfig.seed`).
    public var seed: Int?
    /// False asks for at most one tool call per turn (Anthropic `disable_parallel_tool_use`).
    public var parallelToolCalls: Bool?
    /// Per-token log probabilities of the answer; `topLogprobs` alternatives per token.
    public var logprobs: Bool?
    public var topLogprobs: Int?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    /// The end user, for the provider's abuse monitoring (OpenAI `user`, Anthropic
    /// `metadata.user_id`).
    public var user: String?
    /// Tools a provider runs itself (Anthropic's `web_search_20250305`, …), each kept as the
    /// provider spells it; only that provider accepts them.
    public var providerTools: [ProviderTool] = []

    public init(
        model: String, messages: [Message], tools: [Tool] = [], toolChoice: ToolChoice? = nil,
        maxTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil, stop: [String] = [],
        thinking: ThinkingConfig? = nil, stream: Bool = true, fallbacks: [String]? = nil,
        metadata: JSONObject? = nil, providerOptions: [String: JSONObject] = [:]
    ) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.stop = stop
        self.thinking = thinking
        self.stream = stream
        self.fallbacks = fallbacks
        self.metadata = metadata
        self.providerOptions = providerOptions
    }

    /// The system prompt: every system message's text, in order, joined by blank lines.
    public var systemText: String? {
        let texts = messages.filter { $0.role == .system }.map(\.text)
        return texts.isEmpty ? nil : texts.joined(separator: "\n\n")
    }
}

public struct Message: Sendable, Equatable {
    public var role: Role
    public var content: [ContentPart]
    /// Role `tool` only: the call this message answers.
    public var toolCallId: String?
    /// Role `tool` only: the tool failed.
    public var isError: Bool
    /// A cache breakpoint after this message.
    public var cache: Bool

    public init(
        role: Role, content: [ContentPart], toolCallId: String? = nil, isError: Bool = false, cache: Bool = false
    ) {
        self.role = role
        self.content = content
        self.toolCallId = toolCallId
        self.isError = isError
        self.cache = cache
    }

    public static func text(_ role: Role, _ text: String) -> Message {
        Message(role: role, content: [.text(TextPart(text: text))])
    }

    /// The message's text parts concatenated.
    public var text: String {
        content.compactMap {
            if case .text(let t) = $0 { return t.text }; return nil
        }.joined()
    }
}

public enum ContentPart: Sendable, Equatable {
    case text(TextPart)
    case image(ImagePart)
    case thinking(ThinkingPart)
    case toolCall(ToolCallPart)
    /// A tool the provider ran itself (assistant only); see `ServerToolPart`.
    case serverTool(ServerToolPart)
}

public struct TextPart: Sendable, Equatable {
    public var text: String
    public var cache: Bool
    /// Opaque provider signature attached to this part (Gemini `thoughtSignature`).
    public var signature: String?
    public init(text: String, cache: Bool = false, signature: String? = nil) {
        self.text = text
        self.cache = cache
        self.signature = signature
    }
}

public struct ImagePart: Sendable, Equatable {
    public var mediaType: String?
    /// Base64 bytes (with `mediaType`), or nil when `url` is used.
    public var data: String?
    public var url: String?
    public var cache: Bool
    public init(mediaType: String? = nil, data: String? = nil, url: String? = nil, cache: Bool = false) {
        self.mediaType = mediaType
        self.data = data
        self.url = url
        self.cache = cache
    }
}

/// Reasoning the model showed. `signature` and `redacted` are opaque and go back byte-exact.
public struct ThinkingPart: Sendable, Equatable {
    public var text: String
    public var signature: String?
    /// A redacted block's data (then `text` is empty).
    public var redacted: String?
    public init(text: String = "", signature: String? = nil, redacted: String? = nil) {
        self.text = text
        self.signature = signature
        self.redacted = redacted
    }
}

public struct ToolCallPart: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The arguments object.
    public var arguments: JSONValue
    public var signature: String?
    public init(id: String, name: String, arguments: JSONValue, signature: String? = nil) {
        self.id = id
        self.name = name
        self.arguments = arguments
        self.signature = signature
    }
}

public struct Tool: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// JSON Schema of the arguments.
    public var parameters: JSONValue
    public var cache: Bool
    /// The arguments must follow `parameters` exactly (OpenAI's and Anthropic's `strict`);
    /// nil = not said.
    public var strict: Bool?
    public init(
        name: String, description: String? = nil,
        parameters: JSONValue = ["type": "object", "properties": .object(JSONObject())], cache: Bool = false,
        strict: Bool? = nil
    ) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.cache = cache
        self.strict = strict
    }
}

public enum ToolChoice: Sendable, Equatable {
    case auto, none, required
    case tool(String)
}

public enum ThinkingEffort: String, Sendable, Equatable { case low, medium, high }

public enum ThinkingConfig: Sendable, Equatable {
    case budget(Int)
    case effort(ThinkingEffort)
}
