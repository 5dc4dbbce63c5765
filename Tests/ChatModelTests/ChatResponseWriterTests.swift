import JSON
import Testing
@testable import ChatModel

/// The direct writer and the JSON tree are two spellings of one shape: they must agree byte for byte.
@Suite("Non-stream response writer")
struct ChatResponseWriterTests {
    @Test(arguments: [nil, "end_turn"] as [String?])
    func writesExactlyWhatTheTreeSerialises(providerFinish: String?) {
        let response = ChatResponse(
            id: "msg_\"1\"", model: "claude-x", provider: "anthropic", created: 1_700_000_000,
            content: [
                .thinking(ThinkingPart(text: "hmm\n", signature: "anthropic:sig==")),
                .thinking(ThinkingPart(redacted: "EqQB")),
                .text(TextPart(text: "héllo \u{1}")), .thinking(ThinkingPart(text: "plain")),
                .text(TextPart(text: "b", cache: true, signature: "gemini:c2ln")),
                .image(ImagePart(mediaType: "image/png", data: "iVBO")),
                .toolCall(ToolCallPart(id: "toolu_1", name: "get_weather", arguments: ["city": "Oslo", "n": 1])),
            ],
            finishReason: .toolCalls, providerFinishReason: providerFinish,
            usage: Usage(
                inputTokens: 10, outputTokens: 5, cacheReadTokens: 2, cacheWriteTokens: 1, reasoningTokens: 3,
                totalTokens: 15))
        var direct: [UInt8] = []
        response.writeJSON(into: &direct)
        var tree: [UInt8] = []
        response.json().write(into: &tree)
        #expect(String(decoding: direct, as: UTF8.self) == String(decoding: tree, as: UTF8.self))
        #expect((try? JSONValue.parse(direct)) != nil)
    }
}
