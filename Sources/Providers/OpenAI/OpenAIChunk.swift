import JSON

/// What `OpenAIStreamDecoder` reads from one choice of a chunk: the delta's fields, the
/// logprobs (unless `null`) and the finish reason (when a string), the same whichever path read
/// them (in place, or from a parsed tree).
struct OpenAIChoice: Equatable {
    /// As a number read in place (no value built); any other kind counts as absent.
    var index: JSONNumber?
    /// The choice has a `delta` member (of any kind).
    var hasDelta = false
    var delta = OpenAIMessageFields()
    /// nil when absent or `null`.
    var logprobs: JSONValue?
    /// The finish reason when it is a string (the decoder uses no other kind).
    var finishReason: String?

    init() {}

    /// From a parsed choice.
    init(_ choice: JSONValue) {
        if case .number(let literal)? = choice["index"] { index = JSONNumber(literal: literal) }
        if let delta = choice["delta"] {
            hasDelta = true
            self.delta = OpenAIMessageFields(delta)
        }
        // Not `nil` in a ternary: JSONValue takes the nil literal as `.null`.
        if let value = choice["logprobs"], !value.isNull { logprobs = value }
        finishReason = choice["finish_reason"]?.stringValue
    }

    /// The choice counts for the answer (the first, index 0).
    var isFirst: Bool { (index?.intValue ?? 0) == 0 }

    fileprivate mutating func read(_ reader: inout JSONReader) throws(JSONParseError) {
        _ = try reader.object { (key, value) throws(JSONParseError) in
            if key.equals("delta") {
                hasDelta = true
                try delta.read(&value)
            } else if key.equals("index") {
                index = try value.number()
            } else if key.equals("finish_reason") {
                finishReason = try value.string()
            } else if key.equals("logprobs") {
                logprobs = try value.valueUnlessNull()
            }
        }
    }
}

/// A started answer's chunk read in place, without a tree for the chunk, its choice or its
/// delta: only the members the decoder uses are built (`content` and the like), the rest
/// (id, model, fingerprint, role, …) is scanned past. nil for a chunk with more than one
/// choice or malformed JSON: the decoder parses those.
struct OpenAIChunk: Equatable {
    var choice: OpenAIChoice?
    var usage: JSONValue?
    var error: JSONValue?

    static func scan(_ data: String) -> OpenAIChunk? {
        var data = data
        var skipped = JSONSkippedMembers()
        return data.withUTF8 { scan(UnsafeRawBufferPointer($0), skipped: &skipped) }
    }

    /// The only top-level members `scan` reads.
    static let members = JSONKeyFilter(["choices", "usage", "error"])

    /// As above, from the event's bytes in place. `skipped`: the stream's previous chunk's
    /// members around the wanted ones (id, object, created, model, fingerprint), not scanned
    /// again when this chunk has the same bytes there.
    static func scan(_ data: UnsafeRawBufferPointer, skipped: inout JSONSkippedMembers) -> OpenAIChunk? {
        var chunk = OpenAIChunk()
        var whole = true
        do {
            try JSONReader.read(data) { (reader) throws(JSONParseError) in
                let isObject = try reader.object(skipping: &skipped, before: members) {
                    (key, value) throws(JSONParseError) in
                    if key.equals("choices") {
                        chunk.choice = nil
                        _ = try value.array { (position, element) throws(JSONParseError) in
                            guard position == 0 else {
                                whole = false
                                return
                            }
                            var choice = OpenAIChoice()
                            try choice.read(&element)
                            chunk.choice = choice
                        }
                    } else if key.equals("usage") {
                        chunk.usage = try value.value()
                    } else if key.equals("error") {
                        chunk.error = try value.value()
                    }
                }
                if !isObject { whole = false }
            }
        } catch {
            return nil
        }
        return whole ? chunk : nil
    }
}
