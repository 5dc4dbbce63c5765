import ChatModel

/// How big a part of a prompt is, in UTF-8 bytes, without a tokenizer: what the key limiter's
/// estimate and the dollar budget's worst case both start from (each with its own rule for
/// turning bytes into tokens and its own weight for an image).
enum PromptSize {
    /// The bytes of a part's text, thinking, tool-call arguments or server-tool block;
    /// `image` for an image, whose tokens do not follow from its size on the wire.
    static func bytes(of part: ContentPart, image: Int) -> Int {
        switch part {
        case .text(let t): t.text.utf8.count
        case .thinking(let t): t.text.utf8.count
        case .toolCall(let c): c.arguments.serialized().utf8.count
        case .image: image
        case .serverTool(let t): t.block.serialized().utf8.count
        }
    }
}
