import ChatModel
import JSON

/// Thinking signatures on the OpenAI door, which has no field of its own for them.
///
/// - A signed thinking block (Anthropic) or redacted block becomes a `reasoning_details` entry
///   (OpenRouter's convention): `{"type":"reasoning.text","text","signature","format","index"}` or
///   `{"type":"reasoning.encrypted","data","format","index"}`.
/// - A Gemini signature belongs to the part after it: on a tool call it goes as
///   `extra_content.google.thought_signature` (what Gemini's own OpenAI-compatible endpoint
///   sends); on anything else as a `reasoning.text` entry with empty text, placed before it.
///
/// Signatures keep the gateway's "<provider>:<opaque>" tag; clients send them back unchanged.
enum OpenAIReasoningDetails {
    /// The `format` of an entry, from the signature's tag.
    static func format(of signature: String) -> String {
        if signature.hasPrefix("anthropic:") { return "anthropic-claude-v1" }
        if signature.hasPrefix("gemini:") { return "google-gemini-v1" }
        return "unknown"
    }

    static func isGemini(_ signature: String) -> Bool { signature.hasPrefix("gemini:") }

    static func text(_ text: String, signature: String, index: Int) -> JSONValue {
        .object(
            JSONObject([
                ("type", "reasoning.text"), ("text", .string(text)), ("signature", .string(signature)),
                ("format", .string(format(of: signature))), ("index", .int(index)),
            ]))
    }

    static func encrypted(_ data: String, index: Int) -> JSONValue {
        .object(
            JSONObject([
                ("type", "reasoning.encrypted"), ("data", .string(data)), ("format", "anthropic-claude-v1"),
                ("index", .int(index)),
            ]))
    }

    /// `{"google":{"thought_signature":…}}`.
    static func extraContent(_ signature: String) -> JSONValue {
        ["google": ["thought_signature": .string(signature)]]
    }

    /// A non-stream message's entries, and the Gemini signature of each tool call by its
    /// position among the calls.
    static func message(_ content: [ContentPart]) -> (details: [JSONValue], callSignatures: [Int: String]) {
        var details: [JSONValue] = []
        var calls: [Int: String] = [:]
        var callIndex = 0
        for part in content {
            switch part {
            case .thinking(let t):
                if let data = t.redacted {
                    details.append(encrypted(data, index: details.count))
                } else if let signature = t.signature {
                    details.append(text(isGemini(signature) ? "" : t.text, signature: signature, index: details.count))
                }
            case .text(let t):
                if let signature = t.signature { details.append(text("", signature: signature, index: details.count)) }
            case .toolCall(let c):
                if let signature = c.signature { calls[callIndex] = signature }
                callIndex += 1
            case .image, .serverTool:
                break
            }
        }
        return (details, calls)
    }
}

/// The stream side: what a chunk must carry as thinking events go by. One per response.
struct OpenAIReasoningStream {
    /// Thinking text of the block still open (its entry is sent when its signature arrives).
    private var text = ""
    private var entries = 0
    /// A Gemini signature waiting for the part it signs.
    private var pending: String?

    /// Thinking text streamed (as `reasoning_content`).
    mutating func thinking(_ delta: String) { text += delta }

    /// A signature arrived: the entry to send now, if any (Gemini's wait for their part).
    mutating func signature(_ signature: String) -> JSONValue? {
        if OpenAIReasoningDetails.isGemini(signature) {
            let earlier = flush()
            pending = signature
            text = ""
            return earlier
        }
        let entry = OpenAIReasoningDetails.text(text, signature: signature, index: entries)
        entries += 1
        text = ""
        return entry
    }

    /// A redacted block: its entry (after any waiting Gemini signature's).
    mutating func redacted(_ data: String) -> [JSONValue] {
        var out: [JSONValue] = []
        if let earlier = flush() { out.append(earlier) }
        out.append(OpenAIReasoningDetails.encrypted(data, index: entries))
        entries += 1
        text = ""
        return out
    }

    /// A tool call starts: the waiting Gemini signature is its own.
    mutating func takeForToolCall() -> String? {
        defer { pending = nil }
        return pending
    }

    /// Any other part (or the end) comes: a waiting Gemini signature goes as its own entry.
    mutating func flush() -> JSONValue? {
        guard let signature = pending else { return nil }
        pending = nil
        let entry = OpenAIReasoningDetails.text("", signature: signature, index: entries)
        entries += 1
        return entry
    }
}
