import ChatModel
import JSON
import SSE
import Testing
@testable import Providers

/// The shared stream rules, state by state (waiting, started, done) and event by event
/// (start, end, fail), straight on the builder.
@Suite("Stream builder: one start, one usage, one done, the pre-start error rule")
struct StreamBuilderTests {
    static let boom = StreamError(type: "upstream_error", message: "boom", provider: "p", status: 502)
    static let usage = Usage(inputTokens: 3, outputTokens: 2)
    static let start = StreamEvent.start(id: "r1", model: "served", provider: "p", created: 7)

    func builder(_ state: String) -> StreamBuilder {
        let builder = StreamBuilder(provider: "p", model: "asked", created: 7)
        builder.usage = Self.usage
        if state != "waiting" { builder.start(id: "r1", model: "served") { _ in } }
        if state == "done" { builder.end(.stop, providerFinishReason: nil) { _ in } }
        return builder
    }

    func events(_ builder: StreamBuilder, _ work: (StreamBuilder, (StreamEvent) -> Void) -> Void) -> [StreamEvent] {
        var out: [StreamEvent] = []
        work(builder) { out.append($0) }
        return out
    }

    // MARK: waiting

    @Test func waitingThenStartOpensTheAnswerOnce() {
        let b = builder("waiting")
        #expect(events(b) { b, emit in b.start(id: "r1", model: "served", emit) } == [Self.start])
        #expect(b.hasStarted && !b.isDone)
        #expect(events(b) { b, emit in b.start(id: "r2", model: "other", emit) } == [])
    }

