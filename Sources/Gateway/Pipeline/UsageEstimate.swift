import ChatModel

/// What a cut stream is metered as. A stream that ends early — the client disconnects, the
/// provider fails mid-stream or truncates the body — often carries no usage from the provider,
/// yet content reached the client (and the provider bills it). Recording 0 would let a client
/// read an answer and disconnect before the last chunk to spend tokens that count against no
/// `tpm`, budget or report. So the provider's numbers stand when it sent them, and what it did
/// not send is estimated:
/// - output: one token per four UTF-8 bytes of content delivered (text, thinking, tool-call
///   arguments), when that is more than the provider reported (Anthropic's `message_start`
///   reports a placeholder output of 1);
/// - input: the request's own estimate (four bytes a token rounded up, 800 an image) when the provider
///   reported none.
/// A row with any estimated count is marked `estimated`.
enum UsageEstimate {
    static let bytesPerToken = 4

    /// `cut`: the stream ended early (cancelled, or finished with an error). A stream that
    /// completed normally keeps exactly the provider's numbers (a provider may say 0).
    static func settle(
        _ reported: Usage, cut: Bool, deliveredBytes: Int,
        inputTokens: @autoclosure () -> Int
    ) -> (usage: Usage, estimated: Bool) {
        guard cut else { return (reported, false) }
        var usage = reported
        var estimated = false
        let delivered = tokens(bytes: deliveredBytes)
        if delivered > usage.outputTokens {
            usage.outputTokens = delivered
            estimated = true
        }
        if usage.inputTokens == 0 {
            let input = inputTokens()
            if input > 0 {
                usage.inputTokens = input
                estimated = true
            }
        }
        if estimated { usage.totalTokens = max(usage.totalTokens, usage.inputTokens &+ usage.outputTokens) }
        return (usage, estimated)
    }

    /// The request's input, estimated the way key admission does (without the answer's cap).
    static func inputTokens(of request: ChatRequest) -> Int {
        var bytes = 0
        var images = 0
        for message in request.messages {
            for part in message.content {
                switch part {
                case .text(let t): bytes &+= t.text.utf8.count
                case .thinking(let t): bytes &+= t.text.utf8.count
                case .toolCall(let c): bytes &+= c.arguments.serialized().utf8.count
                case .image: images &+= 1
                case .serverTool(let t): bytes &+= t.block.serialized().utf8.count
                }
            }
        }
        for tool in request.tools { bytes &+= tool.parameters.serialized().utf8.count &+ tool.name.utf8.count }
        return tokens(bytes: bytes) &+ images &* 800
    }

    /// Four bytes a token, rounded up: any content at all is at least one token.
    static func tokens(bytes: Int) -> Int {
        bytes <= 0 ? 0 : bytes / bytesPerToken + (bytes % bytesPerToken == 0 ? 0 : 1)
    }
}

extension StreamEvent {
    /// Bytes of model output this event carries (what a cut stream's output estimate counts).
    var contentBytes: Int {
        switch self {
        case .text(let s), .thinking(let s): return s.utf8.count
        case .toolCallDelta(_, let arguments): return arguments.utf8.count
        case .serverTool(let part): return part.isUse ? part.block["input"]?.serialized().utf8.count ?? 0 : 0
        default: return 0
        }
    }
}
