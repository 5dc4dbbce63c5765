import JSON
import SSE

/// Reuses the stream decoder's usage arithmetic for a non-stream response's `usage` object,
/// so both paths count tokens the same way.
enum AnthropicUsageEvent {
    static func usage(_ usage: JSONValue?) -> SSEEvent {
        var message = JSONObject([("type", "message_start")])
        message["message"] = .object(JSONObject([("usage", usage ?? .object(JSONObject()))]))
        return SSEEvent(event: "message_start", data: JSONValue.object(message).serialized())
    }
}
