import Foundation
import JSON
import Testing

/// Issue 11 on the wire, with curl: server tools on every door, one rule for overload, each
/// door's stream ending after an error, the retry-wait bound, log probabilities.
@Suite("Fidelity, end to end")
struct FidelityEndToEndTests {
    static func post(_ daemon: SwitchboardProcess, _ path: String, _ body: String) throws -> CurlResponse {
        try curl(daemon.baseURL + path, headers: ["Content-Type": "application/json"], body: body)
    }

    static func messages(_ model: String, stream: Bool) -> String {
        #"{"model":"\#(model)","max_tokens":100,"stream":\#(stream),"messages":[{"role":"user","content":"news?"}]}"#
    }

    static func completions(_ model: String, stream: Bool) -> String {
        #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":"news?"}]}"#
    }

    // MARK: Server tools

    @Test func serverToolsAreTheirOwnEventsAndPartsOnTheUnifiedDoor() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let streamed = try ChatEndToEndTests.chat(daemon, model: "anthropic/server_tools+chunks=2+run=st1")
        #expect(streamed.status == 200)
        let events = sseEvents(streamed.body)
        let tools = events.filter { $0.event == "server_tool" }.compactMap { try? JSONValue.parse($0.data) }
        #expect(tools.map { $0["type"] } == ["server_tool_use", "web_search_tool_result"])
        #expect(tools.map { $0["provider"] } == ["anthropic", "anthropic"])
        #expect(tools[0]["name"] == "web_search")
        #expect(tools[0]["block"]?["input"] == ["query": "mock query 0"])
        #expect(!events.contains { $0.event.hasPrefix("tool_call") })
        #expect(jsonObject(events.last?.data ?? "")?["finish_reason"] as? String == "stop")
        let whole = try ChatEndToEndTests.chat(daemon, model: "anthropic/server_tools+chunks=2", stream: false)
        let content = try #require(try JSONValue.parse(whole.body)["message"]?["content"]?.arrayValue)
        #expect(content.compactMap { $0["type"]?.stringValue } == ["text", "server_tool", "server_tool", "text"])
        #expect(content[2]["block"]?["content"]?[0]?["title"] == "Mock result 0 — “w0”")
        #expect(try JSONValue.parse(whole.body)["finish_reason"] == "stop")
    }

    @Test func serverToolsPassThroughTheAnthropicDoorAndStayOutOfTheOpenAIDoor() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let streamed = try Self.post(
            daemon, "/v1/messages", Self.messages("anthropic/server_tools+chunks=2", stream: true))
        let starts = sseEvents(streamed.body).filter { $0.event == "content_block_start" }
            .compactMap { try? JSONValue.parse($0.data)["content_block"] }
        #expect(
            starts.compactMap { $0["type"]?.stringValue } == [
                "text", "server_tool_use", "web_search_tool_result", "text",
            ])
        let whole = try Self.post(
            daemon, "/v1/messages", Self.messages("anthropic/server_tools+chunks=2", stream: false))
        let blocks = try #require(try JSONValue.parse(whole.body)["content"]?.arrayValue)
        #expect(blocks[2]["content"] == starts[2]["content"])
        #expect(blocks[1]["input"] == ["query": "mock query 0"])
        #expect(try JSONValue.parse(whole.body)["stop_reason"] == "end_turn")

        let chunks = try Self.post(
            daemon, "/v1/chat/completions", Self.completions("anthropic/server_tools+chunks=2", stream: true))
        #expect(!chunks.body.contains("srvtoolu") && !chunks.body.contains("tool_calls"))
        #expect(chunks.body.contains(#""finish_reason":"stop""#))
        let completion = try Self.post(
            daemon, "/v1/chat/completions", Self.completions("anthropic/server_tools+chunks=2", stream: false))
        #expect(!completion.body.contains("srvtoolu"))
        #expect(try JSONValue.parse(completion.body)["choices"]?[0]?["message"]?["content"] == "Let me check.w0 w1")
    }

    /// Needs the request side (issue 11 §3, helper "req"): server-tool parts accepted back.
    @Test func theNextTurnSendsServerToolBlocksBackByteExact() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let first = try ChatEndToEndTests.chat(daemon, model: "anthropic/server_tools+chunks=2", stream: false)
        let firstJSON = try JSONValue.parse(first.body)
        let content = try #require(firstJSON["message"]?["content"])
        let body: JSONValue = [
            "model": "anthropic/text+run=st2", "stream": false,
            "messages": [
                ["role": "user", "content": "news?"], ["role": "assistant", "content": content],
                ["role": "user", "content": "more"],
            ],
        ]
        let second = try Self.post(daemon, "/v1/chat", body.serialized())
        #expect(second.status == 200, "\(second.body)")
        let sent = try #require(try ChatEndToEndTests.mockRequests(mock, run: "st2").last?["body"] as? [String: Any])
        let sentBlocks = try JSONValue.parse(try JSONSerialization.data(withJSONObject: sent))["messages"]?[1]?[
            "content"]?.arrayValue
        let original = content.arrayValue?.compactMap { $0["block"] } ?? []
        #expect(sentBlocks?.filter { $0["type"]?.stringValue != "text" } == original)
    }

    // MARK: Errors and endings

    @Test func anOverloadBeforeContentIsA503LikeA529() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        for (model, run) in [("anthropic/midstream_error+after=0", "ov1"), ("anthropic/error+status=529", "ov2")] {
            for stream in [true, false] {
                let response = try ChatEndToEndTests.chat(daemon, model: "\(model)+run=\(run)\(stream)", stream: stream)
                #expect(response.status == 503, "\(model) \(response.body)")
                #expect(
                    (jsonObject(response.body)?["error"] as? [String: Any])?["type"] as? String
                        == "upstream_unavailable")
                // Retried like any overload (two attempts configured).
                #expect(try ChatEndToEndTests.mockRequests(mock, run: "\(run)\(stream)").count == 2)
            }
        }
        let door = try Self.post(
            daemon, "/v1/messages", Self.messages("anthropic/midstream_error+after=0", stream: true))
        #expect(door.status == 503)
        #expect((jsonObject(door.body)?["error"] as? [String: Any])?["type"] as? String == "overloaded_error")
    }

    @Test func afterAnErrorEachDoorEndsItsStreamAsItsProtocolDoes() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        var body =
            #"{"model":"anthropic/midstream_error+after=2","stream":true,"stream_options":{"include_usage":true},"#
        body += #""messages":[{"role":"user","content":"hi"}]}"#
        let openAI = try Self.post(daemon, "/v1/chat/completions", body)
        let lines = openAI.body.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(lines.last == "data: [DONE]")
        let error = try JSONValue.parse(String(lines[lines.count - 2].dropFirst(6)))
        #expect(error["error"]?["type"] == "server_error")
        #expect(!openAI.body.contains("finish_reason\":\"stop") && !openAI.body.contains("\"usage\""))

        let anthropic = try Self.post(
            daemon, "/v1/messages", Self.messages("openai/midstream_error+after=2", stream: true))
        let names = sseEvents(anthropic.body).map(\.event)
        #expect(names.last == "error")
        #expect(!names.contains("message_delta") && !names.contains("message_stop"))

        // The unified stream keeps SPEC §4: error, usage, done.
        let unified = try ChatEndToEndTests.chat(daemon, model: "anthropic/midstream_error+after=2")
        #expect(sseEvents(unified.body).map(\.event).suffix(3) == ["error", "usage", "done"])
        let unifiedError = try JSONValue.parse(sseEvents(unified.body).first { $0.event == "error" }?.data ?? "")
        #expect(unifiedError["error"]?["status"] == 503)
    }

    @Test func aLongProviderRetryHintIsNotWaitedFor() throws {
        let mock = try Launch.mock()
        // Gemini's RetryInfo of 21 s: the 429 goes back at once, with the provider's wait.
        let daemon = try Launch.daemon(behind: mock)
        let limited = try ChatEndToEndTests.chat(daemon, model: "gemini/error+status=429+retry_after=21+run=rb1")
        #expect(limited.status == 429)
        #expect(limited.headers["retry-after"] == "21")
        #expect(try ChatEndToEndTests.mockRequests(mock, run: "rb1").count == 1)
        // While Gemini is held back for those 21 s, a request with a fallback goes there at once.
        let held = try ChatEndToEndTests.chat(
            daemon, model: "gemini/text+run=rb0", extra: #","fallbacks":["openai/text+run=rb00"]"#)
        #expect(held.status == 200)
        #expect(try ChatEndToEndTests.mockRequests(mock, run: "rb00").count == 1)
    }

    @Test func aLongProviderRetryHintGoesToTheNextFallback() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let fallback = try ChatEndToEndTests.chat(
            daemon, model: "gemini/error+status=429+retry_after=21+run=rb2",
            extra: #","fallbacks":["openai/text+run=rb3"]"#)
        #expect(fallback.status == 200)
        #expect(try ChatEndToEndTests.mockRequests(mock, run: "rb2").count == 1)
        #expect(try ChatEndToEndTests.mockRequests(mock, run: "rb3").count == 1)
    }

    @Test func aShortProviderRetryHintIsStillWaitedFor() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let short = try ChatEndToEndTests.chat(daemon, model: "gemini/text+fail=429x1+retry_after=0+run=rb4")
        #expect(short.status == 200)
        #expect(try ChatEndToEndTests.mockRequests(mock, run: "rb4").count == 2)
    }

    @Test func theRetryWaitBoundIsConfigured() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(
            behind: mock, environment: ["SWITCHBOARD_PROVIDERS_GEMINI_RETRY_MAX_WAIT_MS": "0"])
        let limited = try ChatEndToEndTests.chat(daemon, model: "gemini/error+status=429+retry_after=1+run=rc1")
        #expect(limited.status == 429)
        #expect(try ChatEndToEndTests.mockRequests(mock, run: "rc1").count == 1)
    }

    // MARK: Log probabilities

    /// Asked for through `provider_options` (the request fields are mapped by the request side).
    @Test(arguments: [
        ("openai", #"{"openai":{"logprobs":true,"top_logprobs":2}}"#),
        ("gemini", #"{"gemini":{"generationConfig":{"responseLogprobs":true,"logprobs":2}}}"#),
    ])
    func logprobsReachTheUnifiedDoor(provider: String, options: String) throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let streamed = try ChatEndToEndTests.chat(
            daemon, model: "\(provider)/text+chunks=3", extra: #","provider_options":\#(options)"#)
        let entries = sseEvents(streamed.body).filter { $0.event == "logprobs" }
            .compactMap { try? JSONValue.parse($0.data)["content"]?.arrayValue }.flatMap { $0 }
        #expect(entries.compactMap { $0["token"]?.stringValue } == ["w0", " w1", " w2"])
        #expect(entries.allSatisfy { $0["top_logprobs"]?.arrayValue?.count == 2 && $0["bytes"]?.arrayValue != nil })
        let whole = try ChatEndToEndTests.chat(
            daemon, model: "\(provider)/text+chunks=3", extra: #","provider_options":\#(options)"#,
            stream: false)
        #expect(try JSONValue.parse(whole.body)["logprobs"]?["content"]?.arrayValue?.count == 3)
        let plain = try ChatEndToEndTests.chat(daemon, model: "\(provider)/text+chunks=3", stream: false)
        #expect(try JSONValue.parse(plain.body)["logprobs"] == nil)
        #expect(
            !(try ChatEndToEndTests.chat(daemon, model: "\(provider)/text+chunks=3")).body.contains("event: logprobs"))
    }
}
