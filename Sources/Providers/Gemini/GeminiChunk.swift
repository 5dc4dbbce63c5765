import Arithmetic
import ChatModel
import JSON

/// The fields of one streamed GenerateContentResponse that an ordinary chunk uses, read in
/// place without building a tree: the first candidate's one part (text, or a thought), its
/// finish reason, the usage counts, and the response's id and model version (which the first
/// chunk starts the answer with).
///
/// `scan` gives nil for anything else — an error, a prompt block, logprobs, a function call, a
/// thought signature, more than one part, malformed JSON — and the decoder parses those whole.
/// Where both paths apply they read the same fields with the same rules (the last of duplicate
/// keys counts; a field of the wrong kind is absent).
struct GeminiChunk: Equatable {
    var text: String?
    var thought: Bool?
    var finishReason: String?
    var usage = GeminiUsageCounts()
    var responseId: String?
    var modelVersion: String?

    /// `starting`: the answer has not started, so the response's id and model version are
    /// read too (later chunks repeat them; reading them there would cost two strings a chunk).
    static func scan(_ data: String, starting: Bool = false) -> GeminiChunk? {
        var data = data
        return data.withUTF8 { scan(UnsafeRawBufferPointer($0), starting: starting) }
    }

    /// As above, from the event's bytes in place.
    static func scan(_ data: UnsafeRawBufferPointer, starting: Bool = false) -> GeminiChunk? {
        var skipped = Skipped()
        return scan(data, starting: starting, skipped: &skipped)
    }

    /// The members each object of the stream's chunks repeats around the ones read (the
    /// response's model version and id, the candidate's index, the content's role, the usage's
    /// token details), as the last chunk read in place had them.
    struct Skipped {
        var response = JSONSkippedMembers()
        var candidate = JSONSkippedMembers()
        var content = JSONSkippedMembers()
        var usage = JSONSkippedMembers()
    }

    /// The members each object's visitor reads (any other is skipped).
    private static let responseMembers = JSONKeyFilter(["candidates", "usageMetadata", "error", "promptFeedback"])
    private static let startingResponseMembers = JSONKeyFilter([
        "candidates", "usageMetadata", "error", "promptFeedback", "responseId", "modelVersion",
    ])
    private static let candidateMembers = JSONKeyFilter(["content", "finishReason", "logprobsResult"])
    private static let contentMembers = JSONKeyFilter(["parts"])
    private static let usageMembers = JSONKeyFilter([
        "promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "cachedContentTokenCount", "totalTokenCount",
    ])

    /// As above, with the members the stream's previous chunks repeated (`skipped`) not scanned
    /// again where this chunk has the same bytes.
    static func scan(_ data: UnsafeRawBufferPointer, starting: Bool, skipped: inout Skipped) -> GeminiChunk? {
        // Each object's memory passed on its own: the visitors nest.
        scan(
            data, starting: starting, response: &skipped.response,
            inner: &skipped.candidate, &skipped.content, &skipped.usage)
    }

    private static func scan(
        _ data: UnsafeRawBufferPointer, starting: Bool, response responseSkipped: inout JSONSkippedMembers,
        inner candidateSkipped: inout JSONSkippedMembers, _ contentSkipped: inout JSONSkippedMembers,
        _ usageSkipped: inout JSONSkippedMembers
    ) -> GeminiChunk? {
        var chunk = GeminiChunk()
        var whole = true
        do {
            try JSONReader.read(data) { (response) throws(JSONParseError) in
                let members = starting ? startingResponseMembers : responseMembers
                let isObject = try response.object(skipping: &responseSkipped, before: members) {
                    (key, value) throws(JSONParseError) in
                    if key.equals("candidates") {
                        chunk.text = nil
                        chunk.thought = nil
                        chunk.finishReason = nil
                        _ = try value.array { (position, candidate) throws(JSONParseError) in
                            if position == 0 {
                                try chunk.readCandidate(
                                    &candidate, whole: &whole, skipped: &candidateSkipped, content: &contentSkipped)
                            }
                        }
                    } else if key.equals("usageMetadata") {
                        chunk.usage = GeminiUsageCounts()
                        _ = try value.object(skipping: &usageSkipped, before: usageMembers) {
                            (key, count) throws(JSONParseError) in
                            try chunk.usage.read(key, &count)
                        }
                    } else if starting, key.equals("responseId") {
                        chunk.responseId = try value.string()
                    } else if starting, key.equals("modelVersion") {
                        chunk.modelVersion = try value.string()
                    } else if key.equals("error") || key.equals("promptFeedback") {
                        whole = false
                        try value.skip()  // read, for `object(skipping:)`: a member acted on
                    }
                }
                if !isObject { whole = false }
            }
        } catch {
            return nil
        }
        return whole ? chunk : nil
    }

