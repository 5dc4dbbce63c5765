import Foundation
import Testing

/// Issue 10 §4: a stream cut before the provider's usage is metered with what was delivered,
/// marked as estimated, and counted by the key's limits like any other usage.
@Suite("Cut streams are metered, end to end")
struct CutStreamMeteringEndToEndTests {
    static let admin = KeysEndToEndTests.admin

    /// Every usage row, read from the daemon's SQLite file (the writer batches: poll until `count`).
    static func rows(_ database: String, count: Int) throws -> [[String: Any]] {
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            rows = db.execute("select status, input_tokens, output_tokens, total_tokens, estimated, finish_reason "
                              "from usage order by id").fetchall()
            print(json.dumps([dict(zip(["status", "input", "output", "total", "estimated", "finish"], r)) \
            for r in rows]))
            """
        var rows: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(20)
        while rows.count < count, Date() < deadline {
            let out = try run("/usr/bin/python3", ["-c", script, database], environment: ["PATH": "/usr/bin:/bin"])
            rows = (try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8))) as? [[String: Any]] ?? []
        }
        return rows
    }

    static func deltaBytes(_ text: String) -> Int {
        sseEvents(text).filter { $0.event == "text" }
            .compactMap { jsonObject($0.data)?["delta"] as? String }.reduce(0) { $0 + $1.utf8.count }
    }

    @Test func aClientThatLeavesEarlyPaysForWhatItRead() throws {
        let mock = try Launch.mock()
        let dir = TempDir()
        let database = dir.path("db")
        let daemon = try SwitchboardProcess(
            ["serve", "--listen", "127.0.0.1:0"],
            environment: [
                "OPENAI_API_KEY": "test-key-openai", "OPENAI_BASE_URL": mock.baseURL,
                "SWITCHBOARD_ADMIN_KEY": Self.admin,
                "SWITCHBOARD_DATABASE": database, "SWITCHBOARD_LOG_LEVEL": "warning",
            ])
        let created = try curl(
            daemon.baseURL + "/admin/keys", headers: ["Authorization": "Bearer \(Self.admin)"],
            body: #"{"name":"leaver","tpm":40}"#)
        let secret = try #require(jsonObject(created.body)?["key"] as? String)
        // OpenAI sends usage only at the end of the stream: the client leaves long before.
        let body = #"""
            {"model":"openai/text+chunks=400+interval_ms=5",\#
            "max_tokens":1,"messages":[{"role":"user","content":"hi"}]}
            """#
        let client = try RawClient(port: daemon.port)
        client.send(
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(secret)\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        var seen = ""
        while sseEvents(seen).filter({ $0.event == "text" }).count < 60, let chunk = client.read(), !chunk.isEmpty {
            seen += String(decoding: chunk, as: UTF8.self)
        }
        client.close()
        let read = Self.deltaBytes(seen)
        #expect(read >= 180)

        let row = try #require(try Self.rows(database, count: 1).first)
        #expect(row["status"] as? Int == 499)
        #expect(row["estimated"] as? Int == 1)
        // At least what the client read, one token per four bytes; the input estimated from the request.
        #expect((row["output"] as? Int ?? 0) >= read / 4)
        #expect((row["input"] as? Int ?? 0) > 0)
        #expect(row["total"] as? Int == (row["input"] as? Int ?? 0) + (row["output"] as? Int ?? 0))
        // The key's tpm (40) counted it: the next request is refused.
        let next = try ChatEndToEndTests.chat(
            daemon, model: "openai/text", stream: false,
            headers: ["Authorization": "Bearer \(secret)"])
        #expect(next.status == 429, "\(next.body)")
    }

    /// The provider fails mid-stream without usage: the row still holds what was delivered.
    @Test(arguments: ["openai", "gemini"])
    func aProviderFailureMidStreamIsMeteredWithWhatWasDelivered(provider: String) throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let config = daemon.process.arguments?[2] ?? ""
        let database = URL(fileURLWithPath: config).deletingLastPathComponent().appendingPathComponent("switchboard.db")
            .path
        let response = try ChatEndToEndTests.chat(daemon, model: "\(provider)/midstream_error+after=8")
        #expect(sseEvents(response.body).contains { $0.event == "error" })
        let delivered = Self.deltaBytes(response.body)
        #expect(delivered > 0)
        let row = try #require(try Self.rows(database, count: 1).first)
        #expect(row["estimated"] as? Int == 1)
        #expect(row["finish"] as? String == "error")
        #expect((row["output"] as? Int ?? 0) >= (delivered + 3) / 4)
    }

    /// A stream that completes keeps exactly the provider's numbers.
    @Test func aCompletedStreamKeepsTheProvidersNumbers() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let config = daemon.process.arguments?[2] ?? ""
        let database = URL(fileURLWithPath: config).deletingLastPathComponent().appendingPathComponent("switchboard.db")
            .path
        #expect(try ChatEndToEndTests.chat(daemon, model: "openai/text+chunks=5+input=7").status == 200)
        let row = try #require(try Self.rows(database, count: 1).first)
        #expect(row["estimated"] as? Int == 0)
        #expect(row["input"] as? Int == 7)
        #expect(row["output"] as? Int == 5)
    }
}
