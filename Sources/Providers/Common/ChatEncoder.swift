import ChatModel
import JSON

/// How one front door writes a chat answer: the stream's frames, the non-stream body, and
/// errors. One instance per request (a stream encoder may keep state, e.g. OpenAI's chunk id).
/// Loop-confined, like the request.
public protocol ChatEncoder: AnyObject {
    /// Appends the wire bytes for one unified event.
    func encode(_ event: StreamEvent, into out: inout [UInt8])
    /// The whole non-streamed answer.
    func response(_ response: ChatResponse) -> [UInt8]
    /// An error before the first byte, in this front door's shape.
    func error(_ error: GatewayError, requestId: String) -> [UInt8]
    /// Usage the provider reported before the answer's first event was written (Anthropic's
    /// `message_start`, Gemini's first chunk): called just before `.start` is encoded.
    func knownUsageAtStart(_ usage: Usage)
}

extension ChatEncoder {
    public func knownUsageAtStart(_ usage: Usage) {}
}

/// The unified API of SPEC §4–5.
public final class UnifiedEncoder: ChatEncoder {
    public init() {}

    public func encode(_ event: StreamEvent, into out: inout [UInt8]) { event.writeSSE(into: &out) }

    public func response(_ response: ChatResponse) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        response.writeJSON(into: &out)
        return out
    }

    public func error(_ error: GatewayError, requestId: String) -> [UInt8] { error.body(requestId: requestId) }
}
