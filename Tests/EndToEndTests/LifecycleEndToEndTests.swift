import Foundation
import TestSupport
import Testing

/// Issue 2: signals — SIGTERM drains in-flight streams, SIGHUP reloads the file.
@Suite("Daemon lifecycle, end to end")
struct LifecycleEndToEndTests {
    @Test func sigtermLetsASlowStreamFinishThenExitsZero() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let dir = TempDir()
        let output = dir.path("stream")
        let body = dir.write(
            "body", #"{"model":"openai/text+chunks=15+interval_ms=100","messages":[{"role":"user","content":"hi"}]}"#)
        let client = ChildProcess()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        client.arguments = [
            "-sS", "-N", "--max-time", "20", "-o", output, "--data-binary", "@" + body,
            daemon.baseURL + "/v1/chat",
        ]
        try client.run()
        // Wait until the stream has started, then ask the daemon to stop.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("event: text")
        {
            usleep(20_000)
        }
        daemon.signal(SIGTERM)
        // New connections are no longer accepted while the stream drains (polled: the signal
        // is handled asynchronously).
        var refused = false
        let refuseDeadline = Date().addingTimeInterval(10)
        while !refused, Date() < refuseDeadline {
            refused =
                (try? RawClient(port: daemon.port)) == nil
                || (try? curl(daemon.baseURL + "/healthz", timeout: 2))?.status != 200
        }
        #expect(refused)
        client.waitUntilExit()
        let stream = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let events = sseEvents(stream).map(\.event)
        #expect(events.filter { $0 == "text" }.count == 15)
        #expect(events.last == "done")
        #expect(daemon.waitForExit(timeout: 15) == 0)
    }

    @Test func sighupReloadsAValidFileAndKeepsTheOldOneOnAnInvalidFile() throws {
        let dir = TempDir()
        func config(_ models: String) -> String {
            """
            listen: 127.0.0.1:0
            database: \(dir.path("db"))
            providers:
              openai: {base_url: "http://127.0.0.1:9", api_key_env: OPENAI_API_KEY}
            models:
            \(models)
            """
        }
        let path = dir.write("config.yaml", config("  first: {provider: openai, model: m1}"))
        let daemon = try SwitchboardProcess(["serve", "--config", path], environment: ["OPENAI_API_KEY": "k"])
        #expect(try curl(daemon.baseURL + "/v1/models").body.contains("\"first\""))

        _ = dir.write(
            "config.yaml", config("  first: {provider: openai, model: m1}\n  second: {provider: openai, model: m2}"))
        daemon.signal(SIGHUP)
        var reloaded = false
        for _ in 0..<100 where !reloaded {
            reloaded = (try? curl(daemon.baseURL + "/v1/models"))?.body.contains("\"second\"") == true
            if !reloaded { usleep(50_000) }
        }
        #expect(reloaded)

        _ = dir.write("config.yaml", config("  third: {provider: nowhere, model: m3}"))
        daemon.signal(SIGHUP)
        let failDeadline = Date().addingTimeInterval(10)
        while !daemon.log().contains("reload failed"), Date() < failDeadline { usleep(20_000) }
        #expect(daemon.log().contains("reload failed"))
        let models = try curl(daemon.baseURL + "/v1/models")
        #expect(models.status == 200)
        #expect(models.body.contains("\"second\""))
        #expect(!models.body.contains("\"third\""))
        #expect(daemon.log().contains("nowhere"))
    }
}
