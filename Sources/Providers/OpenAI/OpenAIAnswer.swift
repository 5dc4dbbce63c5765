import ChatModel
import JSON

/// What `OpenAIAdapter.decodeResponse` reads from a `chat.completion` object, read in place
/// from its bytes: only the members the adapter uses are built (the message's strings, the
/// usage counts), the rest (fingerprint, annotations, details it does not map, …) is scanned
/// past. Each member keeps the value that came, so the adapter applies the same rules as it
/// did to the tree: a later duplicate key replaces the earlier one's value whole, a member of
/// the wrong kind reads as absent, and a document the full parse refuses is refused.
struct OpenAIAnswer {
    var id: String?
    var model: String?
    var created: JSONNumber?
    /// `choices` is an array with a first element (of any kind).
    var hasChoice = false
    /// The first choice's `message` members.
    var message = OpenAIMessageFields()
    var finishReason: String?
    /// The first choice's `logprobs.content`.
    var logprobsContent: JSONValue?
    /// `usage` was present (of any kind), and its counts.
    var hasUsage = false
    var usage = UsageCounts()
    /// `error`, kept for the words of a 200 that carries one.
    var error: JSONValue?

    /// Chat Completions' usage counts as they came (`OpenAIUsage.unified` reads the same).
    struct UsageCounts {
        var prompt: JSONNumber?
        var completion: JSONNumber?
        var total: JSONNumber?
        var cached: JSONNumber?
        var reasoning: JSONNumber?

        var unified: Usage {
            Usage(
                inputTokens: Usage.count(read: prompt) ?? 0, outputTokens: Usage.count(read: completion) ?? 0,
                cacheReadTokens: Usage.count(read: cached) ?? 0, reasoningTokens: Usage.count(read: reasoning) ?? 0,
                totalTokens: Usage.count(read: total))
        }
    }

    /// The answer in `body`; nil when the body is not JSON (the full parse would throw).
    static func read(_ body: [UInt8]) -> OpenAIAnswer? {
        var answer = OpenAIAnswer()
        do {
            try JSONReader.read(body) { (reader) throws(JSONParseError) in
                _ = try reader.object { (key, value) throws(JSONParseError) in
                    try answer.readMember(key, &value)
                }
            }
        } catch {
            return nil
        }
        return answer
    }

    private mutating func readMember(_ key: JSONKey, _ value: inout JSONReader) throws(JSONParseError) {
        if key.equals("choices") {
            clearChoice()
            _ = try value.array { (position, element) throws(JSONParseError) in
                guard position == 0 else { return }
                hasChoice = true
                try readChoice(&element)
            }
        } else if key.equals("usage") {
            hasUsage = true
            usage = UsageCounts()
            _ = try value.object { (key, value) throws(JSONParseError) in try usage.read(key, &value) }
        } else if key.equals("id") {
            id = try value.string()
        } else if key.equals("model") {
            model = try value.string()
        } else if key.equals("created") {
            created = try value.number()
        } else if key.equals("error") {
            error = try value.value()
        }
    }

    private mutating func clearChoice() {
        hasChoice = false
        message = OpenAIMessageFields()
        (finishReason, logprobsContent) = (nil, nil)
    }

    private mutating func readChoice(_ reader: inout JSONReader) throws(JSONParseError) {
        _ = try reader.object { (key, value) throws(JSONParseError) in
            if key.equals("message") {
                try message.read(&value)
            } else if key.equals("finish_reason") {
                finishReason = try value.string()
            } else if key.equals("logprobs") {
                logprobsContent = nil
                _ = try value.object { (key, value) throws(JSONParseError) in
                    if key.equals("content") { logprobsContent = try value.value() }
                }
            }
        }
    }
}

extension OpenAIAnswer.UsageCounts {
    fileprivate mutating func read(_ key: JSONKey, _ value: inout JSONReader) throws(JSONParseError) {
        if key.equals("prompt_tokens") {
            prompt = try value.number()
        } else if key.equals("completion_tokens") {
            completion = try value.number()
        } else if key.equals("total_tokens") {
            total = try value.number()
        } else if key.equals("prompt_tokens_details") {
            cached = nil
            _ = try value.object { (key, value) throws(JSONParseError) in
                if key.equals("cached_tokens") { cached = try value.number() }
            }
        } else if key.equals("completion_tokens_details") {
            reasoning = nil
            _ = try value.object { (key, value) throws(JSONParseError) in
                if key.equals("reasoning_tokens") { reasoning = try value.number() }
            }
        }
    }
}
