import Foundation
import Testing

/// Issue 10 §4: the daemon lives within its file descriptors. It raises its soft limit, caps
/// connections at what the descriptors carry (two per stream), and treats running out anyway
/// as an overload: counted, logged once, answered 503 `overloaded`, never a network error.
@Suite("File descriptor limits, end to end")
struct DescriptorLimitEndToEndTests {
    static func prlimit(soft: Int, hard: Int) -> [String] { ["/usr/bin/prlimit", "--nofile=\(soft):\(hard)"] }

    static func metric(_ daemon: SwitchboardProcess, _ name: String) throws -> Double? {
        let text = try curl(daemon.baseURL + "/metrics").body
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    static func openFileLimit(pid: Int32) -> Int? {
        guard let limits = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8),
            let line = limits.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
        else { return nil }
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.flatMap { Int($0) }
    }

    @Test func softLimitIsRaisedToTheHardLimit() throws {
        let (daemon, _) = try Launch.daemon(wrapper: Self.prlimit(soft: 256, hard: 4096))
        #expect(Self.openFileLimit(pid: daemon.process.processIdentifier) == 4096)
        // (4096 - 64) / 2 = 2016 is above nothing configured lower: the default 10,000 gives way.
        #expect(try Self.metric(daemon, "switchboard_connection_cap") == 2016)
    }

    @Test func connectionsBeyondWhatDescriptorsCarryGetAClear503() throws {
        // (100 - 64) / 2 = 18 connections.
        let (daemon, _) = try Launch.daemon(
            yaml: "server: {idle_timeout_s: 30}",
            wrapper: Self.prlimit(soft: 100, hard: 100))
        #expect(try Self.metric(daemon, "switchboard_connection_cap") == 18)
        #expect(daemon.log().contains("limited by file descriptors"))
        let held = try RawClient.held(18, port: daemon.port)
        let extra = try RawClient(port: daemon.port)
        let text = extra.readToEnd()
        #expect(statusCodes(in: text) == [503], "\(text)")
        #expect(text.contains("\"overloaded\""))
        #expect(text.contains("open-file limit 100"))
        held[0].send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(statusCodes(in: held[0].readToEnd()) == [200])
    }

    /// With no reserve the cap lets streams ask for more descriptors than exist. Every client
    /// still gets a whole answer (a stream, or 503 `overloaded` — never "cannot connect to
    /// upstream"), the exhaustion is counted and logged once, and the daemon keeps serving.
    @Test func runningOutOfDescriptorsIsAnOverloadNotANetworkError() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(
            behind: mock, yaml: "server: {descriptor_reserve: 0, idle_timeout_s: 30}",
            wrapper: Self.prlimit(soft: 64, hard: 64))
        #expect(try Self.metric(daemon, "switchboard_connection_cap") == 32)
        let body = #"{"model":"openai/text+chunks=20+interval_ms=50","messages":[{"role":"user","content":"hi"}]}"#
        let request =
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        // All 32 connect first, then all ask: 32 client sockets + 32 upstream ones + the
        // daemon's own descriptors cannot fit in 64.
        let clients = try (0..<32).map { _ in try RawClient(port: daemon.port, timeoutSeconds: 30) }
        for client in clients { client.send(request) }
        let all = clients.map { $0.readToEnd() }
        let streamed = all.filter { statusCodes(in: $0) == [200] && $0.contains("event: done") }
        let overloaded = all.filter { statusCodes(in: $0) == [503] && $0.contains("\"overloaded\"") }
        #expect(
            streamed.count + overloaded.count == 32,
            "\(all.filter { !streamed.contains($0) && !overloaded.contains($0) })")
        #expect(!all.contains { $0.contains("cannot connect") })
        #expect(try Self.metric(daemon, "switchboard_descriptor_exhaustion_total") ?? 0 > 0)
        // The warning itself, once (the failed attempts are logged per request besides).
        #expect(
            daemon.log().components(separatedBy: "new work is refused until descriptors").count == 2, "\(daemon.log())")
        #expect(try curl(daemon.baseURL + "/healthz").status == 200)
    }
}
