import ChatModel
import JSON

/// `POST /v1/responses`: OpenAI's Responses API, any provider behind it. Requests are read by
/// `ResponsesRequestTranslator`, answers written by `ResponsesEventEncoder`; errors in OpenAI's
/// shape and words (`OpenAIErrorVocabulary`).
///
/// The door does no I/O: the endpoint hands it the stored conversation of a
/// `previous_response_id` (`history`) and receives each finished response to store
/// (`finished`, called only when the request asked to store it).
public struct ResponsesDoor: FrontDoor {
    /// A finished response and the conversation's input items it answered.
    public typealias Finished = @Sendable (_ response: JSONValue, _ inputItems: [JSONValue]) -> Void

    private let responseId: String
    private let createdAt: Int
    private let history: @Sendable (String) throws(GatewayError) -> [JSONValue]
    private let finished: Finished

    /// `responseId`: `resp_` and a random part (item ids are made from it).
    public init(
        responseId: String, createdAt: Int, history: @escaping @Sendable (String) throws(GatewayError) -> [JSONValue],
        finished: @escaping Finished
    ) {
        self.responseId = responseId
        self.createdAt = createdAt
        self.history = history
        self.finished = finished
    }

    public func decode(_ json: JSONValue) throws(GatewayError) -> (request: ChatRequest, encoder: ResponsesEventEncoder)
    {
        let read = try ResponsesRequestTranslator.translate(json, history: history)
        let finished = self.finished
        let encoder = ResponsesEventEncoder(responseId: responseId, echo: read.echo, createdAt: createdAt) {
            [store = read.store, items = read.inputItems] response in
            if store { finished(response, items) }
        }
        return (read.chat, encoder)
    }

    public func error(_ error: GatewayError, requestId: String) -> [UInt8] { Self.errorBody(error) }

    /// `{"error":{"message","type","param","code"}}` in OpenAI's words, also for the stored
    /// responses' endpoints.
    public static func errorBody(_ error: GatewayError) -> [UInt8] { OpenAIChunkEncoder.errorBody(error) }
}
