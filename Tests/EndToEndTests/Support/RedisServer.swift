import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A real `redis-server` on a free port in a temporary directory, nothing saved. Missing
/// `redis-server` fails the test (`make setup-test` installs it): it is never skipped.
final class RedisServer: @unchecked Sendable {
    static let binary = "/usr/bin/redis-server"
    private var process: ChildProcess?
    let dir = TempDir()
    let port: Int

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw TestFailure.message("\(Self.binary) is missing: run `make setup-test` (installs redis-server)")
        }
        port = try Self.freePort()
        try start()
    }

    var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Starts (or restarts, on the same port) and waits until it answers PING.
    func start() throws {
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: Self.binary)
        child.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", dir.url.path,
        ]
        let log = dir.path("redis.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        child.standardOutputPath = log
        child.standardErrorPath = log
        try child.run()
        process = child
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if (try? command("PING")) == "+PONG" { return }
            if !child.isRunning {
                throw TestFailure.message(
                    "redis-server exited: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            usleep(10_000)
        }
        throw TestFailure.message("redis-server on port \(port) did not answer PING")
    }

    /// Kills it at once (SIGKILL: no goodbye to its clients) and waits for the exit.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        while process.isRunning { usleep(5_000) }
        self.process = nil
    }

    /// Sends one inline command and returns its answer: a bulk string's text ("30"), else the
    /// reply's first line ("+PONG", ":1", "$-1" for none).
    func command(_ line: String) throws -> String {
        let client = try RawClient(port: port, timeoutSeconds: 5)
        _ = client.send(line + "\r\n")
        var answer = Array(client.read(until: "\r\n").utf8)
        // "\r\n" is one Character in Swift: lines are cut on the bytes.
        let end = answer.firstIndex(of: 13) ?? answer.count
        let first = String(decoding: answer[..<end], as: UTF8.self)
        guard first.hasPrefix("$"), let length = Int(first.dropFirst()), length >= 0 else { return first }
        while answer.count < end + 2 + length + 2, let more = client.read(), !more.isEmpty { answer += more }
        return String(decoding: answer.dropFirst(end + 2).prefix(length), as: UTF8.self)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, size) == 0 && getsockname(fd, $0, &size) == 0
            }
        }
        guard bound else { throw TestFailure.message("no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { kill() }
}