    @Test func waitingThenStartWithoutModelUsesTheRequestedOne() {
        let b = builder("waiting")
        #expect(
            events(b) { b, emit in b.start(id: "", model: nil, created: 9, emit) }
                == [.start(id: "", model: "asked", provider: "p", created: 9)])
    }

    @Test func waitingThenEndStartsWithWhatIsKnownAndEnds() {
        let b = builder("waiting")
        #expect(
            events(b) { b, emit in b.end(.length, providerFinishReason: "max", emit) } == [
                .start(id: "", model: "asked", provider: "p", created: 7), .usage(Self.usage),
                .done(.length, providerFinishReason: "max"),
            ])
        #expect(b.hasStarted && b.isDone)
    }

    @Test func waitingThenFailIsTheErrorAloneAndEnds() {
        let b = builder("waiting")
        #expect(events(b) { b, emit in b.fail(Self.boom, providerFinishReason: "X", emit) } == [.error(Self.boom)])
        #expect(!b.hasStarted && b.isDone)
    }

    // MARK: started

    @Test func startedThenEndFinishesOpenCallsThenOneUsageAndDone() {
        let b = builder("started")
        _ = b.tools.start(providerIndex: 4, id: "c", name: "f")
        _ = b.tools.append(providerIndex: 4, fragment: #"{"a":1}"#)
        #expect(
            events(b) { b, emit in b.end(.toolCalls, providerFinishReason: "tool_calls", emit) } == [
                .toolCall(index: 0, id: "c", name: "f", arguments: ["a": 1]), .usage(Self.usage),
                .done(.toolCalls, providerFinishReason: "tool_calls"),
            ])
        #expect(b.isDone)
    }

    @Test func startedThenFailFinishesOpenCallsThenErrorUsageDone() {
        let b = builder("started")
        _ = b.tools.start(providerIndex: 0, id: "c", name: "f")
        #expect(
            events(b) { b, emit in b.fail(Self.boom, providerFinishReason: "X", emit) } == [
                .toolCall(index: 0, id: "c", name: "f", arguments: .object(JSONObject())), .error(Self.boom),
                .usage(Self.usage), .done(.error, providerFinishReason: "X"),
            ])
        #expect(b.isDone)
    }

    @Test func usageIsTheLastReport() {
        let b = builder("started")
        b.usage = Usage(inputTokens: 1)
        b.usage = Usage(inputTokens: 5, outputTokens: 1)
        #expect(
            events(b) { b, emit in b.end(.stop, providerFinishReason: nil, emit) }
                == [.usage(Usage(inputTokens: 5, outputTokens: 1)), .done(.stop, providerFinishReason: nil)])
    }

    // MARK: done

    @Test(arguments: ["start", "end", "fail"])
    func doneTakesNothingMore(event: String) {
        for state in ["done", "failed before start"] {
            let b = builder(state == "done" ? "done" : "waiting")
            if state != "done" { b.fail(Self.boom) { _ in } }
            let out = events(b) { b, emit in
                switch event {
                case "start": b.start(id: "x", model: nil, emit)
                case "end": b.end(.stop, providerFinishReason: nil, emit)
                default: b.fail(Self.boom, emit)
                }
            }
            #expect(out == [], "\(state) + \(event)")
            #expect(b.isDone)
        }
    }

    // MARK: each decoder follows the rule (before the builder they disagreed)

    /// An error as the provider's first event, then what would otherwise open an answer.
    static func decode(_ decoder: any ProviderStreamDecoder, _ events: [SSEEvent]) -> [StreamEvent] {
        var out: [StreamEvent] = []
        for event in events { decoder.decode(event) { out.append($0) } }
        if !decoder.isDone { decoder.finish { out.append($0) } }
        return out
    }

    @Test func openAIErrorBeforeStartIsTheErrorAlone() {
        // Used to add usage and done after the error.
        let decoder = OpenAIStreamDecoder(model: "m")
        let out = Self.decode(
            decoder,
            [
                SSEEvent(data: #"{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}"#),
                SSEEvent(
                    data: #"{"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{"content":"late"}}]}"#),
                SSEEvent(data: "[DONE]"),
            ])
        #expect(out.count == 1 && decoder.isDone && !decoder.hasStarted)
        guard case .error(let e)? = out.first else { Issue.record("expected the error, got \(out)"); return }
        #expect(e.status == 429 && e.provider == "openai")
    }

    @Test func anthropicErrorBeforeStartIsTheErrorAloneAndEnds() {
        // Used to stay open: a message_start after the error began an answer.
        let decoder = AnthropicStreamDecoder(model: "m", created: 1)
        let out = Self.decode(
            decoder,
            [
                SSEEvent(
                    event: "error",
                    data: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
                SSEEvent(event: "message_start", data: #"{"type":"message_start","message":{"id":"m1","model":"c"}}"#),
                SSEEvent(event: "message_stop", data: #"{"type":"message_stop"}"#),
            ])
        #expect(out.count == 1 && decoder.isDone && !decoder.hasStarted)
        guard case .error(let e)? = out.first else { Issue.record("expected the error, got \(out)"); return }
        #expect(e.status == 503 && e.provider == "anthropic")
    }

    /// Found by the fuzzer: content before `message_start` went out without a start, so a later
    /// error ended the stream as "text, error" with no usage and done.
    @Test func anthropicContentBeforeMessageStartOpensTheAnswer() {
        let decoder = AnthropicStreamDecoder(model: "m", created: 1)
        let out = Self.decode(
            decoder,
            [
                SSEEvent(
                    event: "content_block_delta",
                    data: #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#),
                SSEEvent(event: "error", data: #"{"type":"error","error":{"type":"overloaded_error","message":"x"}}"#),
            ])
        #expect(out.map(\.name) == ["start", "text", "error", "usage", "done"])
        #expect(decoder.isDone)
    }

    @Test func geminiErrorBeforeStartIsTheErrorAloneAndEnds() {
        // Used to stay open: a chunk after the error began an answer.
        let decoder = GeminiStreamDecoder(model: "g", created: 1, idPrefix: "t")
        let out = Self.decode(
            decoder,
            [
                SSEEvent(data: #"{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}"#),
                SSEEvent(data: #"{"candidates":[{"content":{"parts":[{"text":"late"}]},"finishReason":"STOP"}]}"#),
            ])
        #expect(out.count == 1 && decoder.isDone && !decoder.hasStarted)
        guard case .error(let e)? = out.first else { Issue.record("expected the error, got \(out)"); return }
        #expect(e.status == 429 && e.provider == "gemini")
    }

    /// After the start every decoder ends a failed stream the same way.
    @Test func everyDecoderEndsAFailedStartedStreamWithErrorUsageDone() {
        let cases: [(any ProviderStreamDecoder, [SSEEvent])] = [
            (
                OpenAIStreamDecoder(model: "m"),
                [
                    SSEEvent(
                        data: #"{"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{"content":"a"}}]}"#),
                    SSEEvent(data: #"{"error":{"message":"boom","type":"server_error"}}"#),
                ]
            ),
            (
                AnthropicStreamDecoder(model: "m", created: 1),
                [
                    SSEEvent(
                        event: "message_start", data: #"{"type":"message_start","message":{"id":"m1","model":"c"}}"#),
                    SSEEvent(event: "error", data: #"{"type":"error","error":{"type":"api_error","message":"boom"}}"#),
                ]
            ),
            (
                GeminiStreamDecoder(model: "g", created: 1, idPrefix: "t"),
                [
                    SSEEvent(data: #"{"candidates":[{"content":{"parts":[{"text":"a"}]}}]}"#),
                    SSEEvent(data: #"{"error":{"code":500,"message":"boom","status":"INTERNAL"}}"#),
                ]
            ),
        ]
        for (decoder, input) in cases {
            let out = Self.decode(decoder, input)
            let names = out.map(\.name)
            #expect(Array(names.suffix(3)) == ["error", "usage", "done"], "\(type(of: decoder)): \(names)")
            #expect(names.filter { $0 == "usage" }.count == 1 && names.filter { $0 == "done" }.count == 1)
            #expect(decoder.isDone)
        }
    }
}
