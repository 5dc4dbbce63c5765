import Foundation
import Testing

/// The Gemini adapter through the real daemon and the emulator.
@Suite("Gemini, end to end")
struct GeminiEndToEndTests {
    @Test func textStreamsWithGeminiUsage() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let response = try ChatEndToEndTests.chat(daemon, model: "gemini/text+chunks=3+input=20+cached=5+run=gem1")
        #expect(response.status == 200)
        let events = sseEvents(response.body)
        #expect(events.filter { $0.event == "text" }.count == 3)
        let usage = try #require(jsonObject(events[events.count - 2].data))
        #expect(usage["input_tokens"] as? Int == 20)
        #expect(usage["cache_read_tokens"] as? Int == 5)
        let received = try #require(try ChatEndToEndTests.mockRequests(mock, run: "gem1").last)
        #expect((received["path"] as? String)?.hasSuffix(":streamGenerateContent") == true)
        let headers = received["headers"] as? [String: Any] ?? [:]
        #expect(headers.first { $0.key.lowercased() == "x-goog-api-key" }?.value as? String == "test-key-gemini")
    }

    @Test func functionCallsAndThoughtSignaturesRoundTrip() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let tools =
            #","tools":[{"name":"get_weather","parameters":{"type":"object"}}],"thinking":{"budget_tokens":1024}"#
        let first = try ChatEndToEndTests.chat(
            daemon, model: "gemini/tools+calls=2+run=gt1", extra: tools, stream: false)
        #expect(first.status == 200)
        let reply = try #require(jsonObject(first.body))
        #expect(reply["finish_reason"] as? String == "tool_calls")
        let content = try #require((reply["message"] as? [String: Any])?["content"] as? [[String: Any]])
        let calls = content.filter { $0["type"] as? String == "tool_call" }
        #expect(calls.count == 2)
        #expect(Set(calls.compactMap { $0["id"] as? String }).count == 2)
        #expect(calls[0]["signature"] as? String != nil, "Gemini signs the first call when thinking is on")
        // Send the answer back with results; every call part keeps what Gemini signed.
        let results = calls.map {
            ["role": "tool", "tool_call_id": $0["id"] as! String, "content": "{\"temp\":3}"] as [String: Any]
        }
        let body: [String: Any] = [
            "model": "gemini/text+run=gt2", "stream": false,
            "tools": [["name": "get_weather", "parameters": ["type": "object"]]],
            "messages": [["role": "user", "content": "weather?"], ["role": "assistant", "content": content]] + results,
        ]
        let second = try curl(
            daemon.baseURL + "/v1/chat",
            body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(second.status == 200, "\(second.body)")
        let upstream = try #require(
            try ChatEndToEndTests.mockRequests(mock, run: "gt2").last?["body"] as? [String: Any])
        let contents = try #require(upstream["contents"] as? [[String: Any]])
        let modelParts = try #require(contents[1]["parts"] as? [[String: Any]])
        #expect(modelParts.filter { $0["functionCall"] != nil }.count == 2)
        for (part, call) in zip(modelParts.filter { $0["functionCall"] != nil }, calls) {
            let given = call["signature"] as? String
            #expect(part["thoughtSignature"] as? String == given.map { String($0.dropFirst("gemini:".count)) })
        }
        let responses =
            (contents[2]["parts"] as? [[String: Any]])?.compactMap { $0["functionResponse"] as? [String: Any] } ?? []
        #expect(responses.count == 2)
        #expect(responses.allSatisfy { $0["name"] as? String == "get_weather" })
    }
}
