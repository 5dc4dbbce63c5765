import ChatModel
import JSON

/// The members `AnthropicAdapter.decodeResponse` reads from a Messages answer, read in place
/// from its bytes: `content` is built as a tree (its blocks go on as they came, server tools
/// whole), `id`, `model` and `stop_reason` as values, the usage counts one by one, and the rest
/// (`type`, `role`, `stop_sequence`, …) is scanned past. Each member keeps the value that came,
/// so the adapter applies the tree's rules: a later duplicate key replaces the earlier one's
/// value whole, a member of the wrong kind reads as absent, and a document the full parse
/// refuses is refused.
struct AnthropicAnswer {
    var id: JSONValue?
    var model: JSONValue?
    var content: JSONValue?
    var stopReason: JSONValue?
    var usage = UsageCounts()

    /// `usage`'s counts as they came (`AnthropicUsage.take` reads the same from a tree).
    struct UsageCounts {
        var input: JSONValue?
        var output: JSONValue?
        var cacheWrite: JSONValue?
        var cacheRead: JSONValue?
        /// `cache_creation.ephemeral_1h_input_tokens`.
        var cacheWrite1h: JSONValue?

        var unified: Usage {
            var counts = AnthropicUsage()
            if let n = Usage.count(input) { counts.input = n }
            if let n = Usage.count(output) { counts.output = n }
            if let n = Usage.count(cacheWrite) { counts.cacheWrite = n }
            if let n = Usage.count(cacheRead) { counts.cacheRead = n }
            if let n = Usage.count(cacheWrite1h) { counts.cacheWrite1h = n }
            return counts.unified
        }
    }

    /// The answer in `body`; nil when the body is not JSON (the full parse would throw).
    static func read(_ body: [UInt8]) -> AnthropicAnswer? {
        var answer = AnthropicAnswer()
        do {
            try JSONReader.read(body) { (reader) throws(JSONParseError) in
                _ = try reader.object { (key, value) throws(JSONParseError) in
                    if key.equals("content") {
                        answer.content = try value.value()
                    } else if key.equals("usage") {
                        answer.usage = UsageCounts()
                        _ = try value.object { (key, value) throws(JSONParseError) in
                            try answer.usage.read(key, &value)
                        }
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

extension AnthropicAnswer.UsageCounts {
    /// One member of `usage`, the keys of `AnthropicUsage.fields`.
    fileprivate mutating func read(_ key: JSONKey, _ value: inout JSONReader) throws(JSONParseError) {
        if key.equals("input_tokens") {
            input = try value.value()
        } else if key.equals("output_tokens") {
            output = try value.value()
        } else if key.equals("cache_creation_input_tokens") {
            cacheWrite = try value.value()
        } else if key.equals("cache_read_input_tokens") {
            cacheRead = try value.value()
        } else if key.equals("cache_creation") {
            cacheWrite1h = nil
            _ = try value.object { (key, value) throws(JSONParseError) in
                if key.equals("ephemeral_1h_input_tokens") { cacheWrite1h = try value.value() }
            }
        }
    }
}
