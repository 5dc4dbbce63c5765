import ChatModel
import JSON

/// The system prompt and the turns, as `AnthropicRequestMapper` maps them.
extension AnthropicRequestWriter {
    /// `,"system":` a plain string, or text blocks when any system part asks for a cache breakpoint.
    static func system(_ request: ChatRequest, into out: inout [UInt8]) {
        var count = 0
        var cached = false
        for message in request.messages where message.role == .system {
            count += 1
            cached = cached || message.cache || message.content.contains(where: isCachedText)
        }
        guard count > 0 else { return }
        out.append(contentsOf: #","system":"#.utf8)
        guard cached else {
            // One system message of one part (nearly always) is written without joining.
            if count == 1, let message = request.messages.first(where: { $0.role == .system }),
                message.content.count == 1, case .text(let t) = message.content[0]
            {
                appendJSONString(t.text, to: &out)
            } else {
                appendJSONString(request.systemText ?? "", to: &out)
            }
            return
        }
        out.append(UInt8(ascii: "["))
        var first = true
        for message in request.messages where message.role == .system {
            for (i, part) in message.content.enumerated() {
                guard case .text(let t) = part else { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: #"{"type":"text","text":"#.utf8)
                appendJSONString(t.text, to: &out)
                if t.cache || (message.cache && i == message.content.count - 1) { cacheControl(into: &out) }
                out.append(UInt8(ascii: "}"))
            }
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `,"messages":[…]`: tool results become `user` turns, and consecutive turns of one role
    /// (results, and a user message right after them) merge, as Anthropic requires alternating roles.
    static func messages(_ request: ChatRequest, into out: inout [UInt8]) {
        out.append(contentsOf: #","messages":["#.utf8)
        var turn: Role?  // the open turn's role: user or assistant
        for message in request.messages where message.role != .system {
            // A message with nothing Anthropic can take back adds no turn (and merges none).
            guard message.role == .tool || message.content.contains(where: isSent) else { continue }
            let role: Role = message.role == .assistant ? .assistant : .user
            if role == turn {
                out.append(UInt8(ascii: ","))
            } else {
                if turn != nil { out.append(contentsOf: "]},".utf8) }
                let open = role == .assistant ? #"{"role":"assistant","content":["# : #"{"role":"user","content":["#
                out.append(contentsOf: open.utf8)
                turn = role
            }
            if message.role == .tool {
                toolResult(message, into: &out)
            } else {
                blocks(message, into: &out)
            }
        }
        if turn != nil { out.append(contentsOf: "]}".utf8) }
        out.append(UInt8(ascii: "]"))
    }

    private static func toolResult(_ message: Message, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"type":"tool_result","tool_use_id":"#.utf8)
        appendJSONString(message.toolCallId ?? "", to: &out)
        out.append(contentsOf: #","content":"#.utf8)
        appendJSONString(message.text, to: &out)
        if message.isError { out.append(contentsOf: #","is_error":true"#.utf8) }
        if message.cache { cacheControl(into: &out) }
        out.append(UInt8(ascii: "}"))
    }

    /// The message's parts that Anthropic takes, comma-separated; the message's cache
    /// breakpoint goes on its last part (none when that part is not sent).
    private static func blocks(_ message: Message, into out: inout [UInt8]) {
        var first = true
        let last = message.content.count - 1
        for (i, part) in message.content.enumerated() {
            let cache = message.cache && i == last
            switch part {
            case .text(let t):
                separate(&first, &out)
                out.append(contentsOf: #"{"type":"text","text":"#.utf8)
                appendJSONString(t.text, to: &out)
                if t.cache || cache { cacheControl(into: &out) }
            case .image(let image):
                separate(&first, &out)
                if let url = image.url {
                    out.append(contentsOf: #"{"type":"image","source":{"type":"url","url":"#.utf8)
                    appendJSONString(url, to: &out)
                } else {
                    out.append(contentsOf: #"{"type":"image","source":{"type":"base64","media_type":"#.utf8)
                    appendJSONString(image.mediaType ?? "image/png", to: &out)
                    out.append(contentsOf: #","data":"#.utf8)
                    appendJSONString(image.data ?? "", to: &out)
                }
                out.append(UInt8(ascii: "}"))
                if image.cache || cache { cacheControl(into: &out) }
            case .thinking(let t):
                if let redacted = t.redacted {
                    separate(&first, &out)
                    out.append(contentsOf: #"{"type":"redacted_thinking","data":"#.utf8)
                    appendJSONString(redacted, to: &out)
                } else if let tagged = t.signature, let signature = SignatureTag.untag(tagged, for: "anthropic") {
                    separate(&first, &out)
                    out.append(contentsOf: #"{"type":"thinking","thinking":"#.utf8)
                    appendJSONString(t.text, to: &out)
                    out.append(contentsOf: #","signature":"#.utf8)
                    appendJSONString(signature, to: &out)
                } else {
                    continue  // unsigned thinking cannot be replayed
                }
                if cache { cacheControl(into: &out) }
            case .toolCall(let call):
                separate(&first, &out)
                out.append(contentsOf: #"{"type":"tool_use","id":"#.utf8)
                appendJSONString(call.id, to: &out)
                out.append(contentsOf: #","name":"#.utf8)
                appendJSONString(call.name, to: &out)
                out.append(contentsOf: #","input":"#.utf8)
                if case .object = call.arguments {
                    call.arguments.write(into: &out)
                } else {
                    out.append(contentsOf: "{}".utf8)
                }
                if cache { cacheControl(into: &out) }
            case .serverTool(let tool):
                // Anthropic's own blocks go back as they came (a breakpoint set in place, as
                // the tree sets it); another provider's mean nothing here.
                guard tool.provider == "anthropic" else { continue }
                separate(&first, &out)
                var block = tool.block
                if cache, case .object(var o) = block {
                    o["cache_control"] = AnthropicRequestMapper.cacheControl
                    block = .object(o)
                }
                block.write(into: &out)
                continue  // written whole, closing brace included
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func isCachedText(_ part: ContentPart) -> Bool {
        if case .text(let t) = part { return t.cache }
        return false
    }

    /// Whether `AnthropicRequestMapper` sends the part (`contentBlock` is not nil).
    private static func isSent(_ part: ContentPart) -> Bool {
        switch part {
        case .text, .image, .toolCall: return true
        case .thinking(let t):
            return t.redacted != nil || t.signature.flatMap { SignatureTag.untag($0, for: "anthropic") } != nil
        case .serverTool(let tool): return tool.provider == "anthropic"
        }
    }

    @inline(__always)
    private static func separate(_ first: inout Bool, _ out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
    }
}
