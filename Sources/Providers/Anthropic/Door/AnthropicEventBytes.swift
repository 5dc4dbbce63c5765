import ChatModel
import JSON

/// The Messages API stream events every answer has, written straight into the output: a
/// stream's set-up and end build no JSON tree (issue 13: each stream of a burst pays them).
/// Byte for byte what the tree wrote (`AnthropicEventBytesTests` holds them to it).
enum AnthropicEventBytes {
    /// The empty block a text or thinking block opens with.
    enum EmptyBlock {
        case text, thinking

        var json: StaticString {
            switch self {
            case .text: #"{"type":"text","text":""}"#
            case .thinking: #"{"type":"thinking","thinking":"","signature":""}"#
            }
        }
    }

    /// `message_start`, with what was known of usage then.
    static func messageStart(id: String, model: String, usage: Usage, into out: inout [UInt8]) {
        append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":", to: &out)
        appendJSONString(id, to: &out)
        append(",\"type\":\"message\",\"role\":\"assistant\",\"model\":", to: &out)
        appendJSONString(model, to: &out)
        append(",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":", to: &out)
        AnthropicUsage(usage).write(into: &out)  // `wire`'s text, no tree
        append("}}\n\n", to: &out)
    }

    static func blockStart(_ index: Int, _ block: EmptyBlock, into out: inout [UInt8]) {
        append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":", to: &out)
        out.append(contentsOf: String(index).utf8)
        append(",\"content_block\":", to: &out)
        append(block.json, to: &out)
        append("}\n\n", to: &out)
    }

    static func blockStop(_ index: Int, into out: inout [UInt8]) {
        append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":", to: &out)
        out.append(contentsOf: String(index).utf8)
        append("}\n\n", to: &out)
    }

    /// `message_delta` with the stop reason and the final usage, then `message_stop`.
    static func messageEnd(stopReason: String, usage: Usage, into out: inout [UInt8]) {
        append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":", to: &out)
        appendJSONString(stopReason, to: &out)
        append(",\"stop_sequence\":null},\"usage\":", to: &out)
        AnthropicUsage(usage).write(into: &out)  // `wire`'s text, no tree
        append("}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", to: &out)
    }

    @inline(__always) private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
