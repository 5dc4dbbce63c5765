import ChatModel
import JSON

/// The non-stream `chat.completion` object, written straight into bytes: every small answer
/// on this door goes through here, and building it as a tree first cost most of its encoding.
/// The text is the tree's byte for byte (`OpenAIDoorEncodingTests` holds it to the tree):
///
/// `{"id","object":"chat.completion","created","model","choices":[{"index":0,"message":{"role",
/// "content"[,"reasoning_content"][,"reasoning_details"][,"tool_calls"]},"logprobs",
/// "finish_reason"}],"usage"}`
enum OpenAICompletion {
    static func bytes(_ r: ChatResponse) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(384)
        out.append(contentsOf: #"{"id":"#.utf8)
        appendJSONString(r.id, to: &out)
        out.append(contentsOf: #","object":"chat.completion","created":"#.utf8)
        out.append(contentsOf: String(r.created).utf8)
        out.append(contentsOf: #","model":"#.utf8)
        appendJSONString(r.model, to: &out)
        out.append(contentsOf: #","choices":[{"index":0,"message":{"role":"assistant","content":"#.utf8)
        message(r.content, into: &out)
        out.append(contentsOf: #"},"logprobs":"#.utf8)
        if let logprobs = r.logprobs {
            out.append(contentsOf: #"{"content":"#.utf8)
            logprobs.write(into: &out)
            out.append(contentsOf: #","refusal":null}"#.utf8)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(contentsOf: #","finish_reason":"#.utf8)
        appendJSONString(OpenAIFinishReason.wire(r.finishReason), to: &out)
        out.append(contentsOf: #"}],"usage":"#.utf8)
        OpenAIUsage.write(r.usage, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The message's members after `"content":`: the text parts joined (null when there is
    /// none), the thinking text joined, the signatures' entries, the tool calls.
    private static func message(_ content: [ContentPart], into out: inout [UInt8]) {
        // One text part (nearly always) is written as it is, without joining.
        var text: String?
        var reasoning: String?
        var signed = false
        var calls = 0
        for part in content {
            switch part {
            case .text(let t):
                text = text.map { $0 + t.text } ?? t.text
                signed = signed || t.signature != nil
            case .thinking(let t):
                reasoning = reasoning.map { $0 + t.text } ?? t.text
                signed = signed || t.signature != nil || t.redacted != nil
            case .toolCall(let c):
                calls += 1
                signed = signed || c.signature != nil
            case .image, .serverTool:
                break
            }
        }
        if let text, !text.isEmpty { appendJSONString(text, to: &out) } else { out.append(contentsOf: "null".utf8) }
        if let reasoning, !reasoning.isEmpty {
            out.append(contentsOf: #","reasoning_content":"#.utf8)
            appendJSONString(reasoning, to: &out)
        }
        // Signatures are rare (thinking models): their entries are built as values.
        let (details, signatures) = signed ? OpenAIReasoningDetails.message(content) : ([], [:])
        if !details.isEmpty {
            out.append(contentsOf: #","reasoning_details":"#.utf8)
            JSONValue.array(details).write(into: &out)
        }
        guard calls > 0 else { return }
        out.append(contentsOf: #","tool_calls":["#.utf8)
        var index = 0
        for case .toolCall(let c) in content {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"id":"#.utf8)
            appendJSONString(c.id, to: &out)
            out.append(contentsOf: #","type":"function","function":{"name":"#.utf8)
            appendJSONString(c.name, to: &out)
            out.append(contentsOf: #","arguments":"#.utf8)
            appendJSONString(c.arguments.serialized(), to: &out)
            out.append(UInt8(ascii: "}"))
            if let signature = signatures[index] {
                out.append(contentsOf: #","extra_content":"#.utf8)
                OpenAIReasoningDetails.extraContent(signature).write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
            index += 1
        }
        out.append(UInt8(ascii: "]"))
    }
}
