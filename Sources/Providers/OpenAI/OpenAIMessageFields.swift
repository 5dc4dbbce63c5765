import JSON

/// The members that carry an OpenAI message's content: an answer's `message` and a stream
/// chunk's `delta` have the same ones. Each is kept as the value that came, read from a parsed
/// tree or in place (`JSONReader`), so the adapter and the stream decoder apply the same rules
/// whichever path read them.
struct OpenAIMessageFields: Equatable {
    var reasoningContent: JSONValue?
    var reasoning: JSONValue?
    var content: JSONValue?
    var refusal: JSONValue?
    var toolCalls: JSONValue?

    init() {}

    /// From a parsed message or delta.
    init(_ object: JSONValue) {
        reasoningContent = object["reasoning_content"]
        reasoning = object["reasoning"]
        content = object["content"]
        refusal = object["refusal"]
        toolCalls = object["tool_calls"]
    }

    /// Reads a message or delta in place. Whatever an earlier member of the same name held is
    /// gone, as a later duplicate key replaces the earlier value whole in the tree.
    mutating func read(_ reader: inout JSONReader) throws(JSONParseError) {
        self = OpenAIMessageFields()
        _ = try reader.object { (key, value) throws(JSONParseError) in
            if key.equals("content") {
                content = try value.value()
            } else if key.equals("reasoning_content") {
                reasoningContent = try value.value()
            } else if key.equals("reasoning") {
                reasoning = try value.value()
            } else if key.equals("refusal") {
                refusal = try value.value()
            } else if key.equals("tool_calls") {
                toolCalls = try value.value()
            }
        }
    }
}
