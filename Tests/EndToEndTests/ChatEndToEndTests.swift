import Foundation
import Testing

/// Issue 3: `/v1/chat` through the real daemon to the real emulator over real libcurl.
@Suite("Chat streaming, end to end")
struct ChatEndToEndTests {
    static func chat(
        _ daemon: SwitchboardProcess, model: String, extra: String = "", stream: Bool = true,
        headers: [String: String] = [:], timeout: Double = 30
    ) throws -> CurlResponse {
        let body = #"{"model":"\#(model)","messages":[{"role":"user","content":"hello"}]\#(extra),"stream":\#(stream)}"#
        return try curl(
            daemon.baseURL + "/v1/chat", headers: ["Content-Type": "application/json"].merging(headers) { $1 },
            body: body, timeout: timeout)
    }

    static func mockRequests(_ mock: SwitchboardProcess, run: String) throws -> [[String: Any]] {
        let response = try curl(mock.baseURL + "/_mock/requests?run=\(run)")
        return (try? JSONSerialization.jsonObject(with: Data(response.body.utf8))) as? [[String: Any]] ?? []
    }

    @Test func streamsNormalisedText() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let response = try Self.chat(daemon, model: "openai/text+chunks=5")
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        let events = sseEvents(response.body)
        #expect(events.first?.event == "start")
        #expect(events.filter { $0.event == "text" }.count == 5)
        #expect(events.filter { $0.event == "usage" }.count == 1)
        #expect(events.last?.event == "done")
        #expect(events[events.count - 2].event == "usage")
        let start = try #require(jsonObject(events[0].data))
        #expect(start["provider"] as? String == "openai")
        let done = try #require(jsonObject(events.last!.data))
        #expect(done["finish_reason"] as? String == "stop")
    }

    @Test func streamsParallelToolCallsWithTheirOwnIndices() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let tools = #","tools":[{"name":"get_weather","parameters":{"type":"object"}}]"#
        let response = try Self.chat(daemon, model: "openai/tools+calls=3+interleave=1", extra: tools)
        #expect(response.status == 200)
        let events = sseEvents(response.body)
        let starts = events.filter { $0.event == "tool_call_start" }.compactMap {
            jsonObject($0.data)?["index"] as? Int
        }
        #expect(starts == [0, 1, 2])
        let calls = events.filter { $0.event == "tool_call" }.compactMap { jsonObject($0.data) }
        #expect(calls.count == 3)
        for (i, call) in calls.enumerated() {
            let arguments = call["arguments"] as? [String: Any]
            #expect(arguments?["city"] as? String == "Oslo")
            #expect(arguments?["n"] as? Int == i)
        }
        #expect(jsonObject(events.last!.data)?["finish_reason"] as? String == "tool_calls")
    }

    @Test(arguments: ["chat-stream-text-usage", "chat-stream-tool-call-single"])
    func fixtureReplaysMatchTheAdapterGolden(fixture: String) throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let response = try Self.chat(daemon, model: "openai/fixture=\(fixture)")
        #expect(response.status == 200)
        let golden = try String(
            contentsOfFile: Repo.root.appendingPathComponent(
                "Tests/ProvidersTests/Golden/openai/\(fixture).events"
            ).path, encoding: .utf8)
        #expect(response.body == golden)
    }

    @Test func nonStreamingAnswerIsOneJSONObject() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let response = try Self.chat(daemon, model: "openai/text+chunks=3+input=7+cached=2", stream: false)
        #expect(response.status == 200)
        let body = try #require(jsonObject(response.body))
        #expect(body["provider"] as? String == "openai")
        let message = body["message"] as? [String: Any]
        let content = message?["content"] as? [[String: Any]]
        #expect(content?.first?["type"] as? String == "text")
        let usage = body["usage"] as? [String: Any]
        #expect(usage?["input_tokens"] as? Int == 7)
        #expect(usage?["cache_read_tokens"] as? Int == 2)
        #expect(body["finish_reason"] as? String == "stop")
    }

    @Test func translationReachesTheProviderWithItsOwnKey() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let extra = #"""
            ,"tools":[{"name":"lookup","description":"d","parameters":{"type":"object"}}],\#
            "tool_choice":{"name":"lookup"},"max_tokens":50,"thinking":{"effort":"low"}
            """#
        let response = try Self.chat(
            daemon, model: "openai/text+run=translate1", extra: extra,
            headers: ["Authorization": "Bearer client-secret"])
        #expect(response.status == 200)
        let received = try #require(try Self.mockRequests(mock, run: "translate1").last)
        #expect(received["path"] as? String == "/v1/chat/completions")
        let headers = received["headers"] as? [String: Any] ?? [:]
        let auth = headers.first { $0.key.lowercased() == "authorization" }?.value as? String
        #expect(auth == "Bearer test-key-openai")
        let body = try #require(received["body"] as? [String: Any])
        #expect(body["max_completion_tokens"] as? Int == 50)
        #expect(body["reasoning_effort"] as? String == "low")
        #expect((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
        let tools = body["tools"] as? [[String: Any]]
        #expect(tools?.first?["type"] as? String == "function")
        #expect(
            ((body["tool_choice"] as? [String: Any])?["function"] as? [String: Any])?["name"] as? String == "lookup")
    }

    @Test func upstreamErrorsMapToTheContract() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let clientFault = try Self.chat(daemon, model: "openai/error+status=400")
        #expect(clientFault.status == 400)
        #expect((jsonObject(clientFault.body)?["error"] as? [String: Any])?["provider"] as? String == "openai")
        let limited = try Self.chat(daemon, model: "openai/error+status=429+retry_after=0")
        #expect(limited.status == 429)
        #expect(limited.headers["retry-after"] != nil)
        let down = try Self.chat(daemon, model: "openai/error+status=503+run=down1")
        #expect(down.status == 503)
        #expect((jsonObject(down.body)?["error"] as? [String: Any])?["type"] as? String == "upstream_unavailable")
        #expect(try Self.mockRequests(mock, run: "down1").count == 3)
        let recovered = try Self.chat(daemon, model: "openai/text+fail=500x2+run=flaky1")
        #expect(recovered.status == 200)
        #expect(sseEvents(recovered.body).last?.event == "done")
        #expect(try Self.mockRequests(mock, run: "flaky1").count == 3)
    }

    @Test func invalidRequestsNameTheField() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let malformed = try curl(daemon.baseURL + "/v1/chat", body: "{\"model\":")
        #expect(malformed.status == 400)
        let badPart = try curl(
            daemon.baseURL + "/v1/chat",
            body: #"{"model":"openai/x","messages":[{"role":"user","content":[{"type":"video"}]}]}"#)
        #expect(badPart.status == 400)
        #expect(
            (jsonObject(badPart.body)?["error"] as? [String: Any])?["param"] as? String == "messages[0].content[0].type"
        )
        let unknownModel = try Self.chat(daemon, model: "nope")
        #expect(unknownModel.status == 404)
    }

    @Test func clientDisconnectAbortsTheUpstreamTransfer() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let client = try RawClient(port: daemon.port)
        let body =
            #"{"model":"openai/text+chunks=200+interval_ms=50+run=gone1","messages":[{"role":"user","content":"hi"}]}"#
        client.send(
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        _ = client.read(until: "event: text")
        let closedAt = Date()
        client.close()
        var aborted = false
        while !aborted && Date().timeIntervalSince(closedAt) < 2 {
            aborted = try Self.mockRequests(mock, run: "gone1").last?["client_disconnected"] as? Bool == true
            if !aborted { usleep(10_000) }
        }
        #expect(aborted)
        #expect(Date().timeIntervalSince(closedAt) < 1)
    }

    /// Reading pauses lazily during a response: a request pipelined while a stream is in flight
    /// switches the read interest off then (level-triggered, it would otherwise wake the loop
    /// round after round) and is answered after the stream, in order.
    @Test func aRequestSentDuringAStreamWaitsWithoutSpinning() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let client = try RawClient(port: daemon.port)
        let body = #"{"model":"openai/text+chunks=40+interval_ms=10","messages":[{"role":"user","content":"hi"}]}"#
        client.send(
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        _ = client.read(until: "event: text")
        let pid = daemon.process.processIdentifier
        let (cpuBefore, wallBefore) = (cpuSeconds(pid: pid), Date())
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = client.readToEnd()
        let (cpu, wall) = (cpuSeconds(pid: pid) - cpuBefore, Date().timeIntervalSince(wallBefore))
        #expect(statusCodes(in: text) == [200])  // /healthz (the stream's head was read before)
        let done = try #require(text.range(of: "event: done"))
        let ok = try #require(text.range(of: #""ok""#))
        #expect(done.lowerBound < ok.lowerBound)
        // A loop woken by the waiting bytes every round would burn a core for the stream's ~0.4 s.
        #expect(cpu < wall / 2, "daemon used \(cpu) s of CPU in \(wall) s")
    }

    @Test func slowReaderKeepsDaemonMemoryBounded() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let baseline = residentKiB(pid: daemon.process.processIdentifier)
        let client = try RawClient(port: daemon.port)
        client.setReceiveBuffer(4096)
        let body = #"{"model":"openai/text+chunks=200000","messages":[{"role":"user","content":"hi"}]}"#
        client.send("POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        var peak = baseline
        let started = Date()
        while Date().timeIntervalSince(started) < 3 {
            _ = client.read(max: 1)
            usleep(1000)
            peak = max(peak, residentKiB(pid: daemon.process.processIdentifier))
        }
        // 200,000 chunks is tens of MB of SSE; a paused transfer holds only a buffer's worth.
        #expect(peak - baseline < 16 * 1024, "RSS grew from \(baseline) KiB to \(peak) KiB")
    }

    @Test func fiveHundredConcurrentStreamsAllComplete() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let body = #"{"model":"openai/text+chunks=10+interval_ms=20","messages":[{"role":"user","content":"hi"}]}"#
        let request =
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        var clients: [RawClient] = []
        for _ in 0..<500 {
            let client = try RawClient(port: daemon.port, timeoutSeconds: 30)
            client.send(request)
            clients.append(client)
        }
        var complete = 0
        var incomplete: [String] = []
        for client in clients {
            let text = client.readToEnd()
            let texts = text.components(separatedBy: "event: text\n").count - 1
            if texts == 10, text.contains("event: done"), text.contains("w9") {
                complete += 1
            } else {
                incomplete.append(String(text.suffix(600)))
            }
        }
        #expect(complete == 500, "the first incomplete stream's end: \(incomplete.first ?? "")")
    }
}
