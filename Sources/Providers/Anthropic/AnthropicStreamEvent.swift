import JSON

/// One Messages stream event other than `content_block_delta` (which `AnthropicDelta` reads):
/// the fields the decoder takes from `message_start`, `content_block_start`,
/// `content_block_stop`, `message_delta`, `message_stop`, `ping` and `error`.
///
/// `scan` reads them straight from the event's text (issue 13: every stream has five or six
/// such events, and a tree per event was a sixth of a short stream's cost); only the members
/// passed on whole (`usage`, `content_block`, `error`) are built. `init(_:)` takes the same
/// fields from a parsed event. Both follow the tree's rules (a member of the wrong type is
/// absent, a missing or non-integer index is 0, the last of duplicate keys counts), so the
/// decoder cannot tell which one ran (`AnthropicStreamEventTests`).
struct AnthropicStreamEvent: Equatable {
    var type: String?
    var index = 0
    var messageID: String?
    var messageModel: String?
    var messageUsage: JSONValue?
    var contentBlock: JSONValue?
    var stopReason: String?
    var usage: JSONValue?
    var error: JSONValue?

    init() {}

    /// From a parsed event.
    init(_ event: JSONValue) {
        type = event["type"]?.stringValue
        index = event["index"]?.intValue ?? 0
        let message = event["message"]
        messageID = message?["id"]?.stringValue
        messageModel = message?["model"]?.stringValue
        messageUsage = message?["usage"]
        contentBlock = event["content_block"]
        stopReason = event["delta"]?["stop_reason"]?.stringValue
        usage = event["usage"]
        error = event["error"]
    }

    /// The event's fields, when `data` is well-formed JSON; nil otherwise (the full parse then
    /// refuses it too).
    static func scan(_ data: String) -> AnthropicStreamEvent? {
        var event = AnthropicStreamEvent()
        do {
            try JSONReader.read(data) { (document) throws(JSONParseError) in
                _ = try document.object { (key, value) throws(JSONParseError) in
                    try event.readMember(key, &value)
                }
            }
        } catch {
            return nil
        }
        return event
    }

    private mutating func readMember(_ key: JSONKey, _ value: inout JSONReader) throws(JSONParseError) {
        if key.equals("type") {
            type = try value.string()
        } else if key.equals("index") {
            index = try value.value().intValue ?? 0
        } else if key.equals("message") {
            // A repeated `message` replaces the earlier one whole.
            (messageID, messageModel, messageUsage) = (nil, nil, nil)
            _ = try value.object { (key, value) throws(JSONParseError) in
                if key.equals("id") {
                    messageID = try value.string()
                } else if key.equals("model") {
                    messageModel = try value.string()
                } else if key.equals("usage") {
                    messageUsage = try value.value()
                }
            }
        } else if key.equals("content_block") {
            contentBlock = try value.value()
        } else if key.equals("delta") {
            stopReason = nil
            _ = try value.object { (key, value) throws(JSONParseError) in
                if key.equals("stop_reason") { stopReason = try value.string() }
            }
        } else if key.equals("usage") {
            usage = try value.value()
        } else if key.equals("error") {
            error = try value.value()
        }
    }
}
