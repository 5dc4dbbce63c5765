import ChatModel
import JSON

/// The non-stream `message` object, written straight into bytes: every small answer on this
/// door goes through here, and building it as a tree first cost most of its encoding. The
/// text is the tree's byte for byte (`InPlaceAnswerTests` holds it to the tree):
///
/// `{"id","type":"message","role":"assistant","model","content":[…],"stop_reason",
/// "stop_sequence":null,"usage"}`
enum AnthropicMessage {
    static func bytes(_ r: ChatResponse) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(384)
        out.append(contentsOf: #"{"id":"#.utf8)
        appendJSONString(r.id, to: &out)
        out.append(contentsOf: #","type":"message","role":"assistant","model":"#.utf8)
        appendJSONString(r.model, to: &out)
        out.append(contentsOf: #","content":["#.utf8)
        if r.content.allSatisfy(isPlainText) {
            for (i, part) in r.content.enumerated() {
                guard case .text(let t) = part else { continue }
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"type":"text","text":"#.utf8)
                appendJSONString(t.text, to: &out)
                out.append(UInt8(ascii: "}"))
            }
        } else {
            // Signatures move between blocks, images and server tools have their own shapes:
            // these (rarer) answers are built as blocks first.
            for (i, block) in AnthropicEventEncoder.blocks(r.content).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                block.write(into: &out)
            }
        }
        out.append(contentsOf: #"],"stop_reason":"#.utf8)
        appendJSONString(AnthropicStopReason.wire(r.finishReason, providerWord: r.providerFinishReason), to: &out)
        out.append(contentsOf: #","stop_sequence":null,"usage":"#.utf8)
        AnthropicUsage(r.usage).write(into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A text part with no signature: one `text` block of its own.
    private static func isPlainText(_ part: ContentPart) -> Bool {
        if case .text(let t) = part { return t.signature == nil }
        return false
    }
}
