import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The test OTLP/HTTP receiver (`Tests/Telemetry/otlp_receiver.py`): decodes every export
/// with the official opentelemetry-proto messages and keeps the spans as JSON lines.
final class OTLPReceiver: @unchecked Sendable {
    let process = ChildProcess()
    let dir = TempDir()
    private(set) var port = 0
    var spansPath: String { dir.path("spans.jsonl") }

    init() throws {
        let ready = dir.path("ready")
        process.executableURL = Repo.root.appendingPathComponent(".venv/bin/python")
        process.arguments = [
            Repo.root.appendingPathComponent("Tests/Telemetry/otlp_receiver.py").path, spansPath, ready,
        ]
        process.standardErrorPath = dir.path("stderr")
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: ready, encoding: .utf8), let p = Int(text), p > 0 {
                port = p
                return
            }
            if !process.isRunning {
                let log = (try? String(contentsOfFile: dir.path("stderr"), encoding: .utf8)) ?? ""
                throw TestFailure.message("otlp_receiver.py exited (make setup-test installs its packages): \(log)")
            }
            usleep(20_000)
        }
        throw TestFailure.message("otlp_receiver.py did not become ready")
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Every line received so far: spans, or `{"error": …}` for an export the receiver refused.
    func lines() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: spansPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { jsonObject(String($0)) }
    }

    /// Waits until `count` spans of `traceId` arrived (or 20 s passed); fails on a refused export.
    func spans(trace traceId: String, count: Int) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(20)
        while true {
            let all = lines()
            if let error = all.first(where: { $0["error"] != nil }) {
                throw TestFailure.message("the receiver refused an export: \(error)")
            }
            let spans = all.filter { $0["trace_id"] as? String == traceId }
            if spans.count >= count || Date() >= deadline { return spans }
            usleep(10_000)
        }
    }

    /// Waits until some span satisfies `match`.
    func span(where match: ([String: Any]) -> Bool) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let span = lines().first(where: match) { return span }
            usleep(10_000)
        }
        return nil
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A received span's attributes.
    var attributes: [String: Any] { self["attributes"] as? [String: Any] ?? [:] }
    var eventNames: [String] { (self["events"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
}

/// A loopback port that accepts connections into its backlog and never answers: a hung collector.
final class BlackHole {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound else {
            close(fd)
            throw TestFailure.message("black hole socket: \(errno)")
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { close(fd) }
}
