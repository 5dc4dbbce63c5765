import Foundation
import Testing

/// Issue 18: a chat loop (`POST /v1/loops`) is one traced request: one server span for the
/// whole loop (usage summed over its turns), every turn's upstream attempts as client spans
/// under it; its access lines name the key and the model, as the chat doors' do.
@Suite("Chat loop traces and access lines, end to end")
struct LoopTracesEndToEndTests {
    static let adminKey = DashboardEndToEndTests.adminKey

    /// The JSON access line of `route` (waits for the writer).
    static func accessLine(_ daemon: SwitchboardProcess, route: String) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let line = daemon.log().split(separator: "\n").compactMap { jsonObject(String($0)) }
                .first { $0["route"] as? String == route && $0["status"] != nil }
            if let line { return line }
            usleep(20_000)
        }
        return nil
    }

    @Test func aToolLoopIsOneRequestSpanOverEveryTurnsAttempts() throws {
        let receiver = try OTLPReceiver()
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(
            behind: mock,
            yaml: """
                telemetry: {otlp_endpoint: "\(receiver.endpoint)"}
                log_format: json
                """,
            environment: ["SWITCHBOARD_ADMIN_KEY": Self.adminKey, "OTEL_BSP_SCHEDULE_DELAY": "20"])
        let key = try DashboardEndToEndTests.createKey(daemon, #"{"name":"looper"}"#)
        let auth = ["Authorization": "Bearer \(key.secret)"]
        let clientTrace = TracesEndToEndTests.clientTrace
        // A provider's model, not an alias: an alias's deployment would cool down after the failure.
        let model = "openai/tools+tool_turns=1+fail=500x1+run=lt1"
        let stream = try LoopStream(
            daemon, body: LoopEndToEndTests.body(model),
            headers: auth.merging(["traceparent": "00-\(clientTrace)-\(TracesEndToEndTests.clientSpan)-01"]) { a, _ in
                a
            })
        // Turn 1 (its first attempt fails and is retried) asks for a tool; turn 2 answers.
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first, "\(stream.text)")
        let loopId = try #require(awaiting["loop_id"] as? String)
        let callId = try #require((awaiting["tool_calls"] as? [[String: Any]])?.first?["id"] as? String)
        let posted = try LoopEndToEndTests.post(
            daemon, loopId, LoopEndToEndTests.results([(callId, "sunny")]), headers: auth)
        #expect(posted.status == 202, "\(posted.body)")
        #expect(stream.waitForEnd(), "\(stream.text)")
        #expect(stream.status == 200)
        let usage = try #require(jsonObject(stream.events.last { $0.event == "usage" }?.data ?? ""))

        // The access lines of the loop and of its tool results name the key and the model.
        let created = try #require(Self.accessLine(daemon, route: "/v1/loops"), "\(daemon.log())")
        #expect(created["key_id"] as? String == key.id)
        #expect(created["model"] as? String == model)
        #expect(created["status"] as? String == "200")
        let results = try #require(Self.accessLine(daemon, route: "/v1/loops/{id}/tool_results"), "\(daemon.log())")
        #expect(results["key_id"] as? String == key.id)
        #expect(results["model"] as? String == model)
        #expect(!daemon.log().contains(key.secret))

        // One server span for the loop, under the client's span, and three attempts under it.
        let spans = try receiver.spans(trace: clientTrace, count: 4)
        try #require(spans.count == 4, "\(spans)")
        let server = try #require(spans.first { $0["kind"] as? Int == 2 }, "\(spans)")
        #expect(server["parent_span_id"] as? String == TracesEndToEndTests.clientSpan)
        let a = server.attributes
        #expect(a["gen_ai.operation.name"] as? String == "chat")
        #expect(a["switchboard.loop_id"] as? String == loopId)
        #expect(a["http.route"] as? String == "/v1/loops")
        #expect(a["http.response.status_code"] as? Int == 200)
        #expect(a["gen_ai.request.model"] as? String == model)
        #expect(a["gen_ai.provider.name"] as? String == "openai")
        #expect(a["gen_ai.response.model"] as? String == "tools+tool_turns=1+fail=500x1+run=lt1")
        #expect(a["switchboard.attempts"] as? Int == 3)
        #expect(a["switchboard.loop_steps"] as? Int == 2)
        #expect(a["gen_ai.response.finish_reasons"] as? [String] == ["stop"])
        #expect((a["gen_ai.usage.input_tokens"] as? Int ?? 0) > 0)
        #expect(a["gen_ai.usage.input_tokens"] as? Int == usage["input_tokens"] as? Int)
        #expect(a["gen_ai.usage.output_tokens"] as? Int == usage["output_tokens"] as? Int)
        #expect(server.eventNames == ["first_token"])

        func order(_ span: [String: Any]) -> Int {
            (span.attributes["switchboard.loop_step"] as? Int ?? 0) * 100
                + (span.attributes["switchboard.attempt"] as? Int ?? 0)
        }
        let attempts = spans.filter { $0["kind"] as? Int == 3 }.sorted { order($0) < order($1) }
        try #require(attempts.count == 3)
        #expect(attempts.allSatisfy { $0["parent_span_id"] as? String == server["span_id"] as? String })
        #expect(attempts.map { $0.attributes["switchboard.loop_step"] as? Int } == [1, 1, 2])
        #expect(attempts.map { $0.attributes["switchboard.attempt"] as? Int } == [1, 2, 1])
        #expect(attempts.map { ($0["status"] as? [String: Any])?["code"] as? Int } == [2, 0, 0])
        #expect(
            attempts.map { $0.attributes["gen_ai.response.finish_reasons"] as? [String] }
                == [nil, ["tool_calls"], ["stop"]])
        // The provider got each attempt's span as its parent.
        let seen = try ChatEndToEndTests.mockRequests(mock, run: "lt1").map {
            ($0["headers"] as? [String: Any] ?? [:])["traceparent"] as? String
        }
        #expect(seen == attempts.map { "00-\(clientTrace)-\($0["span_id"] as? String ?? "")-01" })

    }

    @Test func aLoopWhoseClientWentAwayEndsItsSpanWithTheCancellation() throws {
        let receiver = try OTLPReceiver()
        let daemon = try Launch.daemon(
            behind: try Launch.mock(), yaml: "telemetry: {otlp_endpoint: \"\(receiver.endpoint)\"}",
            environment: ["OTEL_BSP_SCHEDULE_DELAY": "20"])
        let stream = try LoopStream(daemon, body: LoopEndToEndTests.body("openai/tools+tool_turns=1+run=lt2"))
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first, "\(stream.text)")
        let loopId = try #require(awaiting["loop_id"] as? String)
        // While the loop waits for tools, the client goes away.
        stream.disconnect()
        let server = try #require(receiver.span { $0.attributes["switchboard.loop_id"] as? String == loopId })
        #expect(server.attributes["http.response.status_code"] as? Int == 499)
        #expect(server.attributes["gen_ai.response.finish_reasons"] as? [String] == ["cancelled"])
        #expect(server.attributes["switchboard.loop_steps"] as? Int == 1)
        #expect(server.attributes["switchboard.attempts"] as? Int == 1)
        #expect(server.eventNames == ["first_token", "cancellation"])
    }

    @Test func aLoopRefusedBeforeItStartsIsARefusedRequestSpan() throws {
        let receiver = try OTLPReceiver()
        let daemon = try Launch.daemon(
            behind: try Launch.mock(), yaml: "telemetry: {otlp_endpoint: \"\(receiver.endpoint)\"}",
            environment: ["OTEL_BSP_SCHEDULE_DELAY": "20"])
        let response = try curl(
            daemon.baseURL + "/v1/loops", headers: ["Content-Type": "application/json"],
            body: LoopEndToEndTests.body("nosuchmodel"))
        #expect(response.status == 404)
        let requestId = try #require(response.headers["x-request-id"])
        let server = try #require(receiver.span { $0.attributes["switchboard.request_id"] as? String == requestId })
        #expect(server.attributes["http.route"] as? String == "/v1/loops")
        #expect(server.attributes["http.response.status_code"] as? Int == 404)
        #expect(server.attributes["gen_ai.request.model"] as? String == "nosuchmodel")
        #expect(server.attributes["switchboard.attempts"] as? Int == 0)
    }
}
