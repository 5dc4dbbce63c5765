import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `redis-server` on a free port in a temporary directory, nothing saved. Missing
/// `redis-server` fails the test (`make setup-test` installs it): it is never skipped.
public final class RedisServer: @unchecked Sendable {
    public static let binary = "/usr/bin/redis-server"
    private var process: ChildProcess?
    private let directory: String
    public let port: Int

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw RedisServerError("\(Self.binary) is missing: run `make setup-test` (installs redis-server)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-redis-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        try start()
    }

    public var url: String { "redis://127.0.0.1:\(port)/0" }
    /// The same server through its Unix socket.
    public var socketURL: String { "unix://\(directory)/redis.sock?db=0" }

    /// Starts (or restarts, on the same port) and waits until it answers PING.
    public func start() throws {
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: Self.binary)
        child.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory,
            "--unixsocket", directory + "/redis.sock", "--unixsocketperm", "700",
        ]
        let log = directory + "/redis.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        child.standardOutputPath = log
        child.standardErrorPath = log
        try child.run()
        process = child
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if (try? command("PING")) == "+PONG" { return }
            if !child.isRunning {
                throw RedisServerError(
                    "redis-server exited: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            usleep(10_000)
        }
        throw RedisServerError("redis-server on port \(port) did not answer PING")
    }

    /// Kills it at once (SIGKILL: no goodbye to its clients) and waits for the exit.
    public func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        while process.isRunning { usleep(5_000) }
        self.process = nil
    }

    /// Sends one inline command and returns its answer: a bulk string's text ("30"), else the
    /// reply's first line ("+PONG", ":1", "$-1" for none).
    public func command(_ line: String) throws -> String {
        let fd = try Self.connect(port: port)
        defer { close(fd) }
        let request = Array((line + "\r\n").utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw RedisServerError("send to redis-server failed: errno \(errno)")
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        func readMore() throws {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw RedisServerError("redis-server closed the connection: errno \(errno)") }
            answer += buffer[..<n]
        }
        while !answer.contains(13) { try readMore() }
        let end = answer.firstIndex(of: 13)!
        let first = String(decoding: answer[..<end], as: UTF8.self)
        guard first.hasPrefix("$"), let length = Int(first.dropFirst()), length >= 0 else { return first }
        while answer.count < end + 2 + length + 2 { try readMore() }
        return String(decoding: answer.dropFirst(end + 2).prefix(length), as: UTF8.self)
    }

    /// A blocking TCP connection to 127.0.0.1:`port`, reads timing out after 5 s.
    private static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RedisServerError("socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            let error = errno
            close(fd)
            throw RedisServerError("connect to redis-server on port \(port): errno \(error)")
        }
        return fd
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
        guard bound else { throw RedisServerError("no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

public struct RedisServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
    /// A condition a test waited for did not come.
    public static let timeout = RedisServerError("condition not reached in 10 s")
}
