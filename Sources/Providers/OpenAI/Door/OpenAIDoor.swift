import ChatModel
import JSON

/// `POST /v1/chat/completions`: OpenAI's SDKs, any provider behind them. Requests are read by
/// `OpenAIRequestTranslator`, answers written by `OpenAIChunkEncoder`.
public struct OpenAIDoor: FrontDoor {
    public init() {}

    public func decode(_ json: JSONValue) throws(GatewayError) -> (request: ChatRequest, encoder: OpenAIChunkEncoder) {
        let (request, includeUsage) = try OpenAIRequestTranslator.translate(json)
        return (request, OpenAIChunkEncoder(includeUsage: includeUsage))
    }

    public func error(_ error: GatewayError, requestId: String) -> [UInt8] { OpenAIChunkEncoder.errorBody(error) }
}
