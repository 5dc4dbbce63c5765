import ChatModel
import JSON
import Upstream

/// OpenAI Chat Completions.
public struct OpenAIAdapter: ProviderAdapter {
    public let name = "openai"

    public init() {}

    public func upstreamRequest(for request: ChatRequest, model: String, endpoint: ProviderEndpoint,
                                stream: Bool) throws(GatewayError) -> UpstreamRequest {
        var body: [UInt8] = []
        JSONValue.object(OpenAIRequestMapper.body(request, model: model, stream: stream)).write(into: &body)
        return endpoint.request(path: "/v1/chat/completions",
                                headers: [("Authorization", "Bearer \(endpoint.apiKey)"), ("Content-Type", "application/json"),
                                          ("Accept", stream ? "text/event-stream" : "application/json")],
                                body: body)
    }

    public func makeStreamDecoder(model: String) -> any ProviderStreamDecoder {
        OpenAIStreamDecoder(model: model)
    }

    /// A `chat.completion` object → the unified response.
    public func decodeResponse(body: [UInt8], model: String) throws(UpstreamFailure) -> ChatResponse {
        guard let json = try? JSONValue.parse(body), let choice = json["choices"]?[0] else {
            throw UpstreamFailure(error: GatewayError(status: 502, type: .upstreamError,
                                                      message: "openai: unreadable response", provider: name),
                                  retryable: false, retryAfterSeconds: nil)
        }
        let message = choice["message"]
        var content: [ContentPart] = []
        if let reasoning = (message?["reasoning_content"] ?? message?["reasoning"])?.stringValue, !reasoning.isEmpty {
            content.append(.thinking(ThinkingPart(text: reasoning)))
        }
        if let text = message?["content"]?.stringValue, !text.isEmpty { content.append(.text(TextPart(text: text))) }
        for call in message?["tool_calls"]?.arrayValue ?? [] {
            content.append(.toolCall(ToolCallPart(
                id: call["id"]?.stringValue ?? "", name: call["function"]?["name"]?.stringValue ?? "",
                arguments: ToolCallAssembler.parseArguments(call["function"]?["arguments"]?.stringValue ?? ""))))
        }
        let raw = choice["finish_reason"]?.stringValue ?? "stop"
        return ChatResponse(id: json["id"]?.stringValue ?? "", model: json["model"]?.stringValue ?? model, provider: name,
                            created: json["created"]?.intValue ?? 0, content: content,
                            finishReason: OpenAIStreamDecoder.finishReason(raw), providerFinishReason: raw,
                            usage: json["usage"].map(OpenAIStreamDecoder.usage) ?? .zero)
    }

    /// `{"error":{"message","type","param","code"}}`.
    public func mapError(status: Int, headers: [(String, String)], body: [UInt8]) -> UpstreamFailure {
        let json = try? JSONValue.parse(body)
        let message = json?["error"]?["message"]?.stringValue ?? String(decoding: body.prefix(500), as: UTF8.self)
        var retryAfter = RetryHints.retryAfter(headers)
        if retryAfter == nil, status == 429 {
            retryAfter = [RetryHints.header("x-ratelimit-reset-requests", headers), RetryHints.header("x-ratelimit-reset-tokens", headers)]
                .compactMap { $0.flatMap(RetryHints.duration) }.max()
        }
        // insufficient_quota is a 429 that waiting will not fix.
        let override: Bool? = json?["error"]?["code"]?.stringValue == "insufficient_quota" ? false : nil
        return UpstreamErrorMapping.failure(provider: name, status: status, message: message, headers: headers,
                                            retryAfter: retryAfter, retryableOverride: override)
    }
}
