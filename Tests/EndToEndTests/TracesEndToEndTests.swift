import Foundation
import Testing

/// Issue 18 §2/§5: spans reach a real OTLP receiver, decoded with the official protobuf
/// messages, with their GenAI attributes and parent links; the provider sees the trace.
@Suite("Traces, end to end")
struct TracesEndToEndTests {
    static let clientTrace = "0af7651916cd43dd8448eb211c80319c"
    static let clientSpan = "b7ad6b7169203331"

    static func daemon(
        behind mock: SwitchboardProcess, endpoint: String, environment: [String: String] = [:]
    ) throws -> SwitchboardProcess {
        try Launch.daemon(
            behind: mock,
            yaml: """
                telemetry: {otlp_endpoint: "\(endpoint)", service_name: gateway-under-test}
                models:
                  fast: {provider: openai, model: gpt-4o-mini}
                """,
            environment: ["OTEL_BSP_SCHEDULE_DELAY": "20"].merging(environment) { $1 })
    }

    static func chat(
        _ daemon: SwitchboardProcess, model: String, stream: Bool = true, headers: [String: String] = [:],
        timeout: Double = 30
    ) throws -> CurlResponse {
        try ChatEndToEndTests.chat(daemon, model: model, stream: stream, headers: headers, timeout: timeout)
    }

    static func metric(_ daemon: SwitchboardProcess, _ name: String) throws -> Int? {
        let text = try curl(daemon.baseURL + "/metrics").body
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") }
    }

