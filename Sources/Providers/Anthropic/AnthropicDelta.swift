import JSON

/// One `content_block_delta`, the event nearly every chunk of an answer is: the block's index
/// and the delta's type with the string fields the decoder uses.
///
/// `scan` reads it straight from the event's text without building a tree (the hot path);
/// `init(_:)` takes it from a parsed event (every other path). Both read the same fields with
/// the same rules (a missing or non-integer index is 0, a field that is not a string is absent,
/// the last of duplicate keys counts), so the decoder cannot tell which one ran.
struct AnthropicDelta: Equatable {
    var index = 0
    var type: String?
    var text: String?
    var thinking: String?
    var signature: String?
    var partialJSON: String?

    init() {}

    /// From a parsed `content_block_delta` event.
    init(_ event: JSONValue) {
        index = event["index"]?.intValue ?? 0
        let delta = event["delta"]
        type = delta?["type"]?.stringValue
        text = delta?["text"]?.stringValue
        thinking = delta?["thinking"]?.stringValue
        signature = delta?["signature"]?.stringValue
        partialJSON = delta?["partial_json"]?.stringValue
    }

    /// The delta, when `data` is a well-formed `content_block_delta` event (its `type` says
    /// so); nil otherwise, for the full parse to handle.
    static func scan(_ data: String) -> AnthropicDelta? {
        var data = data
        return data.withUTF8 { scan(UnsafeRawBufferPointer($0)) }
    }

    /// As above, from the event's bytes in place.
    static func scan(_ data: UnsafeRawBufferPointer) -> AnthropicDelta? {
        var delta = AnthropicDelta()
        var isDelta = false
        do {
            try JSONReader.read(data) { (event) throws(JSONParseError) in
                _ = try event.object { (key, value) throws(JSONParseError) in
                    if key.equals("type") {
                        isDelta = try value.isString("content_block_delta")
                    } else if key.equals("index") {
                        delta.index = try value.number()?.intValue ?? 0
                    } else if key.equals("delta") {
                        let index = delta.index
                        delta = AnthropicDelta()  // a repeated `delta` replaces the earlier one whole
                        delta.index = index
                        try delta.read(&value)
                    }
                }
            }
        } catch {
            return nil
        }
        return isDelta ? delta : nil
    }

    private mutating func read(_ reader: inout JSONReader) throws(JSONParseError) {
        _ = try reader.object { (key, value) throws(JSONParseError) in
            if key.equals("type") {
                type = try value.string()
            } else if key.equals("text") {
                text = try value.string()
            } else if key.equals("thinking") {
                thinking = try value.string()
            } else if key.equals("signature") {
                signature = try value.string()
            } else if key.equals("partial_json") {
                partialJSON = try value.string()
            }
        }
    }
}
