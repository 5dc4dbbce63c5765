import ChatModel
import JSON

/// `POST /v1/messages`: Anthropic's SDKs, any provider behind them. Requests are read by
/// `AnthropicRequestTranslator`, answers written by `AnthropicEventEncoder`.
public struct AnthropicDoor: FrontDoor {
    public init() {}

    public func decode(
        _ json: JSONValue
    ) throws(GatewayError) -> (request: ChatRequest, encoder: AnthropicEventEncoder) {
        (try AnthropicRequestTranslator.translate(json), AnthropicEventEncoder())
    }

    public func error(_ error: GatewayError, requestId: String) -> [UInt8] {
        AnthropicEventEncoder.errorBody(error, requestId: requestId)
    }
}
