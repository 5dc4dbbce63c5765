import ChatModel
import Glibc
import HTTPTypes
import JSON

/// Anthropic Messages.
public struct AnthropicAdapter: ProviderAdapter {
    /// The configured provider's name.
    public let name: String
    public static let version = "2023-06-01"
    /// Anthropic sends no timestamp; `created` comes from here (injectable for tests).
    private let clock: @Sendable () -> Int

    public init(name: String = "anthropic", clock: @escaping @Sendable () -> Int = { Int(time(nil)) }) {
        self.name = name
        self.clock = clock
    }

    public func upstreamRequest(
        for request: ChatRequest, model: String, endpoint: ProviderEndpoint,
        stream: Bool
    ) throws(GatewayError) -> UpstreamRequest {
        let body = try AnthropicRequestWriter.bytes(request, model: model, stream: stream)
        var headers: HTTPHeaders = [
            ("x-api-key", endpoint.apiKey), ("anthropic-version", Self.version),
            ("content-type", "application/json"),
        ]
        switch request.providerOptions["anthropic"]?["anthropic-beta"] {
        case .string(let beta)?: headers.add("anthropic-beta", beta)
        case .array(let betas)?: headers.add("anthropic-beta", betas.compactMap(\.stringValue).joined(separator: ","))
        default: break
        }
        return endpoint.request(path: "/v1/messages", headers: headers, body: body)
    }

    public func makeStreamDecoder(model: String) -> any ProviderStreamDecoder {
        AnthropicStreamDecoder(model: model, created: clock())
    }

    public func makeStreamDecoder(model: String, for request: ChatRequest) -> any ProviderStreamDecoder {
        AnthropicStreamDecoder(
            model: model, created: clock(),
            answerTool: AnthropicStructuredOutput.answerToolName(request, model: model))
    }

    public func decodeResponse(
        body: [UInt8], model: String,
        for request: ChatRequest
    ) throws(UpstreamFailure) -> ChatResponse {
        let answerTool = AnthropicStructuredOutput.answerToolName(request, model: model)
        return try decodeResponse(body: body, model: model, answerTool: answerTool)
    }

    public func decodeResponse(body: [UInt8], model: String) throws(UpstreamFailure) -> ChatResponse {
        try decodeResponse(body: body, model: model, answerTool: nil)
    }

    /// The answer read in place (`AnthropicAnswer`: no tree for the whole document).
    func decodeResponse(body: [UInt8], model: String, answerTool: String?) throws(UpstreamFailure) -> ChatResponse {
        guard let answer = AnthropicAnswer.read(body), let blocks = answer.content?.arrayValue else {
            throw UpstreamFailure(
                error: GatewayError(
                    status: 502, type: .upstreamError, message: "anthropic: unreadable response",
                    provider: name), retryable: false, retryAfterSeconds: nil)
        }
        return response(answer, blocks: blocks, usage: answer.usage.unified, model: model, answerTool: answerTool)
    }

    /// The unified answer from the members read (the tests read them from a tree too).
    func response(
        _ answer: AnthropicAnswer, blocks: [JSONValue], usage: Usage, model: String, answerTool: String?
    ) -> ChatResponse {
        var content: [ContentPart] = []
        for block in blocks {
            if let answer = AnthropicStreamDecoder.answerContent(block, answerTool: answerTool) {
                content.append(answer)
                continue
            }
            switch block["type"]?.stringValue {
            case "text": content.append(.text(TextPart(text: block["text"]?.stringValue ?? "")))
            case "thinking":
                content.append(
                    .thinking(
                        ThinkingPart(
                            text: block["thinking"]?.stringValue ?? "",
                            signature: block["signature"]?.stringValue.map {
                                SignatureTag.tag($0, provider: "anthropic")
                            })))
            case "redacted_thinking":
                content.append(.thinking(ThinkingPart(redacted: block["data"]?.stringValue ?? "")))
            case "tool_use":
                content.append(
                    .toolCall(
                        ToolCallPart(
                            id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "",
                            arguments: block["input"] ?? .object(JSONObject()))))
            default:
                if let part = AnthropicServerTools.part(block) { content.append(.serverTool(part)) }
            }
        }
        let raw = answer.stopReason?.stringValue
        let finish =
            AnthropicStreamDecoder.answerFinish(raw ?? "", answerTool: answerTool)
            ?? AnthropicStopReason.unified(raw ?? "end_turn")
        return ChatResponse(
            id: answer.id?.stringValue ?? "", model: answer.model?.stringValue ?? model, provider: name,
            created: clock(), content: content, finishReason: finish,
            providerFinishReason: raw, usage: usage)
    }

    /// `{"type":"error","error":{"type","message"}}`; 529 is overload.
    public func mapError(status: Int, headers: HTTPHeaders, body: [UInt8]) -> UpstreamFailure {
        let json = try? JSONValue.parse(body)
        let message = json?["error"]?["message"]?.stringValue ?? String(decoding: body.prefix(500), as: UTF8.self)
        return UpstreamErrorMapping.failure(provider: name, status: status, message: message, headers: headers)
    }
}
