import ChatModel
import JSON

/// One dialect clients call the gateway in (`/v1/chat`, `/v1/chat/completions`,
/// `/v1/messages`): it reads the client's request body straight into the unified request and
/// makes the encoder that answers that request in the same dialect.
///
/// ```swift
/// let (request, encoder) = try OpenAIDoor().decode(json)   // 400s name the client's fields
/// encoder.encode(.text("hi"), into: &out)                 // `data: {"object":"chat.completion.chunk",…}`
/// ```
public protocol FrontDoor: Sendable {
    associatedtype Encoder: ChatEncoder
    /// The client's JSON body → the unified request, and the encoder for its answer (which keeps
    /// what the door read for itself, e.g. OpenAI's `stream_options.include_usage`). A refused
    /// or malformed field is a 400 whose `param` is the client's own path (`messages[1].content`).
    func decode(_ json: JSONValue) throws(GatewayError) -> (request: ChatRequest, encoder: Encoder)
    /// An error before a request could be read (authentication, a body that is not JSON, a
    /// refused field), in this door's shape: the same body its encoder writes for `error`.
    func error(_ error: GatewayError, requestId: String) -> [UInt8]
}

/// `POST /v1/chat`: the unified API itself (SPEC §3–5).
public struct UnifiedDoor: FrontDoor {
    public init() {}

    public func decode(_ json: JSONValue) throws(GatewayError) -> (request: ChatRequest, encoder: UnifiedEncoder) {
        (try ChatRequest.decode(json), UnifiedEncoder())
    }

    public func error(_ error: GatewayError, requestId: String) -> [UInt8] { error.body(requestId: requestId) }
}
