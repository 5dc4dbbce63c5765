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
        appendJSONLiteral(#"{"id":"#, to: &out)
        appendJSONString(r.id, to: &out)
        appendJSONLiteral(#","object":"chat.completion","created":"#, to: &out)
        appendJSONInteger(r.created, to: &out)
        appendJSONLiteral(#","model":"#, to: &out)
        appendJSONString(r.model, to: &out)
        appendJSONLiteral(#","choices":[{"index":0,"message":{"role":"assistant","content":"#, to: &out)
        message(r.content, into: &out)
        appendJSONLiteral(#"},"logprobs":"#, to: &out)
        if let logprobs = r.logprobs {
            appendJSONLiteral(#"{"content":"#, to: &out)
            logprobs.write(into: &out)
            appendJSONLiteral(#","refusal":null}"#, to: &out)
        } else {
            appendJSONLiteral("null", to: &out)
        }
        appendJSONLiteral(#","finish_reason":"#, to: &out)
        appendJSONString(OpenAIFinishReason.wire(r.finishReason), to: &out)
        appendJSONLiteral(#"}],"usage":"#, to: &out)
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
        if let text, !text.isEmpty { appendJSONString(text, to: &out) } else { appendJSONLiteral("null", to: &out) }
        if let reasoning, !reasoning.isEmpty {
            appendJSONLiteral(#","reasoning_content":"#, to: &out)
            appendJSONString(reasoning, to: &out)
        }
        // Signatures are rare (thinking models): their entries are built as values.
        let (details, signatures) = signed ? OpenAIReasoningDetails.message(content) : ([], [:])
        if !details.isEmpty {
            appendJSONLiteral(#","reasoning_details":"#, to: &out)
            JSONValue.array(details).write(into: &out)
        }
        guard calls > 0 else { return }
        appendJSONLiteral(#","tool_calls":["#, to: &out)
        var index = 0
        for case .toolCall(let c) in content {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONLiteral(#"{"id":"#, to: &out)
            appendJSONString(c.id, to: &out)
            appendJSONLiteral(#","type":"function","function":{"name":"#, to: &out)
            appendJSONString(c.name, to: &out)
            appendJSONLiteral(#","arguments":"#, to: &out)
            appendJSONString(c.arguments.serialized(), to: &out)
            out.append(UInt8(ascii: "}"))
            if let signature = signatures[index] {
                appendJSONLiteral(#","extra_content":"#, to: &out)
                OpenAIReasoningDetails.extraContent(signature).write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
            index += 1
        }
        out.append(UInt8(ascii: "]"))
    }
}
