import ChatModel
import JSON
import TestSupport
import Testing

@testable import Providers

/// `/v1/responses` answers: the event sequence against a real OpenAI capture, items for
/// parallel calls and signatures, the incomplete and failed ends, the non-stream object.
@Suite("Responses door: encoding")
struct ResponsesDoorEncodingTests {
    /// (event name, data) of a Responses SSE text.
    static func parse(_ text: String) -> [(name: String, data: JSONValue)] {
        text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { frame in
            let lines = frame.components(separatedBy: "\n")
            let name = String(lines[0].dropFirst("event: ".count))
            return (name, (try? JSONValue.parse(String(lines[1].dropFirst("data: ".count)))) ?? .null)
        }
    }

    static func encode(
        _ events: [StreamEvent], body: String = #"{"model":"m","input":"hi"}"#,
        finished: @escaping (JSONValue) -> Void = { _ in }
    ) -> [(name: String, data: JSONValue)] {
        let read = try! ResponsesRequestTranslator.translate(try! JSONValue.parse(body)) { (_) throws(GatewayError) in
            []
        }
        let encoder = ResponsesEventEncoder(
            responseId: "resp_0123456789abcdef01234567", echo: read.echo, createdAt: 1_761_565_462, finished: finished)
        var out: [UInt8] = []
        for event in events { encoder.encode(event, into: &out) }
        return parse(String(decoding: out, as: UTF8.self))
    }

    /// Fields of OpenAI's capture the gateway does not write: the padding OpenAI adds against
    /// length side channels, and response settings it has no equivalent of.
    static let notWritten: Set<String> = [
        "obfuscation", "max_tool_calls", "prompt_cache_key", "safety_identifier", "service_tier", "top_logprobs",
        "verbosity",
    ]

