import Foundation
import Testing

/// The Anthropic adapter through the real daemon and the emulator.
@Suite("Anthropic, end to end")
struct AnthropicEndToEndTests {
    @Test func thinkingAndToolsThenTheSignaturesGoBackByteExact() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let tools =
            #","tools":[{"name":"get_weather","parameters":{"type":"object"}}],"thinking":{"budget_tokens":2048}"#
        let first = try ChatEndToEndTests.chat(daemon, model: "anthropic/thinking+redacted=1+run=ant1", extra: tools)
        #expect(first.status == 200)
        let events = sseEvents(first.body)
        let signatures = events.filter { $0.event == "thinking" }.compactMap {
            jsonObject($0.data)?["signature"] as? String
        }
        let redacted = events.filter { $0.event == "thinking" }.compactMap {
            jsonObject($0.data)?["redacted"] as? String
        }
        #expect(signatures.count == 1)
        #expect(redacted.count == 1)
        let thinkingText = events.filter { $0.event == "thinking" }.compactMap {
            jsonObject($0.data)?["delta"] as? String
        }.joined()
        let received = try #require(try ChatEndToEndTests.mockRequests(mock, run: "ant1").last)
        let headers = received["headers"] as? [String: Any] ?? [:]
        #expect(headers.first { $0.key.lowercased() == "x-api-key" }?.value as? String == "test-key-anthropic")
        #expect(((received["body"] as? [String: Any])?["thinking"] as? [String: Any])?["budget_tokens"] as? Int == 2048)

        // Second turn: the assistant's thinking goes back with its signature and redacted data.
        let assistant: [String: Any] = [
            "role": "assistant",
            "content": [
                ["type": "thinking", "text": thinkingText, "signature": signatures[0]],
                ["type": "thinking", "redacted": redacted[0]],
                ["type": "tool_call", "id": "toolu_1", "name": "get_weather", "arguments": ["city": "Oslo"]],
            ],
        ]
        let body: [String: Any] = [
            "model": "anthropic/text+run=ant2", "thinking": ["budget_tokens": 2048],
            "tools": [["name": "get_weather", "parameters": ["type": "object"]]],
            "messages": [
                ["role": "user", "content": "weather?"], assistant,
                ["role": "tool", "tool_call_id": "toolu_1", "content": "{\"temp\":3}"],
            ],
        ]
        let second = try curl(
            daemon.baseURL + "/v1/chat",
            body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(second.status == 200)
        let upstream = try #require(
            try ChatEndToEndTests.mockRequests(mock, run: "ant2").last?["body"] as? [String: Any])
        let messages = try #require(upstream["messages"] as? [[String: Any]])
        let blocks = try #require(messages[1]["content"] as? [[String: Any]])
        #expect(signatures[0].hasPrefix("anthropic:"))
        #expect(blocks[0]["signature"] as? String == String(signatures[0].dropFirst("anthropic:".count)))
        #expect(blocks[1]["data"] as? String == redacted[0])
        #expect(blocks[2]["type"] as? String == "tool_use")
        #expect(((messages[2]["content"] as? [[String: Any]])?.first)?["type"] as? String == "tool_result")
    }

    @Test func usageFollowsTheUnifiedConvention() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let response = try ChatEndToEndTests.chat(
            daemon, model: "anthropic/text+input=100+cached=60+cache_write=30+chunks=4", stream: false)
        #expect(response.status == 200)
        let usage = jsonObject(response.body)?["usage"] as? [String: Any]
        #expect(usage?["input_tokens"] as? Int == 100)
        #expect(usage?["cache_read_tokens"] as? Int == 60)
        #expect(usage?["cache_write_tokens"] as? Int == 30)
        #expect(usage?["output_tokens"] as? Int == 4)
    }

    @Test func fallsBackToAnotherProviderWhenTheFirstIsDown() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let response = try ChatEndToEndTests.chat(
            daemon, model: "openai/error+status=503+run=fb1",
            extra: #","fallbacks":["anthropic/text+run=fb2"]"#)
        #expect(response.status == 200)
        let events = sseEvents(response.body)
        #expect(jsonObject(events.first?.data ?? "")?["provider"] as? String == "anthropic")
        #expect(try ChatEndToEndTests.mockRequests(mock, run: "fb1").count == 3)
        #expect(try ChatEndToEndTests.mockRequests(mock, run: "fb2").count == 1)
        let metrics = try curl(daemon.baseURL + "/metrics").body
        #expect(metrics.contains("switchboard_fallbacks_total 1"))
    }

    @Test func overloadedMidStreamBecomesAnErrorEvent() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let response = try ChatEndToEndTests.chat(daemon, model: "anthropic/midstream_error")
        #expect(response.status == 200)
        let names = sseEvents(response.body).map(\.event)
        #expect(names.suffix(3) == ["error", "usage", "done"])
        #expect(jsonObject(sseEvents(response.body).last!.data)?["finish_reason"] as? String == "error")
    }

    @Test func aConversationMovedToAnotherProviderDropsForeignSignaturesAndKeepsHistory() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let first = try ChatEndToEndTests.chat(
            daemon, model: "anthropic/thinking", extra: #","thinking":{"budget_tokens":2048}"#, stream: false)
        let content = try #require(
            ((jsonObject(first.body)?["message"] as? [String: Any])?["content"]) as? [[String: Any]])
        #expect(content.contains { ($0["signature"] as? String)?.hasPrefix("anthropic:") == true })
        let history: [[String: Any]] = [
            ["role": "user", "content": "weather?"],
            [
                "role": "assistant",
                "content": content + [
                    ["type": "tool_call", "id": "toolu_9", "name": "get_weather", "arguments": ["city": "Oslo"]]
                ],
            ],
            ["role": "tool", "tool_call_id": "toolu_9", "content": "{\"temp\":3}"],
        ]
        for (model, run) in [("gemini/text", "move-g"), ("openai/text", "move-o")] {
            let body: [String: Any] = [
                "model": "\(model)+run=\(run)", "stream": false, "messages": history,
                "tools": [["name": "get_weather", "parameters": ["type": "object"]]],
            ]
            let answer = try curl(
                daemon.baseURL + "/v1/chat",
                body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
            #expect(answer.status == 200, "\(model): \(answer.body)")
            let sent = try #require(try ChatEndToEndTests.mockRequests(mock, run: run).last?["body"] as? [String: Any])
            let text = String(decoding: try JSONSerialization.data(withJSONObject: sent), as: UTF8.self)
            #expect(!text.contains("sig-"), "\(model) got another provider's signature: \(text)")
            #expect(text.contains("toolu_9") || text.contains("get_weather"), "\(model) lost the tool history")
            #expect(text.contains("temp"), "\(model) lost the tool result")
        }
    }
}
