import ChatModel
import JSON

/// Structured output through a forced tool (`AnthropicStructuredOutput.answerTool`): the
/// tool's `input_json_delta`s are the answer's text deltas, no tool call is emitted, and the
/// `tool_use` stop that ends such an answer is a normal `stop`.
extension AnthropicStreamDecoder {
    /// The kind recorded for the answer tool's block.
    static let answerKind = "answer_tool"

    func isAnswer(_ block: JSONValue?) -> Bool {
        guard let answerTool else { return false }
        return block?["type"]?.stringValue == "tool_use" && block?["name"]?.stringValue == answerTool
    }

    /// `stop` for the answer tool's `tool_use` stop; nil when the usual mapping applies.
    func answerFinish(_ raw: String) -> FinishReason? { Self.answerFinish(raw, answerTool: answerTool) }

    static func answerFinish(_ raw: String, answerTool: String?) -> FinishReason? {
        answerTool != nil && raw == "tool_use" ? .stop : nil
    }

    /// A non-streamed answer's blocks: the answer tool's input becomes a text part.
    static func answerContent(_ block: JSONValue, answerTool: String?) -> ContentPart? {
        guard let answerTool, block["type"]?.stringValue == "tool_use", block["name"]?.stringValue == answerTool else {
            return nil
        }
        return .text(TextPart(text: (block["input"] ?? .object(JSONObject())).serialized()))
    }
}