    /// The same keys, recursively, but for `notWritten`; ids and times may differ.
    static func sameShape(_ ours: JSONValue, _ theirs: JSONValue, at path: String) -> [String] {
        switch (ours, theirs) {
        case (.object(let a), .object(let b)):
            let wanted = Set(b.keys).subtracting(notWritten)
            var problems = Set(a.keys) == wanted ? [] : ["\(path): keys \(a.keys.sorted()) vs \(wanted.sorted())"]
            for key in wanted { problems += sameShape(a[key] ?? .null, b[key] ?? .null, at: "\(path).\(key)") }
            return problems
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return ["\(path): \(a.count) vs \(b.count) entries"] }
            return zip(a, b).enumerated().flatMap { sameShape($1.0, $1.1, at: "\(path)[\($0)]") }
        default:
            let volatile = ["id", "item_id", "created_at", "model"].contains { path.hasSuffix(".\($0)") }
            return volatile || ours == theirs || ours.doubleValue == theirs.doubleValue
                ? [] : ["\(path): \(ours) vs \(theirs)"]
        }
    }

    /// OpenAI behind the door: the unified events of the captured answer give OpenAI's own
    /// sequence, event for event: names, numbers, indexes, deltas, texts, items and usage.
    @Test func aTextAnswerMatchesOpenAIsCapturedStream() throws {
        let capture = Self.parse(
            String(
                decoding: try #require(FixtureFiles.read(FixtureFiles.root + "/openai/responses-stream-text.sse")),
                as: UTF8.self))
        let deltas = capture.filter { $0.name == "response.output_text.delta" }.compactMap {
            $0.data["delta"]?.stringValue
        }
        let events: [StreamEvent] =
            [.start(id: "chatcmpl-1", model: "gpt-3.5-turbo-0125", provider: "openai", created: 1)]
            + deltas.map(StreamEvent.text)
            + [
                .usage(Usage(inputTokens: 13, outputTokens: 12, totalTokens: 25)),
                .done(.stop, providerFinishReason: "stop"),
            ]
        let ours = Self.encode(
            events,
            body: #"{"model":"gpt-3.5-turbo-0125","input":[{"role":"user","content":"Say some greetings"}],"#
                + #""stream":true}"#
        )
        #expect(ours.map(\.name) == capture.map(\.name))
        for (i, (mine, theirs)) in zip(ours, capture).enumerated() {
            let problems = Self.sameShape(mine.data, theirs.data, at: "event[\(i)] \(theirs.name)")
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test func parallelCallsAreSeparateItemsEvenWhenTheirDeltasInterleave() {
        let frames = Self.encode([
            .start(id: "x", model: "m", provider: "openai", created: 1), .text("Let me check."),
            .toolCallStart(index: 0, id: "c0", name: "f"), .toolCallStart(index: 1, id: "c1", name: "f"),
            .toolCallDelta(index: 0, arguments: "{\"a\":"), .toolCallDelta(index: 1, arguments: "{}"),
            .toolCallDelta(index: 0, arguments: "1}"), .usage(.zero), .done(.toolCalls, providerFinishReason: nil),
        ])
        let done = frames.filter { $0.name == "response.function_call_arguments.done" }
        #expect(done.map { $0.data["arguments"] } == ["{\"a\":1}", "{}"])
        #expect(done.map { $0.data["output_index"] } == [1, 2])
        let final = frames.last!
        #expect(final.name == "response.completed")
        #expect(
            final.data["response"]?["output"]?.arrayValue?.map { $0["type"] } == [
                "message", "function_call", "function_call",
            ])
        #expect(final.data["response"]?["output"]?[2]?["call_id"] == "c1")
        #expect(frames.map { $0.data["sequence_number"] } == frames.indices.map { JSONValue.int($0) })
    }

    @Test func thinkingIsASummaryAndItsSignatureTheEncryptedContent() {
        let frames = Self.encode([
            .start(id: "x", model: "m", provider: "gemini", created: 1), .thinking("hm"),
            .thinkingSignature("gemini:S1"), .toolCallStart(index: 0, id: "c0", name: "f"),
            .toolCall(index: 0, id: "c0", name: "f", arguments: ["a": 1]), .thinkingRedacted("R"), .usage(.zero),
            .done(.toolCalls, providerFinishReason: nil),
        ])
        #expect(frames.contains { $0.name == "response.reasoning_summary_text.delta" && $0.data["delta"] == "hm" })
        let output = frames.last?.data["response"]?["output"]?.arrayValue ?? []
        #expect(output.map { $0["type"] } == ["reasoning", "function_call", "reasoning"])
        #expect(output[0]["encrypted_content"] == "gemini:S1" && output[0]["summary"]?[0]?["text"] == "hm")
        #expect(output[1]["arguments"] == "{\"a\":1}")
        #expect(output[2]["encrypted_content"] == "anthropic-redacted:R")
    }

    @Test func aLengthStopIsIncompleteAndAnErrorFails() {
        var stored: [JSONValue] = []
        let cut = Self.encode(
            [
                .start(id: "x", model: "m", provider: "openai", created: 1), .text("w"), .usage(.zero),
                .done(.length, providerFinishReason: "length"),
            ]) { stored.append($0) }
        #expect(cut.last?.name == "response.incomplete")
        #expect(cut.last?.data["response"]?["incomplete_details"] == ["reason": "max_output_tokens"])
        #expect(stored.count == 1)
        let failed = Self.encode(
            [
                .start(id: "x", model: "m", provider: "openai", created: 1), .text("w"),
                .error(StreamError(type: "upstream_error", message: "boom", provider: "openai", status: 502)),
                .usage(.zero), .done(.error, providerFinishReason: nil),
            ]) { stored.append($0) }
        #expect(failed.suffix(2).map(\.name) == ["error", "response.failed"])
        #expect(failed.last?.data["response"]?["error"]?["message"] == "boom")
        #expect(failed.contains { $0.name == "error" && $0.data["message"] == "boom" })
        #expect(stored.count == 1, "a failed response is not stored")
    }

    @Test func theNonStreamObjectHoldsTheItemsAndUsage() throws {
        let read = try ResponsesRequestTranslator.translate(try JSONValue.parse(#"{"model":"m","input":"hi"}"#)) {
            (_) throws(GatewayError) in []
        }
        let encoder = ResponsesEventEncoder(responseId: "resp_abc", echo: read.echo, createdAt: 5) { _ in }
        let body = try JSONValue.parse(
            encoder.response(
                ChatResponse(
                    id: "x", model: "m", provider: "anthropic", created: 1,
                    content: [
                        .thinking(ThinkingPart(text: "t", signature: "anthropic:S")), .text(TextPart(text: "hi")),
                        .toolCall(ToolCallPart(id: "c", name: "f", arguments: [:])),
                    ], finishReason: .toolCalls, providerFinishReason: "tool_use",
                    usage: Usage(
                        inputTokens: 3, outputTokens: 4, cacheReadTokens: 1, reasoningTokens: 2, totalTokens: 7))))
        #expect(body["object"] == "response" && body["status"] == "completed" && body["created_at"] == 5)
        #expect(body["output"]?.arrayValue?.map { $0["type"] } == ["reasoning", "message", "function_call"])
        #expect(body["output"]?[0]?["encrypted_content"] == "anthropic:S")
        #expect(body["usage"]?["input_tokens_details"]?["cached_tokens"] == 1)
        #expect(body["usage"]?["output_tokens_details"]?["reasoning_tokens"] == 2)
    }
}
