import ChatModel
import Foundation
import JSON
import SSE
import Testing
@testable import Providers

@Suite("Gemini adapter: stream goldens")
struct GeminiGoldenTests {
    @Test(arguments: ["stream-text", "stream-function-call", "stream-thought-parts"])
    func fixtureMatchesGoldenAtEverySplit(name: String) throws {
        let input = try Harness.gemini.fixture("\(name).sse")
        let whole = Harness.gemini.unified(input)
        let url = Harness.gemini.goldens.appendingPathComponent("\(name).events")
        if ProcessInfo.processInfo.environment["SWITCHBOARD_RECORD_GOLDEN"] == "1" {
            try whole.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(whole == (try String(contentsOf: url, encoding: .utf8)))
        #expect(Harness.gemini.unified(input, splits: Array(0...input.count)) == whole)
    }
}

@Suite("Gemini adapter: streams, requests, errors")
struct GeminiMappingTests {
    @Test func severalFunctionCallsGetStableIdsAndToolCallsFinish() {
        let events = Harness.gemini.events([
            #"""
            {"candidates": [{"content": {"parts": [{"functionCall": {"name": "a","args": {"x": 1}},\#
            "thoughtSignature": "c2ln"},{"functionCall": {"name": "b","args": {}}}],\#
            "role": "model"},"index": 0}],"responseId": "r1","modelVersion": "gemini-x"}
            """#,
            #"""
            {"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "STOP",\#
            "index": 0}],"usageMetadata": {"promptTokenCount": 10,"candidatesTokenCount": 4,\#
            "thoughtsTokenCount": 6,"cachedContentTokenCount": 8,"totalTokenCount": 20}}
            """#,
        ])
        #expect(events.first == .start(id: "r1", model: "gemini-x", provider: "gemini", created: 1_700_000_000))
        #expect(events.contains(.thinkingSignature("gemini:c2ln")))
        #expect(events.contains(.toolCall(index: 0, id: "call_t_0", name: "a", arguments: ["x": 1])))
        #expect(events.contains(.toolCall(index: 1, id: "call_t_1", name: "b", arguments: .object(JSONObject()))))
        #expect(
            events.contains(
                .usage(
                    Usage(inputTokens: 10, outputTokens: 10, cacheReadTokens: 8, reasoningTokens: 6, totalTokens: 20))))
        #expect(events.last == .done(.toolCalls, providerFinishReason: "STOP"))
    }

    @Test(arguments: [
        ("SAFETY", FinishReason.contentFilter), ("MAX_TOKENS", .length), ("MALFORMED_FUNCTION_CALL", .error),
        ("OTHER", .stop),
    ])
    func finishReasons(raw: String, unified: FinishReason) {
        let events = Harness.gemini.events([#"{"candidates": [{"finishReason": "\#(raw)","index": 0}]}"#])
        #expect(events.last == .done(unified, providerFinishReason: raw))
    }

    @Test func promptBlockIsAContentFilter() {
        let events = Harness.gemini.events([
            #"""
            {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},\#
            "usageMetadata": {"promptTokenCount": 7,"totalTokenCount": 7}}
            """#
        ])
        #expect(events.last == .done(.contentFilter, providerFinishReason: "PROHIBITED_CONTENT"))
        #expect(events.contains(.usage(Usage(inputTokens: 7, totalTokens: 7))))
    }

    @Test func requestMapping() throws {
        let request = try ChatRequest.decode(
            try JSONValue.parse(
                #"""
                {"model":"g","messages":[
                  {"role":"system","content":"terse"},
                  {"role":"user","content":"weather?"},
                  {"role":"assistant","content":[{"type":"thinking","text":"","signature":"sig1"},\#
                {"type":"tool_call","id":"c1","name":"w","arguments":{"c":"Oslo"}},\#
                {"type":"tool_call","id":"c2","name":"w","arguments":{"c":"Rome"},"signature":"sig2"}]},
                  {"role":"tool","tool_call_id":"c1","content":"{\"t\":3}"},
                  {"role":"tool","tool_call_id":"c2","content":"down","is_error":true}],
                 "tools":[{"name":"w","parameters":{"type":"object","additionalProperties":false,"$schema":"x",\#
                "properties":{"c":{"type":["string","null"],"const":"Oslo"}}}}],
                 "tool_choice":{"name":"w"},"thinking":{"effort":"low"},"max_tokens":50,"stop":["END"]}
                """#))
        let upstream = try Harness.gemini.adapter.upstreamRequest(
            for: request, model: "gemini-2.5-flash",
            endpoint: ProviderEndpoint(baseURL: "http://g", apiKey: "gk"), stream: true)
        #expect(upstream.url == "http://g/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
        #expect(upstream.header("x-goog-api-key") == "gk")
        #expect(!upstream.url.contains("gk"))
        let body = try JSONValue.parse(upstream.body)
        #expect(body["systemInstruction"] == ["parts": [["text": "terse"]]])
        let contents = try #require(body["contents"]?.arrayValue)
        #expect(contents.map { $0["role"] } == ["user", "model", "user"])
        #expect(
            contents[1]["parts"]?[0] == [
                "functionCall": ["name": "w", "args": ["c": "Oslo"]], "thoughtSignature": "sig1",
            ])
        #expect(contents[1]["parts"]?[1]?["thoughtSignature"] == "sig2")
        var moved = request
        moved.messages[2].content[0] = .thinking(ThinkingPart(text: "", signature: "anthropic:EqQB"))
        moved.messages[2].content[2] = .toolCall(
            ToolCallPart(id: "c2", name: "w", arguments: ["c": "Rome"], signature: "gemini:own"))
        let movedBody = try JSONValue.parse(
            try Harness.gemini.adapter.upstreamRequest(
                for: moved, model: "g",
                endpoint: ProviderEndpoint(baseURL: "http://g", apiKey: "k"), stream: false
            ).body)
        #expect(movedBody["contents"]?[1]?["parts"]?[0]?["thoughtSignature"] == nil)
        #expect(movedBody["contents"]?[1]?["parts"]?[1]?["thoughtSignature"] == "own")
        #expect(
            contents[2]["parts"] == [
                ["functionResponse": ["name": "w", "response": ["t": 3]]],
                ["functionResponse": ["name": "w", "response": ["error": "down"]]],
            ])
        #expect(
            body["tools"]?[0]?["functionDeclarations"]?[0]?["parameters"] == [
                "type": "object", "properties": ["c": ["type": "string", "nullable": true, "enum": ["Oslo"]]],
            ])
        #expect(body["toolConfig"] == ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": ["w"]]])
        #expect(
            body["generationConfig"] == [
                "maxOutputTokens": 50, "stopSequences": ["END"],
                "thinkingConfig": ["thinkingBudget": 1024, "includeThoughts": true],
            ])
        var orphan = request
        orphan.messages.remove(at: 2)
        #expect(throws: GatewayError.self) {
            try Harness.gemini.adapter.upstreamRequest(
                for: orphan, model: "g", endpoint: ProviderEndpoint(baseURL: "http://g", apiKey: "k"), stream: false)
        }
    }

    @Test func errorsAndNonStream() throws {
        let adapter = Harness.gemini.adapter
        let exhausted = adapter.mapError(
            status: 429, headers: [], body: try Harness.gemini.fixture("error-429-resource-exhausted.json"))
        #expect(exhausted.error.status == 429)
        #expect(exhausted.retryable)
        #expect(exhausted.retryAfterSeconds == 21)
        let key = adapter.mapError(
            status: 400, headers: [], body: try Harness.gemini.fixture("error-400-api-key-invalid.json"))
        #expect(key.error.status == 502)
        let down = adapter.mapError(
            status: 503, headers: [], body: try Harness.gemini.fixture("error-503-unavailable.json"))
        #expect(down.retryable && down.error.status == 503)
        let call = try adapter.decodeResponse(
            body: try Harness.gemini.fixture("function-call.response.json"), model: "g")
        #expect(call.finishReason == .toolCalls)
        #expect(
            call.content.contains {
                if case .toolCall = $0 { return true }; return false
            })
        let cached = try adapter.decodeResponse(
            body: try Harness.gemini.fixture("generate-with-cached-content.response.json"), model: "g")
        let json = try JSONValue.parse(try Harness.gemini.fixture("generate-with-cached-content.response.json"))
        #expect(cached.usage.cacheReadTokens == json["usageMetadata"]?["cachedContentTokenCount"]?.intValue)
        #expect(cached.usage.inputTokens == json["usageMetadata"]?["promptTokenCount"]?.intValue)
    }
}

@Suite("Gemini adapter: the model as a path segment")
struct GeminiPathTests {
    /// The escaping before it worked on bytes (issue 13), kept as the reference.
    static func reference(_ model: String) -> String {
        var out = ""
        for byte in model.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isLetter && byte < 0x80 || c.isNumber && byte < 0x80 || "-._~".contains(c) {
                out.append(c)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    @Test func escapesAsBefore() {
        let names = [
            "gemini-2.0-flash", "gemini-1.5-pro-002", "a.b_c~d", "", "models/x", "x y", "x%y", "x?y#z", "é", "模型",
            "tab\there", "\u{0}", "a:b@c", "🙂", "UPPER-lower.09",
        ]
        let all = names + [String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)]
        for name in all { #expect(GeminiAdapter.escapePath(name) == Self.reference(name), "\(name)") }
    }
}
