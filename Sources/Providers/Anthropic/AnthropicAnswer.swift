import JSON

/// The members `AnthropicAdapter.decodeResponse` reads from a Messages answer, read in place
/// from its bytes: `content` and `usage` are built as trees (content blocks go on as they came,
/// server tools whole), `id`, `model` and `stop_reason` as values, and the rest (`type`,
/// `role`, `stop_sequence`, …) is scanned past. A later duplicate key replaces the earlier
/// one's value, as in the tree; a document the full parse refuses is refused.
struct AnthropicAnswer {
    var id: JSONValue?
    var model: JSONValue?
    var content: JSONValue?
    var stopReason: JSONValue?
    var usage: JSONValue?

    /// The answer in `body`; nil when the body is not JSON (the full parse would throw).
    static func read(_ body: [UInt8]) -> AnthropicAnswer? {
        var answer = AnthropicAnswer()
        do {
            try JSONReader.read(body) { (reader) throws(JSONParseError) in
                _ = try reader.object { (key, value) throws(JSONParseError) in
                    if key.equals("content") {
                        answer.content = try value.value()
                    } else if key.equals("usage") {
                        answer.usage = try value.value()
                    } else if key.equals("id") {
                        answer.id = try value.value()
                    } else if key.equals("model") {
                        answer.model = try value.value()
                    } else if key.equals("stop_reason") {
                        answer.stopReason = try value.value()
                    }
                }
            }
        } catch {
            return nil
        }
        return answer
    }
}