    @Test func aStreamedRetriedRequestContinuesTheClientsTrace() throws {
        let receiver = try OTLPReceiver()
        let mock = try Launch.mock()
        let daemon = try Self.daemon(behind: mock, endpoint: receiver.endpoint)
        let response = try Self.chat(
            daemon, model: "openai/text+chunks=3+output=3+fail=500x1+run=tr1",
            headers: [
                "traceparent": "00-\(Self.clientTrace)-\(Self.clientSpan)-01", "tracestate": "rojo=00f067aa0ba902b7",
            ])
        #expect(response.status == 200)
        #expect(sseEvents(response.body).last?.event == "done")

        let spans = try receiver.spans(trace: Self.clientTrace, count: 3)
        try #require(spans.count == 3)
        let server = try #require(spans.first { $0["kind"] as? Int == 2 })
        #expect(server["parent_span_id"] as? String == Self.clientSpan)
        #expect(server["trace_state"] as? String == "rojo=00f067aa0ba902b7")
        #expect((server["resource"] as? [String: Any])?["service.name"] as? String == "gateway-under-test")
        let a = server.attributes
        #expect(a["gen_ai.operation.name"] as? String == "chat")
        #expect(a["gen_ai.system"] as? String == "openai")
        #expect(a["gen_ai.provider.name"] as? String == "openai")
        #expect(a["gen_ai.request.model"] as? String == "openai/text+chunks=3+output=3+fail=500x1+run=tr1")
        #expect(a["gen_ai.response.model"] as? String == "text+chunks=3+output=3+fail=500x1+run=tr1")
        #expect(a["gen_ai.usage.output_tokens"] as? Int == 3)
        #expect((a["gen_ai.usage.input_tokens"] as? Int ?? 0) > 0)
        #expect(a["gen_ai.response.finish_reasons"] as? [String] == ["stop"])
        #expect(a["http.response.status_code"] as? Int == 200)
        #expect(a["http.route"] as? String == "/v1/chat")
        #expect(a["switchboard.attempts"] as? Int == 2)
        #expect(a["switchboard.request_id"] as? String == response.headers["x-request-id"])
        #expect(server.eventNames == ["first_token"])

        // One client span per attempt under the request's span: the retry is visible.
        let attempts = spans.filter { $0["kind"] as? Int == 3 }.sorted {
            ($0.attributes["switchboard.attempt"] as? Int ?? 0) < ($1.attributes["switchboard.attempt"] as? Int ?? 0)
        }
        try #require(attempts.count == 2)
        for attempt in attempts {
            #expect(attempt["parent_span_id"] as? String == server["span_id"] as? String)
            #expect(attempt.attributes["gen_ai.provider.name"] as? String == "openai")
        }
        #expect(attempts[0].attributes["switchboard.attempt"] as? Int == 1)
        #expect((attempts[0]["status"] as? [String: Any])?["code"] as? Int == 2)
        #expect(attempts[0].attributes["switchboard.status"] as? Int == 503)
        #expect(attempts[0].attributes["error.type"] as? String == "upstream_unavailable")
        #expect(attempts[1].attributes["switchboard.attempt"] as? Int == 2)
        #expect(attempts[1].attributes["http.response.status_code"] as? Int == 200)
        #expect(attempts[1].eventNames == ["first_token"])

        // The provider got each attempt's span as its parent, and the client's tracestate.
        let seen = try ChatEndToEndTests.mockRequests(mock, run: "tr1").map {
            ($0["headers"] as? [String: Any] ?? [:])
        }
        #expect(
            seen.map { $0["traceparent"] as? String }
                == attempts.map { "00-\(Self.clientTrace)-\($0["span_id"] as? String ?? "")-01" })
        #expect(seen.allSatisfy { $0["tracestate"] as? String == "rojo=00f067aa0ba902b7" })
    }

    @Test func aFallbackIsAnAttemptOnItsRoute() throws {
        let receiver = try OTLPReceiver()
        let mock = try Launch.mock()
        let daemon = try Self.daemon(behind: mock, endpoint: receiver.endpoint)
        let body =
            #"{"model":"openai/error+status=503+run=tr3","stream":true,"#
            + #""fallbacks":["anthropic/text+run=tr3"],"messages":[{"role":"user","content":"hi"}]}"#
        let response = try curl(daemon.baseURL + "/v1/chat", headers: ["Content-Type": "application/json"], body: body)
        #expect(response.status == 200)
        let requestId = try #require(response.headers["x-request-id"])
        let server = try #require(
            receiver.span { $0.attributes["switchboard.request_id"] as? String == requestId })
        #expect(server.attributes["switchboard.fallback"] as? String == "anthropic/text+run=tr3")
        #expect(server.attributes["gen_ai.provider.name"] as? String == "anthropic")
        #expect(server.attributes["switchboard.attempts"] as? Int == 4)
        // openai's policy in the harness: 3 attempts, then the fallback's one.
        let attempts = try receiver.spans(trace: server["trace_id"] as? String ?? "", count: 5)
            .filter { $0["kind"] as? Int == 3 }
            .sorted {
                ($0.attributes["switchboard.attempt"] as? Int ?? 0)
                    < ($1.attributes["switchboard.attempt"] as? Int ?? 0)
            }
        #expect(attempts.map { $0.attributes["switchboard.attempt"] as? Int } == [1, 2, 3, 4])
        #expect(
            attempts.map { $0.attributes["gen_ai.provider.name"] as? String }
                == ["openai", "openai", "openai", "anthropic"])
        #expect(
            attempts.map { ($0["status"] as? [String: Any])?["code"] as? Int } == [2, 2, 2, 0])
        #expect(attempts.last?.attributes["switchboard.route"] as? String == "anthropic/text+run=tr3")
        #expect(attempts.allSatisfy { $0["parent_span_id"] as? String == server["span_id"] as? String })
    }

    @Test func aMalformedTraceparentStartsANewTrace() throws {
        let receiver = try OTLPReceiver()
        let mock = try Launch.mock()
        let daemon = try Self.daemon(behind: mock, endpoint: receiver.endpoint)
        // Version ff is forbidden: the header is not trusted, a new trace starts.
        let response = try Self.chat(
            daemon, model: "fast", stream: false,
            headers: ["traceparent": "ff-\(Self.clientTrace)-\(Self.clientSpan)-01"])
        #expect(response.status == 200)
        let requestId = try #require(response.headers["x-request-id"])
        let server = try #require(
            receiver.span { $0.attributes["switchboard.request_id"] as? String == requestId })
        let trace = try #require(server["trace_id"] as? String)
        #expect(trace != Self.clientTrace)
        #expect(server["parent_span_id"] as? String == "")
        #expect(server.attributes["gen_ai.request.model"] as? String == "fast")
        #expect(server.attributes["gen_ai.response.model"] as? String == "gpt-4o-mini")
        let attempt = try #require(try receiver.spans(trace: trace, count: 2).first { $0["kind"] as? Int == 3 })
        let seen = try #require(try curl(mock.baseURL + "/_mock/requests?limit=1").body.data(using: .utf8))
        let headers =
            ((try JSONSerialization.jsonObject(with: seen) as? [[String: Any]])?.first?["headers"])
            as? [String: Any]
        #expect(headers?["traceparent"] as? String == "00-\(trace)-\(attempt["span_id"] as? String ?? "")-01")
    }

    @Test func aCancelledStreamHasItsEvent() throws {
        let receiver = try OTLPReceiver()
        let mock = try Launch.mock()
        let daemon = try Self.daemon(behind: mock, endpoint: receiver.endpoint)
        let body = #"{"model":"openai/stall+after=1","messages":[{"role":"user","content":"hi"}],"stream":true}"#
        let client = try RawClient(port: daemon.port)
        _ = client.send(
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + "\(body.utf8.count)\r\n\r\n\(body)")
        #expect(client.read(until: "event: text").contains("event: text"))
        // The client goes away (the descriptor itself is closed by the client's deinit).
        shutdown(client.fd, Int32(SHUT_RDWR))
        let server = try #require(
            receiver.span { $0["kind"] as? Int == 2 && $0.eventNames.contains("cancellation") })
        #expect(server.attributes["http.response.status_code"] as? Int == 499)
        #expect(server.eventNames == ["first_token", "cancellation"])
        let attempt = try #require(
            receiver.span { $0["kind"] as? Int == 3 && $0["trace_id"] as? String == server["trace_id"] as? String })
        #expect(attempt.eventNames.contains("cancellation"))
    }

    @Test func aDeadCollectorCostsACounterNotARequest() throws {
        let mock = try Launch.mock()
        // Port 1 on loopback: connection refused at once.
        let daemon = try Self.daemon(behind: mock, endpoint: "http://127.0.0.1:1")
        #expect(try Self.metric(daemon, "switchboard_trace_export_failures_total") == 0)
        #expect(try Self.chat(daemon, model: "openai/text", stream: false).status == 200)
        let deadline = Date().addingTimeInterval(20)
        while try Self.metric(daemon, "switchboard_trace_export_failures_total") == 0, Date() < deadline {
            usleep(10_000)
        }
        #expect((try Self.metric(daemon, "switchboard_trace_export_failures_total") ?? 0) >= 1)
        #expect(try Self.chat(daemon, model: "openai/text").status == 200)
    }

    @Test func aHungCollectorNeitherHoldsRequestsNorGrowsTheQueue() throws {
        let hole = try BlackHole()
        let mock = try Launch.mock()
        // The export waits up to 10 minutes for an answer that never comes; the queue holds 2 spans.
        let daemon = try Self.daemon(
            behind: mock, endpoint: "http://127.0.0.1:\(hole.port)",
            environment: ["OTEL_EXPORTER_OTLP_TIMEOUT": "600000", "OTEL_BSP_MAX_QUEUE_SIZE": "2"])
        for i in 0..<6 {
            // Each request is answered well within the export's timeout: nothing waits for the collector.
            let response = try Self.chat(daemon, model: "openai/text+run=hung\(i)", stream: i % 2 == 0, timeout: 20)
            #expect(response.status == 200)
        }
        #expect((try Self.metric(daemon, "switchboard_trace_spans_dropped_total") ?? 0) > 0)
        #expect(try Self.metric(daemon, "switchboard_trace_export_failures_total") == 0)
    }
}
