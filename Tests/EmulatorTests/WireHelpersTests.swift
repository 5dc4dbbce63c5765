@testable import Emulator
import Foundation
import JSON
import Testing

@Suite("Emulator: options and wire helpers")
struct WireHelpersTests {
    @Test func modelNameGrammar() {
        let a = MockOptions(model: "text+chunks=50+interval_ms=10", headers: [])
        #expect(a.scenario == "text" && a.int("chunks", default: 0) == 50 && a.int("interval_ms", default: 0) == 10)
        #expect(MockOptions(model: "gpt-4o-mini", headers: []).scenario == "text")
        #expect(MockOptions(model: "gpt-4o-mini+chunks=2", headers: []).int("chunks", default: 0) == 2)
        #expect(MockOptions(model: "models/tools+calls=3", headers: []).scenario == "tools")
        #expect(MockOptions(model: "fixture=stream-text", headers: []).scenario == "fixture")
        let e = MockOptions(model: "error+status=429+retry_after=1+run=x", headers: [])
        #expect(e.scenario == "error" && e.run == "x" && e.int("status", default: 0) == 429)
        #expect(MockOptions(model: "text+fail=503x3", headers: []).failure! == (503, 3))
        #expect(MockOptions(model: "text", headers: []).failure == nil)
    }

    @Test func headersWin() {
        let o = MockOptions(
            model: "text+chunks=5",
            headers: [
                ("X-Mock-Scenario", "tools"), ("x-mock-chunks", " 9 "),
                ("x-mock-interval-ms", "3"), ("x-other", "1"),
            ])
        #expect(o.scenario == "tools")
        #expect(o.int("chunks", default: 0) == 9)
        #expect(o.int("interval_ms", default: 0) == 3)
        #expect(o["other"] == nil)
    }

    @Test func argumentFragmentsCutInsideStrings() {
        let text = MockContent.arguments(12)
        let pieces = MockContent.fragments(text)
        #expect(pieces.joined() == text)
        #expect(pieces.count >= 5)
        #expect(pieces.contains { $0.hasSuffix("\"O") || $0.hasPrefix("slo") })
        let wide = "{\"city\":\"Zürich 東京\"}"
        #expect(MockContent.fragments(wide).joined() == wide)
    }

    @Test func base64MatchesFoundation() {
        for s in ["", "a", "ab", "abc", "mock-signature-7"] {
            #expect(MockContent.base64(Array(s.utf8)) == Data(s.utf8).base64EncodedString())
        }
    }

    /// Our Gemini writers reproduce the captured spelling byte for byte.
    @Test(arguments: ["stream-text.sse", "stream-function-call.sse", "stream-thought-parts.sse"])
    func geminiLineStyleMatchesCaptures(file: String) throws {
        let bytes = EmulatorHarness.fixture("gemini", file)
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n").filter { $0.hasPrefix("data: ") }
        #expect(!lines.isEmpty)
        for line in lines {
            let json = String(line.dropFirst(6))
            let value = try JSONValue.parse(json)
            #expect(String(decoding: JSONStyle.geminiLine.bytes(value), as: UTF8.self) == json)
        }
    }

    @Test(arguments: [
        "error-400-api-key-invalid.json", "error-503-unavailable.json", "response-thought-parts.json",
        "cachedcontents-create.response.json",
    ])
    func geminiPrettyStyleMatchesCaptures(file: String) throws {
        let bytes = EmulatorHarness.fixture("gemini", file)
        #expect(JSONStyle.pretty.bytes(try JSONValue.parse(bytes), trailingNewline: true) == bytes)
    }

    @Test func framesSplitAfterBlankLinesAndRejoin() {
        for (provider, file, events) in [
            ("gemini", "stream-thought-parts.sse", 2), ("openai", "chat-stream-tool-call-single.sse", 14),
            ("anthropic", "messages-stream-text.docs.sse", 8),
        ] {
            let bytes = EmulatorHarness.fixture(provider, file)
            let frames = FixtureStore.frames(bytes)
            #expect(frames.count == events)
            #expect(Array(frames.joined()) == bytes)
        }
        #expect(FixtureStore.frames(Array("data: a\n\ndata: b".utf8)).count == 2)
    }

    @Test func templateSplicesEscapedText() {
        let t = JSONTemplate(["a": JSONTemplate.hole, "b": 1], before: "data: ", after: "\n\n")
        #expect(String(decoding: t.fill("x\"y\n"), as: UTF8.self) == "data: {\"a\":\"x\\\"y\\n\",\"b\":1}\n\n")
    }
}