    private mutating func readCandidate(
        _ reader: inout JSONReader, whole: inout Bool, skipped: inout JSONSkippedMembers,
        content contentSkipped: inout JSONSkippedMembers
    ) throws(JSONParseError) {
        _ = try reader.object(skipping: &skipped, before: Self.candidateMembers) {
            (key, value) throws(JSONParseError) in
            if key.equals("content") {
                text = nil
                thought = nil
                _ = try value.object(skipping: &contentSkipped, before: Self.contentMembers) {
                    (key, value) throws(JSONParseError) in
                    guard key.equals("parts") else { return }
                    text = nil
                    thought = nil
                    _ = try value.array { (position, part) throws(JSONParseError) in
                        if position > 0 { whole = false } else { try readPart(&part, whole: &whole) }
                    }
                }
            } else if key.equals("finishReason") {
                finishReason = try value.string()
            } else if key.equals("logprobsResult") {
                whole = false
                try value.skip()  // read, for `object(skipping:)`: a member acted on
            }
        }
    }

    private mutating func readPart(_ reader: inout JSONReader, whole: inout Bool) throws(JSONParseError) {
        _ = try reader.object { (key, value) throws(JSONParseError) in
            if key.equals("text") {
                text = try value.string()
            } else if key.equals("thought") {
                thought = try value.bool()
            } else if key.equals("functionCall") || key.equals("thoughtSignature") {
                whole = false
            }
        }
    }
}

/// Gemini's `usageMetadata` counts, each as the number that came (`Usage.count` checks its
/// range; a member of another kind counts as absent), read as numbers in place: no value and no
/// literal `String` built per chunk.
struct GeminiUsageCounts: Equatable {
    var prompt: JSONNumber?
    var candidates: JSONNumber?
    var thoughts: JSONNumber?
    var cached: JSONNumber?
    var total: JSONNumber?
    /// `promptTokenCount` or `totalTokenCount` is present, of whatever kind (even `null`).
    var isReport = false

    init() {}

    init(_ u: JSONValue) {
        prompt = Self.number(u["promptTokenCount"])
        candidates = Self.number(u["candidatesTokenCount"])
        thoughts = Self.number(u["thoughtsTokenCount"])
        cached = Self.number(u["cachedContentTokenCount"])
        total = Self.number(u["totalTokenCount"])
        isReport = u["promptTokenCount"] != nil || u["totalTokenCount"] != nil
    }

    private static func number(_ value: JSONValue?) -> JSONNumber? {
        guard case .number(let literal)? = value else { return nil }
        return JSONNumber(literal: literal)
    }

    /// One member of the object, read in place (other members are scanned past).
    mutating func read(_ key: JSONKey, _ value: inout JSONReader) throws(JSONParseError) {
        if key.equals("promptTokenCount") {
            prompt = try value.number()
            isReport = true
        } else if key.equals("candidatesTokenCount") {
            candidates = try value.number()
        } else if key.equals("thoughtsTokenCount") {
            thoughts = try value.number()
        } else if key.equals("cachedContentTokenCount") {
            cached = try value.number()
        } else if key.equals("totalTokenCount") {
            total = try value.number()
            isReport = true
        }
    }

    /// candidatesTokenCount excludes thoughts; cachedContentTokenCount is part of the prompt.
    var unified: Usage {
        let prompt = Usage.count(read: prompt) ?? 0
        let candidates = Usage.count(read: candidates) ?? 0
        let thoughts = Usage.count(read: thoughts) ?? 0
        let output = Saturating.add(candidates, thoughts)
        return Usage(
            inputTokens: prompt, outputTokens: output,
            cacheReadTokens: Usage.count(read: cached) ?? 0,
            cacheWriteTokens: 0, reasoningTokens: thoughts,
            totalTokens: Usage.count(read: total) ?? Saturating.add(prompt, output))
    }
}
