import JSON

/// How the emulator plays an OpenAI-compatible server or Azure OpenAI instead of OpenAI,
/// chosen by the request path so a daemon's `base_url` picks it:
///
/// - `/compat/<quirk>[,<quirk>…]/v1/chat/completions` — an OpenAI-compatible server:
///   `reasoning_content` / `reasoning` (the `thinking` scenario streams its reasoning in that
///   field, as DeepSeek/vLLM or OpenRouter/Ollama do), `no_stream_options` (refuses
///   `stream_options`), `max_tokens` (refuses `max_completion_tokens`), `keyless` (no key needed).
/// - `/openai/deployments/{deployment}/chat/completions?api-version=…` and
///   `/openai/v1/chat/completions` — Azure OpenAI: the `api-key` header (or a bearer token),
///   `api-version` required on the deployment path, `filter=1` in the model name ends the
///   answer with `content_filter` and its annotations, `filter=prompt` refuses the prompt
///   with Azure's content-filter error.
struct OpenAIQuirks: Sendable, Equatable {
    static let words: Set<String> = ["reasoning_content", "reasoning", "no_stream_options", "max_tokens", "keyless"]

    var reasoningField: String?
    var refusesStreamOptions = false
    var refusesMaxCompletionTokens = false
    var keyless = false
    /// Azure: the deployment named by the path (nil on the `/openai/v1/` path).
    var azure = false
    var deployment: String?

    /// The quirks `path` selects, or nil when it is no Chat Completions path.
    static func route(_ path: String) -> (quirks: OpenAIQuirks, unknown: [String])? {
        if path == "/v1/chat/completions" { return (OpenAIQuirks(), []) }
        if path == "/openai/v1/chat/completions" { return (OpenAIQuirks(azure: true), []) }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 6, parts[1] == "openai", parts[2] == "deployments", !parts[3].isEmpty,
            parts[4] == "chat", parts[5] == "completions"
        {
            return (OpenAIQuirks(azure: true, deployment: parts[3]), [])
        }
        guard parts.count == 6, parts[1] == "compat", parts[3] == "v1", parts[4] == "chat", parts[5] == "completions"
        else { return nil }
        var quirks = OpenAIQuirks()
        var unknown: [String] = []
        for word in parts[2].split(separator: ",").map(String.init) {
            switch word {
            case "reasoning_content", "reasoning": quirks.reasoningField = word
            case "no_stream_options": quirks.refusesStreamOptions = true
            case "max_tokens": quirks.refusesMaxCompletionTokens = true
            case "keyless": quirks.keyless = true
            default: unknown.append(word)
            }
        }
        return (quirks, unknown)
    }

    /// Azure's content-filter annotations for a filtered answer or prompt.
    static let filterResults: JSONValue = [
        "hate": ["filtered": false, "severity": "safe"], "self_harm": ["filtered": false, "severity": "safe"],
        "sexual": ["filtered": false, "severity": "safe"], "violence": ["filtered": true, "severity": "medium"],
    ]

    /// Azure's 400 for a prompt its filter refused.
    static var promptFilteredBody: JSONValue {
        let message =
            "The response was filtered due to the prompt triggering Azure OpenAI's content management "
            + "policy. Please modify your prompt and retry."
        return [
            "error": [
                "message": .string(message),
                "type": nil, "param": "prompt", "code": "content_filter", "status": 400,
                "innererror": ["code": "ResponsibleAIPolicyViolation", "content_filter_result": filterResults],
            ]
        ]
    }
}
