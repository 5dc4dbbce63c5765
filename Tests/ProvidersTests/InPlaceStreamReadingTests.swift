import ChatModel
@testable import JSON
import Testing
import TestSupport

@testable import Providers

/// The per-chunk paths that read provider events in place (`AnthropicDelta.scan`,
/// `GeminiChunk.scan`) and write door events directly: each agrees with the tree-built path it
/// stands in for, on every captured event and on the awkward cases (duplicate keys, fields of
/// the wrong kind, escapes).
@Suite("Stream events read and written in place")
struct InPlaceStreamReadingTests {
    /// The `data:` of every event in the captures of `provider`.
    static func captured(_ provider: String) -> [String] {
        FixtureFiles.list(extensions: [".sse"]).filter { $0.contains("/\(provider)/") }.flatMap { path in
            String(decoding: FixtureFiles.read(path) ?? [], as: UTF8.self).split(separator: "\n")
                .filter { $0.hasPrefix("data:") }.map { String($0.dropFirst(5).drop { $0 == " " }) }
        }
    }

    static let anthropicCases = [
        #"{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"a\"b\\ \u00e9\ud83d\ude00\n"}}"#,
        #"{"delta":{"type":"text_delta","text":"first"},"type":"content_block_delta","index":1,"#
            + #""delta":{"type":"thinking_delta","thinking":"second"}}"#,
        #"{"index":"1","type":"content_block_delta","delta":{"type":"text_delta","text":5}}"#,
        #"{"type":"content_block_delta","index":2.0,"delta":{"type":"signature_delta","signature":"c2ln"}}"#,
        #"{"type":"content_block_delta","index":99999999999999999999,"delta":{"type":"input_json_delta","#
            + #""partial_json":"{\"a\":"}}"#,
        #"{"type":"content_block_delta","delta":[1]}"#, #"{"type":"content_block_delta","type":"ping"}"#,
        #"{"type":"ping","t\u0079pe":"content_block_delta","index":0}"#, #"{"type":"ping"}"#, "[1]",
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"cut"}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","text":"b"},"x":[{}]}"#,
    ]

    @Test func anthropicDeltaScanAgreesWithTheParsedEvent() {
        var deltas = 0
        for data in Self.captured("anthropic") + Self.anthropicCases {
            let parsed = try? JSONValue.parse(data)
            let expected = parsed?["type"]?.stringValue == "content_block_delta" ? parsed.map(AnthropicDelta.init) : nil
            #expect(AnthropicDelta.scan(data) == expected, "\(data)")
            if expected != nil { deltas += 1 }
        }
        #expect(deltas > 20)
    }

    /// What `GeminiStreamDecoder` reads from the tree, as a `GeminiChunk`; nil where the
    /// in-place read must give way to the tree (an error, a prompt block, logprobs, a call, a
    /// signature, several parts).
    static func geminiFromTree(_ data: String) -> GeminiChunk? {
        guard let json = try? JSONValue.parse(data), case .object(let top) = json,
            top["error"] == nil, top["promptFeedback"] == nil
        else { return nil }
        let candidate = json["candidates"]?[0]
        let parts = candidate?["content"]?["parts"]?.arrayValue ?? []
        guard candidate?["logprobsResult"] == nil, parts.count <= 1,
            parts.first?["functionCall"] == nil, parts.first?["thoughtSignature"] == nil
        else { return nil }
        var chunk = GeminiChunk()
        chunk.text = parts.first?["text"]?.stringValue
        chunk.thought = parts.first?["thought"]?.boolValue
        chunk.finishReason = candidate?["finishReason"]?.stringValue
        if let usage = json["usageMetadata"] { chunk.usage = GeminiUsageCounts(usage) }
        chunk.responseId = json["responseId"]?.stringValue
        chunk.modelVersion = json["modelVersion"]?.stringValue
        return chunk
    }

    /// Cases the in-place read takes (it must, and must agree) and cases it must leave.
    static let geminiTaken = [
        #"{"candidates":[{"content":{"parts":[{"text":"a\u00e9\"","thought":true}],"role":"model"},"index":0}]}"#,
        #"{"candidates":[{"content":{"parts":[{"text":"x"}]}},{"content":{"parts":[{"text":"other"},{}]}}]}"#,
        #"{"candidates":[{"content":{"parts":[{"text":1,"thought":"yes"}]},"finishReason":2}],"usageMetadata":1}"#,
        #"{"candidates":[{"content":{"parts":[{"text":"old"}]}}],"candidates":[{"finishReason":"STOP"}]}"#,
        #"{"candidates":[{"content":{"parts":[{"text":"a"}],"parts":[]}}],"usageMetadata":{"promptTokenCount":null}}"#,
        #"{"candidates":[7],"usageMetadata":{"totalTokenCount":9,"totalTokenCount":10,"x":{"y":[1]}}}"#,
        #"{"candidates":[{"content":{"parts":[5]}}],"modelVersion":"m","responseId":"r"}"#, "{}",
        #"{"responseId":"a","responseId":"b\u0041","modelVersion":7,"#
            + #""candidates":[{"content":{"parts":[{"text":"t"}]}}]}"#,
        #"{"responseId":null,"modelVersion":"gemini-2.5-flash","modelVersion":{"x":1}}"#,
    ]
    static let geminiLeft = [
        #"{"error":{"code":429,"message":"slow down"}}"#, #"{"error":null,"candidates":[]}"#,
        #"{"promptFeedback":{"blockReason":"SAFETY"}}"#, #"{"candidates":[{"logprobsResult":{}}]}"#,
        #"{"candidates":[{"content":{"parts":[{"text":"a"},{"text":"b"}]}}]}"#,
        #"{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]}}]}"#,
        #"{"candidates":[{"content":{"parts":[{"text":"a","thoughtSignature":"c2ln"}]}}]}"#, "[1]", #"{"a":"#,
    ]

    @Test func geminiChunkScanAgreesWithTheTree() {
        var taken = 0
        for data in Self.captured("gemini") + Self.geminiTaken + Self.geminiLeft {
            let expected = Self.geminiFromTree(data)
            let scanned = GeminiChunk.scan(data, starting: true)
            // Giving way is always safe (the tree then decides); reading must agree.
            if let scanned { #expect(scanned == expected, "\(data)") }
            if expected == nil { #expect(scanned == nil, "\(data)") }
            if scanned != nil { taken += 1 }
        }
        for data in Self.geminiTaken {
            #expect(GeminiChunk.scan(data) != nil, "\(data)")
            // Past the first chunk the id and model version are not read (two strings a chunk).
            #expect(GeminiChunk.scan(data)?.responseId == nil)
        }
        for data in Self.geminiLeft { #expect(GeminiChunk.scan(data) == nil, "\(data)") }
        #expect(taken > Self.geminiTaken.count)
    }

    /// Read with a stream's memory of the members its chunks repeat (`JSONSkippedMembers`), each
    /// chunk gives what a fresh read gives: over the captures in order (their chunks repeat
    /// those members, so later ones read past them) and the awkward cases, twice.
    @Test func chunksReadWithTheStreamsMemoryAgreeWithFreshReads() {
        var gemini = GeminiChunk.Skipped()
        let geminiAll = Self.captured("gemini") + Self.geminiTaken + Self.geminiLeft
        for data in geminiAll + geminiAll {
            var text = data
            let remembered = text.withUTF8 {
                GeminiChunk.scan(UnsafeRawBufferPointer($0), starting: false, skipped: &gemini)
            }
            #expect(remembered == GeminiChunk.scan(data), "\(data)")
        }
        #expect(!gemini.response.suffix.isEmpty && !gemini.usage.suffix.isEmpty)
        var openAI = JSONSkippedMembers()
        let openAIAll = Self.captured("openai") + Self.openAITaken + Self.openAILeft
        for data in openAIAll + openAIAll where data != "[DONE]" {
            var text = data
            let remembered = text.withUTF8 { OpenAIChunk.scan(UnsafeRawBufferPointer($0), skipped: &openAI) }
            #expect(remembered == OpenAIChunk.scan(data), "\(data)")
        }
        #expect(!openAI.prefix.isEmpty)
    }

    @Test func geminiStreamMixingBothPathsKeepsOrderAndUsage() {
        let events = Harness.gemini.events([
            #"{"candidates":[{"content":{"parts":[{"text":"a"}]}}],"responseId":"r","modelVersion":"m"}"#,
            #"{"candidates":[{"content":{"parts":[{"text":"think","thought":true}]}}]}"#,
            #"{"candidates":[{"content":{"parts":[{"text":"x"},{"text":"y"}]}}]}"#,
            #"{"candidates":[{"content":{"parts":[{"text":"z"}]},"finishReason":"STOP"}],"#
                + #""usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}}"#,
        ])
        #expect(
            events == [
                .start(id: "r", model: "m", provider: "gemini", created: 1_700_000_000), .text("a"), .thinking("think"),
                .text("x"), .text("y"), .text("z"), .usage(Usage(inputTokens: 3, outputTokens: 2, totalTokens: 5)),
                .done(.stop, providerFinishReason: "STOP"),
            ])
    }

    /// What `OpenAIStreamDecoder` reads from the tree; nil where the in-place read must give
    /// way (several choices, not an object, malformed).
    static func openAIFromTree(_ data: String) -> OpenAIChunk? {
        guard let json = try? JSONValue.parse(data), case .object(let top) = json,
            (top["choices"]?.arrayValue?.count ?? 0) <= 1
        else { return nil }
        var chunk = OpenAIChunk()
        chunk.choice = top["choices"]?.arrayValue?.first.map(OpenAIChoice.init)
        chunk.usage = top["usage"]
        chunk.error = top["error"]
        return chunk
    }

    static let openAITaken = [
        #"{"id":"c","choices":[{"delta":{"content":"a","content":"b","role":"x"},"index":0,"logprobs":null}]}"#,
        #"{"choices":[{"index":1,"delta":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}"#,
        #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}],"#
            + #""choices":[{"delta":{"reasoning_content":null,"reasoning":"r"}}]}"#,
        #"{"choices":[5],"error":null,"usage":null}"#, #"{"choices":{}}"#, "{}",
        #"{"error":{"message":"boom","type":"server_error"}}"#,
    ]
    static let openAILeft = [#"{"choices":[{"index":0},{"index":1}]}"#, "[1]", #"{"choices":[{"#, ""]

    @Test func openAIChunkScanAgreesWithTheTree() {
        var taken = 0
        for data in Self.captured("openai") + Self.openAITaken + Self.openAILeft where data != "[DONE]" {
            let expected = Self.openAIFromTree(data)
            let scanned = OpenAIChunk.scan(data)
            if let scanned { #expect(scanned == expected, "\(data)") }
            if expected == nil { #expect(scanned == nil, "\(data)") }
            if scanned != nil { taken += 1 }
        }
        for data in Self.openAITaken { #expect(OpenAIChunk.scan(data) != nil, "\(data)") }
        for data in Self.openAILeft { #expect(OpenAIChunk.scan(data) == nil, "\(data)") }
        #expect(taken > Self.openAITaken.count + 20)
    }

    @Test(arguments: [nil, OpenAICompat.ReasoningField.reasoning])
    func openAIStreamOnTheInPlacePathKeepsTheDecoderRules(declared: OpenAICompat.ReasoningField?) {
        let input = Harness.openAI.chunks([
            #"{"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
            #"{"id":"c","choices":[{"delta":{"reasoning_content":null,"reasoning":"r1"},"index":0}]}"#,
            #"{"choices":[{"index":1,"delta":{"content":"other"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"a","content":"b"}}],"usage":null}"#,
            #"{"choices":[{"index":0,"delta":{"refusal":"no"},"finish_reason":"stop"}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#,
        ])
        let decoder = OpenAIStreamDecoder(model: "m", reasoningField: declared)
        let events = Harness.events(StreamDriver.unified(decoder, input, splits: Array(0...input.count)))
        let thinking: [StreamEvent] = declared == nil ? [] : [.thinking("r1")]
        #expect(
            events == [.start(id: "c", model: "m", provider: "openai", created: 1)] + thinking + [
                .text("b"), .text("no"), .usage(Usage(inputTokens: 3, outputTokens: 2, totalTokens: 5)),
                .done(.stop, providerFinishReason: "stop"),
            ])
    }

    /// Invalid UTF-8 inside a string the in-place reader reads (the relay lends the event's
    /// bytes as sent): the decoder gives way to the text, where it is repaired, as when every
    /// event was a `String` — the chunk is neither dropped nor refused.
    @Test func invalidUTF8InAReadStringIsRepairedNotDropped() {
        let bad: [UInt8] = [0x61, 0xFF, 0x62]
        func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
        let openAI =
            bytes(#"data: {"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{"content":""}}]}"# + "\n\n")
            + bytes(#"data: {"choices":[{"index":0,"delta":{"content":""#) + bad + bytes(#""}}]}"# + "\n\n")
            + bytes("data: [DONE]\n\n")
        let anthropic =
            bytes(#"event: message_start\#ndata: {"type":"message_start","message":{"id":"m","model":"c"}}"# + "\n\n")
            + bytes("event: content_block_delta\n")
            + bytes(#"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""#) + bad
            + bytes(#""}}"# + "\n\n") + bytes(#"event: message_stop\#ndata: {"type":"message_stop"}"# + "\n\n")
        let gemini =
            bytes(#"data: {"candidates":[{"content":{"parts":[{"text":""#) + bad
            + bytes(#""}]},"finishReason":"STOP"}]}"# + "\r\n\r\n")
        for unified in [
            Harness.openAI.unified(openAI), Harness.anthropic.unified(anthropic), Harness.gemini.unified(gemini),
        ] {
            #expect(Harness.events(unified).contains(.text("a\u{FFFD}b")), "\(unified)")
        }
    }

    static let awkwardText = "a\"b\\c\u{1}\n\u{e9}\u{1F600}</script>"

    @Test func openAIDoorTextChunksAreTheTreeBytes() {
        let encoder = OpenAIChunkEncoder(includeUsage: false)
        var out: [UInt8] = []
        encoder.encode(
            .start(id: "chatcmpl-\"1", model: "m\u{e9}", provider: "openai", created: 1_700_000_000), into: &out)
        for (event, key) in [(StreamEvent.text(Self.awkwardText), "content"), (.thinking("hm"), "reasoning_content")] {
            out.removeAll()
            encoder.encode(event, into: &out)
            let value: String = if case .text(let t) = event { t } else { "hm" }
            var expected = Array("data: ".utf8)
            JSONValue.object(
                JSONObject([
                    ("id", "chatcmpl-\"1"), ("object", "chat.completion.chunk"), ("created", 1_700_000_000),
                    ("model", "m\u{e9}"),
                    (
                        "choices",
                        [
                            .object(
                                JSONObject([("index", 0), ("delta", [key: .string(value)]), ("finish_reason", .null)]))
                        ]
                    ),
                ])
            ).write(into: &expected)
            expected.append(contentsOf: "\n\n".utf8)
            #expect(String(decoding: out, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        }
    }

    @Test func anthropicDoorDeltasAreTheTreeBytes() {
        let encoder = AnthropicEventEncoder()
        var out: [UInt8] = []
        encoder.encode(.start(id: "msg_1", model: "claude", provider: "anthropic", created: 1), into: &out)
        encoder.encode(.thinking("t"), into: &out)
        encoder.encode(.text("first"), into: &out)  // closes the thinking block: the text block is 1
        for (event, type, key) in [
            (StreamEvent.text(Self.awkwardText), "text_delta", "text"), (.thinking("hm"), "thinking_delta", "thinking"),
        ] {
            out.removeAll()
            encoder.encode(event, into: &out)
            let value: String = if case .text(let t) = event { t } else { "hm" }
            let index = type == "text_delta" ? 1 : 2
            var expected: [UInt8] = []
            if type == "thinking_delta" {  // the text block closes, a new thinking block opens
                expected.append(contentsOf: "event: content_block_stop\ndata: ".utf8)
                JSONValue.object(JSONObject([("type", "content_block_stop"), ("index", 1)])).write(into: &expected)
                expected.append(contentsOf: "\n\nevent: content_block_start\ndata: ".utf8)
                let block: JSONValue = ["type": "thinking", "thinking": "", "signature": ""]
                JSONValue.object(JSONObject([("type", "content_block_start"), ("index", 2), ("content_block", block)]))
                    .write(into: &expected)
                expected.append(contentsOf: "\n\n".utf8)
            }
            expected.append(contentsOf: "event: content_block_delta\ndata: ".utf8)
            JSONValue.object(
                JSONObject([
                    ("type", "content_block_delta"), ("index", .int(index)),
                    ("delta", .object(JSONObject([("type", .string(type)), (key, .string(value))]))),
                ])
            ).write(into: &expected)
            expected.append(contentsOf: "\n\n".utf8)
            #expect(String(decoding: out, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        }
    }
}
