import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client on a raw socket, for the cases curl cannot produce: pipelining,
/// malformed requests, slow readers, dribbling senders, many connections at once.
final class RawClient {
    /// -1 once closed. Closed exactly once: the tests run in parallel in one process, and a
    /// second `close` of a number the kernel has since handed to another test's socket closes
    /// that socket (a stream of another test then "ends" early, or one test reads another's
    /// bytes: the flaky failures of the eighth session).
    private(set) var fd: Int32

    init(port: Int, timeoutSeconds: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure.message("socket: \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            Glibc.close(fd)
            fd = -1
            throw TestFailure.message("connect: \(errno)")
        }
        setTimeout(timeoutSeconds)
    }

    func setTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func setReceiveBuffer(_ bytes: Int32) {
        var size = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Reads up to `max` bytes; empty on EOF, nil on timeout or error.
    func read(max: Int = 65536) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
        if n < 0 { return nil }
        return Array(buffer[0..<n])
    }

    /// Reads until the peer closes (or timeout); returns everything read.
    func readToEnd() -> String {
        var data: [UInt8] = []
        while let chunk = read(), !chunk.isEmpty { data += chunk }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads until `text` appears in what was read (or timeout / EOF).
    func read(until text: String) -> String {
        var data: [UInt8] = []
        while true {
            let s = String(decoding: data, as: UTF8.self)
            if s.contains(text) { return s }
            guard let chunk = read(), !chunk.isEmpty else { return s }
            data += chunk
        }
    }

    /// True when the server has closed the connection (EOF) within `timeout`.
    func isClosedByPeer(within timeout: Double) -> Bool {
        setTimeout(timeout)
        while true {
            guard let chunk = read() else { return false }
            if chunk.isEmpty { return true }
        }
    }

    /// The client leaves: closes the socket now (and only once; see `fd`).
    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    deinit { close() }
}

/// The number of complete HTTP responses' status codes in a byte stream (for pipelining checks).
func statusCodes(in text: String) -> [Int] {
    // A status line may follow the previous body directly (no newline after a JSON body).
    var codes: [Int] = []
    var rest = Substring(text)
    while let range = rest.range(of: "HTTP/1.") {
        let after = rest[range.upperBound...].dropFirst(2)
        if let code = Int(after.prefix(3)) { codes.append(code) }
        rest = rest[range.upperBound...]
    }
    return codes
}

/// Resident memory of a process in KiB (VmRSS).
func residentKiB(pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}

/// CPU time a process has used so far, user and system, in seconds (`/proc/<pid>/stat`).
func cpuSeconds(pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// `count` copies of the raw HTTP `request` spread round-robin over `daemons`, each on its own
/// connection, all sent before any answer is read: the first status code of each answer, in
/// the order sent (the several-daemons tests' simultaneous burst).
func burst(_ count: Int, of request: String, over daemons: [SwitchboardProcess], timeoutSeconds: Double = 10)
    throws -> [Int]
{
    let clients = try (0..<count).map {
        try RawClient(port: daemons[$0 % daemons.count].port, timeoutSeconds: timeoutSeconds)
    }
    for client in clients where !client.send(request) { throw TestFailure.message("a request could not be sent") }
    return clients.compactMap { statusCodes(in: $0.readToEnd()).first }
}

/// A raw `POST` of `body` to `path` that closes its connection, with extra header lines.
func rawPost(_ path: String, body: String, headers: [String] = []) -> String {
    "POST \(path) HTTP/1.1\r\nHost: x\r\n" + headers.map { $0 + "\r\n" }.joined()
        + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
}
