import ChatModel
import JSON
import SSE
import Testing

@testable import Providers

/// Log probabilities pass through in OpenAI's entry shape, from OpenAI as they are and from
/// Gemini's `logprobsResult` mapped; without them nothing changes.
@Suite("Adapters: log probabilities")
struct LogprobsDecodingTests {
    static let entry =
        #"""
        {"token":"Hi","logprob":-0.25,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.25,\#
        "bytes":[72,105]},{"token":"Hello","logprob":-1.5,"bytes":[72,101,108,108,111]}]}
        """#

    @Test func openAIChunksCarryThemAsEvents() throws {
        let input = Harness.openAI.chunks([
            #"""
            {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",\#
            "choices":[{"index":0,"delta":{"role":"assistant","content":""},\#
            "logprobs":{"content":[],"refusal":null},"finish_reason":null}]}
            """#,
            #"""
            {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,\#
            "delta":{"content":"Hi"},"logprobs":{"content":[\#(Self.entry)],"refusal":null},"finish_reason":null}]}
            """#,
            #"""
            {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",\#
            "choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}
            """#,
        ])
        let whole = Harness.openAI.unified(input)
        let events = Harness.events(whole)
        let logprobs = events.compactMap {
            if case .logprobs(let l) = $0 { return l }
            return nil
        }
        #expect(logprobs.map { $0.serialized() } == ["[\(Self.entry)]"])
        // After the text they belong to.
        #expect(events.firstIndex(of: .text("Hi"))! < events.firstIndex(of: .logprobs(logprobs[0]))!)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            #expect(
                Harness.openAI.unified(
                    input, splits: (0..<4).map { _ in Int.random(in: 0...input.count, using: &generator) }) == whole)
        }
    }

    @Test func openAIWithoutThemEmitsNone() {
        let input = Harness.openAI.chunks([
            #"""
            {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",\#
            "choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":"stop"}]}
            """#
        ])
        #expect(!Harness.openAI.unified(input).contains("logprobs"))
    }

    @Test func openAIWholeCompletionKeepsThem() throws {
        let body =
            #"""
            {"id":"c","object":"chat.completion","created":1,"model":"m",\#
            "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},\#
            "logprobs":{"content":[\#(Self.entry)],"refusal":null},"finish_reason":"stop"}]}
            """#
        let response = try OpenAIAdapter().decodeResponse(body: Array(body.utf8), model: "m")
        #expect(response.logprobs?.serialized() == "[\(Self.entry)]")
        var out: [UInt8] = []
        response.writeJSON(into: &out)
        #expect(String(decoding: out, as: UTF8.self).hasSuffix(#","logprobs":{"content":[\#(Self.entry)]}}"#))
        #expect(try JSONValue.parse(out) == response.json())
    }

    static let geminiResult =
        #"""
        {"topCandidates":[{"candidates":[{"token":"Hi","tokenId":5,"logProbability":-0.25},\#
        {"token":"Hello","tokenId":6,"logProbability":-1.5}]},{"candidates":[{"token":"!",\#
        "tokenId":7}]}],"chosenCandidates":[{"token":"Hi","tokenId":5,\#
        "logProbability":-0.25},{"token":"!","tokenId":7}],"logProbabilitySum":-0.25}
        """#

    @Test func geminiResultsBecomeOpenAIEntries() throws {
        let events = Harness.gemini.events([
            #"""
            {"candidates": [{"content": {"parts": [{"text": "Hi!"}],"role": "model"},\#
            "index": 0,"logprobsResult": \#(Self.geminiResult)}],"usageMetadata": {"promptTokenCount": 3,\#
            "totalTokenCount": 3},"modelVersion": "g","responseId": "r"}
            """#,
            #"""
            {"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},\#
            "finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 3,\#
            "candidatesTokenCount": 2,"totalTokenCount": 5},"modelVersion": "g","responseId": "r"}
            """#,
        ])
        let logprobs = events.compactMap {
            if case .logprobs(let l) = $0 { return l }
            return nil
        }
        // A zero log probability is left out on Gemini's wire: it reads as 0.
        #expect(
            logprobs.map { $0.serialized() } == [
                #"""
                [{"token":"Hi","logprob":-0.25,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.25,\#
                "bytes":[72,105]},{"token":"Hello","logprob":-1.5,"bytes":[72,101,108,108,111]}]},\#
                {"token":"!","logprob":0,"bytes":[33],"top_logprobs":[{"token":"!","logprob":0,"bytes":[33]}]}]
                """#
            ])
        #expect(events.last == .done(.stop, providerFinishReason: "STOP"))
    }

    @Test func geminiWholeResponseKeepsThem() throws {
        let body =
            #"""
            {"candidates": [{"content": {"parts": [{"text": "Hi!"}],"role": "model"},\#
            "finishReason": "STOP","avgLogprobs": -0.1,"logprobsResult": \#(Self.geminiResult),\#
            "index": 0}],"usageMetadata": {"promptTokenCount": 3,\#
            "candidatesTokenCount": 2,"totalTokenCount": 5},"modelVersion": "g","responseId": "r"}
            """#
        let response = try Harness.gemini.adapter.decodeResponse(body: Array(body.utf8), model: "g")
        #expect(response.logprobs?.arrayValue?.count == 2)
        #expect(response.logprobs?[1]?["token"] == "!")
    }
}

/// Gemini signs a part; a signature on a trailing empty text part has no part of its own in
/// the unified answer and must still reach the client (non-stream as stream).
@Suite("Gemini adapter: signatures in whole answers")
struct GeminiWholeSignatureTests {
    @Test func aSignatureOnATrailingEmptyPartIsKept() throws {
        let body =
            #"""
            {"candidates": [{"content": {"parts": [{"text": "Hello"},{"text": "",\#
            "thoughtSignature": "c2lnLXRyYWls"}],"role": "model"},"finishReason": "STOP",\#
            "index": 0}],"usageMetadata": {"promptTokenCount": 3,"candidatesTokenCount": 1,\#
            "totalTokenCount": 4},"modelVersion": "g","responseId": "r"}
            """#
        let response = try Harness.gemini.adapter.decodeResponse(body: Array(body.utf8), model: "g")
        #expect(
            response.content == [
                .text(TextPart(text: "Hello")), .thinking(ThinkingPart(text: "", signature: "gemini:c2lnLXRyYWls")),
            ])
    }

    @Test func signaturesOnTextAndCallsStayOnTheirParts() throws {
        let body =
            #"""
            {"candidates": [{"content": {"parts": [{"text": "Let me", "thoughtSignature": "c2lnLTE="},\#
            {"functionCall": {"name": "f","args": {}},"thoughtSignature": "c2lnLTI="}],\#
            "role": "model"},"finishReason": "STOP","index": 0}],"modelVersion": "g","responseId": "r"}
            """#
        let response = try Harness.gemini.adapter.decodeResponse(body: Array(body.utf8), model: "g")
        guard response.content.count == 2, case .text(let text) = response.content[0],
            case .toolCall(let call) = response.content[1]
        else {
            Issue.record("\(response.content)")
            return
        }
        #expect(text.signature == "gemini:c2lnLTE=")
        #expect(call.signature == "gemini:c2lnLTI=")
    }
}
