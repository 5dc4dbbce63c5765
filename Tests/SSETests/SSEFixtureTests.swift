import Testing
import SSE
import TestSupport

/// Every real provider capture decodes identically however its bytes are cut into feeds.
@Suite struct SSEFixtureTests {
    static let files = FixtureFiles.list(extensions: [".sse"])

    private func events(_ name: String, terminated: Bool = false) throws -> [SSEEvent] {
        let path = try #require(Self.files.first { $0.hasSuffix("/" + name) }, "missing fixture \(name)")
        var bytes = try #require(FixtureFiles.read(path))
        // Some captures copied from docs stop right after the last data line, without the blank
        // line that dispatches it; `terminated` adds it to see the whole stream.
        if terminated { bytes.append(0x0A) }
        let (events, mismatches) = decodeEveryWay(bytes)
        #expect(mismatches.isEmpty, "\(name): \(mismatches.prefix(5))")
        return events
    }

    @Test func fixturesArePresent() {
        #expect(Self.files.count >= 9)
    }

    @Test(arguments: files)
    func decodesIdenticallyAtEverySplit(_ path: String) throws {
        let bytes = try #require(FixtureFiles.read(path))
        let (events, mismatches) = decodeEveryWay(bytes, randomRuns: 200, seed: UInt64(bytes.count))
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        // Data lines never leak framing bytes into the payload.
        for event in events {
            #expect(!event.data.contains("\r"))
            #expect(!event.data.hasPrefix(" "))
        }
        // Appending a blank line never loses events (it can only complete an unterminated one).
        let terminated = decode([bytes + [0x0A, 0x0A]])
        #expect(Array(terminated.prefix(events.count)) == events)
        #expect(terminated.count - events.count <= 1)
    }

    @Test func anthropicThinkingStreamEventNamesInOrder() throws {
        let expected = [
            "message_start", "content_block_start",
            "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta",
            "content_block_delta",
            "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop",
            "message_delta", "message_stop",
        ]
        let full = try events("messages-stream-thinking.docs.sse", terminated: true)
        #expect(full.map(\.event) == expected)
        #expect(full.allSatisfy { $0.data.hasPrefix(#"{"type": ""#) || $0.data.hasPrefix(#"{"type":""#) })
        #expect(full.last?.data == #"{"type": "message_stop"}"#)
        // As captured, the final event lacks its blank line and is discarded (WHATWG).
        let asCaptured = try events("messages-stream-thinking.docs.sse")
        #expect(asCaptured.map(\.event) == Array(expected.dropLast()))
    }

    @Test func anthropicTextAndToolUseStreams() throws {
        let text = try events("messages-stream-text.docs.sse")
        #expect(
            text.map(\.event) == [
                "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop",
            ])
        let tools = try events("messages-stream-tool-use.docs.sse", terminated: true)
        #expect(tools.count == 27)
        #expect(tools.first?.event == "message_start")
        #expect(tools.last?.event == "message_stop")
        #expect(tools.filter { $0.event == "content_block_delta" }.count == 19)
        #expect(tools.allSatisfy { $0.event != nil && $0.id == nil && $0.retry == nil })
    }

    @Test func anthropicMidStreamError() throws {
        let error = try events("messages-stream-error-overloaded.docs.sse", terminated: true)
        #expect(error.count == 1)
        #expect(error.first?.event == "error")
        #expect(error.first?.data.contains("overloaded_error") == true)
    }

    @Test func geminiCRLFStreams() throws {
        let text = try events("stream-text.sse")
        #expect(text.count == 1)
        #expect(text.first?.event == nil)
        #expect(text.first?.data.hasPrefix(#"{"candidates": [{"#) == true)
        #expect(text.first?.data.hasSuffix("}") == true)
        #expect(try events("stream-function-call.sse").count == 1)
        let thoughts = try events("stream-thought-parts.sse")
        #expect(thoughts.count == 2)
        #expect(thoughts.allSatisfy { $0.event == nil && $0.data.hasPrefix("{") && $0.data.hasSuffix("}") })
    }

    @Test func openAIStreamsEndWithDone() throws {
        let text = try events("chat-stream-text-usage.sse")
        #expect(text.count == 34)
        #expect(text.last?.data == "[DONE]")
        #expect(text.dropLast().allSatisfy { $0.event == nil && $0.data.hasPrefix(#"{"id":"chatcmpl-"#) })
        let tool = try events("chat-stream-tool-call-single.sse")
        #expect(tool.count == 14)
        #expect(tool.last?.data == "[DONE]")
    }
}
