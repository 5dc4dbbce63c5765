import Foundation
import Testing

/// Issue 5: nothing is lost, and limits hold exactly.
@Suite("Metering, end to end")
struct MeteringEndToEndTests {
    static let admin = KeysEndToEndTests.admin

    func startDaemon(_ mock: SwitchboardProcess, database: String) throws -> SwitchboardProcess {
        try SwitchboardProcess(
            ["serve", "--listen", "127.0.0.1:0"],
            environment: [
                "OPENAI_API_KEY": "test-key-openai", "OPENAI_BASE_URL": mock.baseURL,
                "SWITCHBOARD_ADMIN_KEY": Self.admin,
                "SWITCHBOARD_DATABASE": database, "SWITCHBOARD_LOG_LEVEL": "warning",
            ])
    }

    func createKey(_ daemon: SwitchboardProcess, _ spec: String) throws -> String {
        let created = try curl(
            daemon.baseURL + "/admin/keys", headers: ["Authorization": "Bearer \(Self.admin)"], body: spec)
        #expect(created.status == 201, "\(created.body)")
        return try #require(jsonObject(created.body)?["key"] as? String)
    }

    @Test func aKeyOverItsBudgetGets429BudgetExceeded() throws {
        let mock = try Launch.mock()
        let dir = TempDir()
        let daemon = try startDaemon(mock, database: dir.path("db"))
        let secret = try createKey(daemon, #"{"name":"b","token_budget":20}"#)
        let auth = ["Authorization": "Bearer \(secret)"]
        // Each answer costs 10 in + 5 out = 15 tokens: the second still starts under budget.
        #expect(
            try ChatEndToEndTests.chat(daemon, model: "openai/text+input=10+chunks=5", stream: false, headers: auth)
                .status == 200)
        #expect(
            try ChatEndToEndTests.chat(daemon, model: "openai/text+input=10+chunks=5", stream: false, headers: auth)
                .status == 200)
        let over = try ChatEndToEndTests.chat(daemon, model: "openai/text", stream: false, headers: auth)
        #expect(over.status == 429)
        #expect((jsonObject(over.body)?["error"] as? [String: Any])?["type"] as? String == "budget_exceeded")
        #expect(over.headers["retry-after"] != nil)
        #expect(over.headers["x-ratelimit-limit-tokens"] == "20")
        #expect(over.headers["x-ratelimit-remaining-tokens"] == "0")
    }

    @Test func sigtermWithStreamsInFlightLosesNoUsageRow() throws {
        let mock = try Launch.mock()
        let dir = TempDir()
        let database = dir.path("db")
        var daemon: SwitchboardProcess? = try startDaemon(mock, database: database)
        let port = daemon!.port
        let body =
            #"{"model":"openai/text+chunks=6+interval_ms=100+input=9","messages":[{"role":"user","content":"hi"}]}"#
        var clients: [RawClient] = []
        for _ in 0..<20 {
            let client = try RawClient(port: port, timeoutSeconds: 20)
            client.send("POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            clients.append(client)
        }
        for client in clients { _ = client.read(until: "event: text") }
        daemon!.signal(SIGTERM)
        var complete = 0
        var cut: [String] = []
        for client in clients {
            let text = client.read(until: "event: done")
            if text.contains("event: done") { complete += 1 }
            if text.contains("event: error") { cut.append(String(text.suffix(600))) }
        }
        #expect(daemon!.waitForExit(timeout: 20) == 0)
        let log = daemon!.log()
        #expect(complete == 20, "the daemon's log: \(log.suffix(3000))")
        #expect(cut.isEmpty, "\(cut.count) streams cut; the first one's end: \(cut.first ?? "")")
        daemon = nil

        let restarted = try startDaemon(mock, database: database)
        let usage = try curl(
            restarted.baseURL + "/v1/usage?group_by=model", headers: ["Authorization": "Bearer \(Self.admin)"])
        let rows = jsonObject(usage.body)?["data"] as? [[String: Any]] ?? []
        #expect(rows.first?["requests"] as? Int == 20)
        #expect(rows.first?["input_tokens"] as? Int == 180)
        #expect(rows.first?["output_tokens"] as? Int == 120)
    }

    @Test func aCancelledStreamIsMeteredWithTheTokensSoFar() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        // Anthropic reports input tokens at the start of the stream, so they are known when the client leaves.
        let client = try RawClient(port: daemon.port)
        let body = #"""
            {"model":"anthropic/text+chunks=100+interval_ms=30+input=13",\#
            "messages":[{"role":"user","content":"hi"}]}
            """#
        client.send("POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        _ = client.read(until: "event: text")
        client.close()
        var rows: [[String: Any]] = []
        for _ in 0..<60 where rows.isEmpty {
            usleep(50_000)
            rows =
                jsonObject(try curl(daemon.baseURL + "/v1/usage?group_by=model").body)?["data"] as? [[String: Any]]
                ?? []
        }
        #expect(rows.first?["requests"] as? Int == 1)
        #expect(rows.first?["input_tokens"] as? Int == 13)
    }

    @Test func sigkillLosesAtMostTheUnflushedBatch() throws {
        let mock = try Launch.mock()
        let dir = TempDir()
        let database = dir.path("db")
        var daemon: SwitchboardProcess? = try startDaemon(mock, database: database)
        for _ in 0..<5 {
            #expect(try ChatEndToEndTests.chat(daemon!, model: "openai/text+input=4", stream: false).status == 200)
        }
        // Once the writer has committed the batch (seen from another connection), SIGKILL must not lose it.
        #expect(try CutStreamMeteringEndToEndTests.rows(database, count: 5).count == 5)
        daemon!.signal(SIGKILL)
        _ = daemon!.waitForExit(timeout: 5)
        daemon = nil
        let restarted = try startDaemon(mock, database: database)
        let usage = try curl(
            restarted.baseURL + "/v1/usage?group_by=model", headers: ["Authorization": "Bearer \(Self.admin)"])
        let rows = jsonObject(usage.body)?["data"] as? [[String: Any]] ?? []
        #expect(rows.first?["requests"] as? Int == 5)
        #expect(rows.first?["input_tokens"] as? Int == 20)
    }

    @Test func keyRateLimitIsExactUnderAThousandConcurrentRequests() throws {
        let mock = try Launch.mock()
        let dir = TempDir()
        let daemon = try startDaemon(mock, database: dir.path("db"))
        let secret = try createKey(daemon, #"{"name":"burst","rpm":100}"#)
        let body = #"{"model":"openai/text+chunks=1","stream":false,"messages":[{"role":"user","content":"hi"}]}"#
        let request =
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(secret)\r\nConnection: close\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        var clients: [RawClient] = []
        for _ in 0..<1000 { clients.append(try RawClient(port: daemon.port, timeoutSeconds: 30)) }
        for client in clients { client.send(request) }
        var ok = 0, limited = 0
        var other: [String] = []
        for client in clients {
            let response = client.readToEnd()
            switch statusCodes(in: response).first {
            case 200: ok += 1
            case 429: limited += 1
            default: other.append(String(response.prefix(200)))
            }
        }
        #expect(ok == 100)
        #expect(limited == 900, "other answers: \(other); the daemon's log: \(daemon.log().suffix(3000))")
    }
}

@Suite("Provider limiter, end to end")
struct ProviderLimiterEndToEndTests {
    func daemon(_ mock: SwitchboardProcess, queue: Double) throws -> SwitchboardProcess {
        let yaml = """
            providers:
              openai: {base_url: "\(mock.baseURL)", api_key_env: OPENAI_API_KEY, \
            limits: {max_concurrent: 1, queue_timeout_s: \(queue)}}
            """
        let process = try Launch.daemon(yaml: yaml, environment: ["OPENAI_API_KEY": "test-key-openai"]).0
        process.attachments.append(mock)
        return process
    }

    func slowStream(_ daemon: SwitchboardProcess) throws -> RawClient {
        let body = #"{"model":"openai/text+chunks=4+interval_ms=150","messages":[{"role":"user","content":"hi"}]}"#
        let client = try RawClient(port: daemon.port)
        client.send(
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        _ = client.read(until: "event: text")
        return client
    }

    @Test func aFullProviderMakesTheNextRequestWaitForItsSlot() throws {
        let mock = try Launch.mock()
        let d = try daemon(mock, queue: 5)
        let first = try slowStream(d)
        let started = Date()
        let second = try ChatEndToEndTests.chat(d, model: "openai/text", stream: false)
        #expect(second.status == 200)
        #expect(Date().timeIntervalSince(started) > 0.2, "the second request should have waited for the slot")
        #expect(first.readToEnd().contains("event: done"))
    }

    @Test func aQueueWaitBeyondTheLimitIs429WithRetryAfter() throws {
        let mock = try Launch.mock()
        let d = try daemon(mock, queue: 0.05)
        let first = try slowStream(d)
        let second = try ChatEndToEndTests.chat(d, model: "openai/text", stream: false)
        #expect(second.status == 429)
        #expect(second.headers["retry-after"] != nil)
        #expect(second.headers["x-ratelimit-remaining-requests"] == "0")
        #expect((jsonObject(second.body)?["error"] as? [String: Any])?["provider"] as? String == "openai")
        _ = first.readToEnd()
    }
}
