import ChatModel
import HTTPTypes
import JSON

/// OpenAI Chat Completions, and every server that speaks it (`compat` says how it differs).
public struct OpenAIAdapter: ProviderAdapter {
    /// The configured provider's name ("openai", "ollama", …).
    public let name: String
    public let compat: OpenAICompat

    public init(name: String = "openai", compat: OpenAICompat = OpenAICompat()) {
        self.name = name
        self.compat = compat
    }

    public func upstreamRequest(
        for request: ChatRequest, model: String, endpoint: ProviderEndpoint,
        stream: Bool
    ) throws(GatewayError) -> UpstreamRequest {
        let body = try OpenAIRequestWriter.bytes(request, model: model, stream: stream, compat: compat)
        var headers = HTTPHeaders()
        headers.reserveCapacity(3)  // grown one field at a time, the array was allocated three times
        // A keyless local server gets no Authorization header at all (some reject an empty bearer).
        if compat.requiresKey || !endpoint.apiKey.isEmpty { headers.add("Authorization", "Bearer \(endpoint.apiKey)") }
        headers.add("Content-Type", "application/json")
        headers.add("Accept", stream ? "text/event-stream" : "application/json")
        return endpoint.request(path: "/v1/chat/completions", headers: headers, body: body)
    }

    public func makeStreamDecoder(model: String) -> any ProviderStreamDecoder {
        OpenAIStreamDecoder(model: model, provider: name, reasoningField: compat.reasoningField)
    }

    /// A `chat.completion` object → the unified response, read in place (`OpenAIAnswer`: no
    /// tree for the answer, which cost a third of a small request's instructions).
    public func decodeResponse(body: [UInt8], model: String) throws(UpstreamFailure) -> ChatResponse {
        let answer = OpenAIAnswer.read(body)
        guard let answer, answer.hasChoice else {
            // Some OpenAI-compatible servers answer 200 with an error object: keep its words.
            let detail = answer?.error?["message"]?.stringValue ?? "unreadable response"
            throw UpstreamFailure(
                error: GatewayError(
                    status: 502, type: .upstreamError,
                    message: "\(name): \(detail)", provider: name),
                retryable: false, retryAfterSeconds: nil)
        }
        var content: [ContentPart] = []
        let reasoningText: JSONValue?
        switch compat.reasoningField {
        case .reasoningContent?: reasoningText = answer.message.reasoningContent
        case .reasoning?: reasoningText = answer.message.reasoning
        case nil: reasoningText = answer.message.reasoningContent ?? answer.message.reasoning
        }
        if let reasoning = reasoningText?.stringValue, !reasoning.isEmpty {
            content.append(.thinking(ThinkingPart(text: reasoning)))
        }
        if let text = answer.message.content?.stringValue, !text.isEmpty { content.append(.text(TextPart(text: text))) }
        // A refusal replaces the content; dropping it would leave the client an empty answer.
        if let refusal = answer.message.refusal?.stringValue, !refusal.isEmpty {
            content.append(.text(TextPart(text: refusal)))
        }
        for call in answer.message.toolCalls?.arrayValue ?? [] {
            content.append(
                .toolCall(
                    ToolCallPart(
                        id: call["id"]?.stringValue ?? "", name: call["function"]?["name"]?.stringValue ?? "",
                        arguments: ToolCallAssembler.parseArguments(call["function"]?["arguments"]?.stringValue ?? "")))
            )
        }
        let raw = answer.finishReason ?? "stop"
        var logprobs: JSONValue?
        if let entries = answer.logprobsContent, entries.arrayValue != nil { logprobs = entries }
        return ChatResponse(
            id: answer.id ?? "", model: answer.model ?? model, provider: name,
            created: answer.created?.intValue ?? 0, content: content,
            finishReason: OpenAIFinishReason.unified(raw), providerFinishReason: raw,
            usage: answer.hasUsage ? answer.usage.unified : .zero, logprobs: logprobs)
    }

    /// `{"error":{"message","type","param","code"}}`.
    public func mapError(status: Int, headers: HTTPHeaders, body: [UInt8]) -> UpstreamFailure {
        let json = try? JSONValue.parse(body)
        let message = json?["error"]?["message"]?.stringValue ?? String(decoding: body.prefix(500), as: UTF8.self)
        var retryAfter = RetryHints.retryAfter(headers)
        if retryAfter == nil, status == 429 {
            retryAfter = Self.rateLimitReset(limit: json?["error"]?["type"]?.stringValue, headers: headers)
        }
        // insufficient_quota is a 429 that waiting will not fix.
        let override: Bool? = json?["error"]?["code"]?.stringValue == "insufficient_quota" ? false : nil
        return UpstreamErrorMapping.failure(
            provider: name, status: status, message: message, headers: headers,
            retryAfter: retryAfter, retryableOverride: override,
            param: json?["error"]?["param"]?.stringValue)
    }

    /// The wait a 429 implies from `x-ratelimit-reset-{requests,tokens}`: the limit the error
    /// names (its `type` is "requests" or "tokens"), else the exhausted one(s), else the longer.
    /// Taking the longer blindly would wait out a 6-minute token window after a 1-second
    /// request limit.
    static func rateLimitReset(limit: String?, headers: HTTPHeaders) -> Double? {
        func reset(_ kind: String) -> Double? {
            RetryHints.header("x-ratelimit-reset-\(kind)", headers).flatMap(RetryHints.duration)
        }
        if let limit, limit == "requests" || limit == "tokens", let seconds = reset(limit) { return seconds }
        let kinds = ["requests", "tokens"]
        let exhausted = kinds.filter { RetryHints.header("x-ratelimit-remaining-\($0)", headers) == "0" }
        return (exhausted.isEmpty ? kinds : exhausted).compactMap(reset).max()
    }
}
