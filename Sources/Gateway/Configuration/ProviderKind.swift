/// Which wire format a configured provider speaks. The operator names providers freely; the
/// kind says which adapter talks to them (`ollama` of kind `openai`, `azure` of kind
/// `azure_openai`, …).
public enum ProviderKind: String, Sendable, CaseIterable, Equatable {
    case openai
    case anthropic
    case gemini
    case azureOpenAI = "azure_openai"

    /// The built-in names are their own kind, so `providers: {openai: {}}` needs no `kind:`.
    public static func builtIn(_ name: String) -> ProviderKind? {
        name == "azure_openai" ? nil : ProviderKind(rawValue: name)
    }

    static var wordList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Where the provider lives when the configuration does not say (Azure has no such place).
    var defaultBaseURL: String {
        switch self {
        case .openai: return "https://api.openai.com"
        case .anthropic: return "https://api.anthropic.com"
        case .gemini: return "https://generativelanguage.googleapis.com"
        case .azureOpenAI: return ""
        }
    }

    /// The variable the kind's own SDK reads its key from.
    var keyVariable: String {
        switch self {
        case .openai: return "OPENAI_API_KEY"
        case .anthropic: return "ANTHROPIC_API_KEY"
        case .gemini: return "GEMINI_API_KEY"
        case .azureOpenAI: return "AZURE_OPENAI_API_KEY"
        }
    }

    /// The variable the kind's own SDK reads its base URL from.
    var baseURLVariable: String {
        switch self {
        case .openai: return "OPENAI_BASE_URL"
        case .anthropic: return "ANTHROPIC_BASE_URL"
        case .gemini: return "GEMINI_BASE_URL"
        case .azureOpenAI: return "AZURE_OPENAI_ENDPOINT"
        }
    }

    /// The version segment the kind's adapter puts in front of its paths itself.
    private var versionSuffixes: [String] {
        switch self {
        case .openai, .anthropic: return ["/v1"]
        case .gemini: return ["/v1beta"]
        case .azureOpenAI: return ["/openai/v1", "/openai"]
        }
    }

    /// A base URL in the SDK's form (`http://localhost:11434/v1`, `https://api.groq.com/openai/v1`)
    /// or the bare form (`http://localhost:11434`) → the bare form the adapters append their
    /// paths to. Without this the SDK form would call `…/v1/v1/chat/completions`.
    public func normalizedBaseURL(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        for suffix in versionSuffixes where url.hasSuffix(suffix) {
            url.removeLast(suffix.count)
            break
        }
        return url
    }
}

extension GatewayConfiguration.Provider {
    /// A provider of `kind` at its kind's default place and key variable.
    init(kind: ProviderKind) {
        self.init(kind: kind, baseURL: kind.defaultBaseURL, apiKeyEnv: kind.keyVariable)
    }

    /// Whether it can run without a key (a local OpenAI-compatible server).
    var needsKey: Bool { kind != .openai || compat.requiresKey }
}
