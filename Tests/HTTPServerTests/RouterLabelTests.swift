import Dispatch
import Glibc
import HTTPServer
import Logging
import Reactor
import Synchronization
import Testing

/// A real server on port 0 behind a `Router` whose handlers never touch the route label; the
/// access records say which label each request got.
private final class LabelledServer: @unchecked Sendable {
    let group: EventLoopGroup
    let server: HTTPServer
    let port: Int
    private let recorder = Recorder()

    init() throws {
        group = try EventLoopGroup(count: 1)
        group.start()
        let router = Router()
        for (method, pattern) in [
            ("GET", "/v1/models"), ("GET", "/v1/loops/{id}"), ("POST", "/v1/mod3ls"),
            ("POST", "/v1/loops/{id}/tool_results"),
        ] {
            router.add(method, pattern) { _, _, writer in
                writer.respondJSON(status: 200, body: Array("{}".utf8))
            }
        }
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        server = HTTPServer(configuration: configuration, group: group, handler: router, logger: Logger(label: "test"))
        server.onAccessRecord = { [recorder] record in
            recorder.records.withLock { $0.append(record) }
            recorder.recorded.signal()
        }
        port = try server.start()
    }

    /// Sends one request and waits for its access record; returns the route label it carries.
    func label(_ method: String, _ path: String) throws -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXFailure(call: "socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXFailure(call: "connect") }
        let head = Array(
            "\(method) \(path) HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, head, head.count, 0) == head.count else { throw POSIXFailure(call: "send") }
        guard recorder.recorded.wait(timeout: .now() + 10) == .success else { return nil }
        return recorder.records.withLock { $0.last?.route }
    }

    deinit {
        server.closeAll()
        group.shutdown()
    }
}

/// The access records, as the server's loop reports them.
private final class Recorder: Sendable {
    let records = Mutex<[AccessRecord]>([])
    let recorded = DispatchSemaphore(value: 0)
}

private struct POSIXFailure: Error {
    var call: String
}

@Suite("Router names the metrics route label", .serialized)
struct RouterLabelTests {
    @Test("a parameterised route is labelled with its pattern, not the concrete path")
    func parameterisedRouteGetsPattern() throws {
        let server = try LabelledServer()
        #expect(try server.label("GET", "/v1/loops/loop_123") == "/v1/loops/{id}")
        #expect(try server.label("POST", "/v1/loops/loop_123/tool_results") == "/v1/loops/{id}/tool_results")
    }

    @Test("a route without parameters is labelled with its path")
    func exactRouteGetsPattern() throws {
        let server = try LabelledServer()
        #expect(try server.label("GET", "/v1/models") == "/v1/models")
        // Exact routes are first told apart by their paths' lengths: one of the same length is
        // still its own route, and its method still counts.
        #expect(try server.label("POST", "/v1/mod3ls") == "/v1/mod3ls")
        #expect(try server.label("GET", "/v1/mod3ls") == "method_not_allowed")
        #expect(try server.label("POST", "/v1/models") == "method_not_allowed")
    }

    @Test("an unknown path is unmatched, a known path with another method method_not_allowed")
    func unknownPathIsUnmatched() throws {
        let server = try LabelledServer()
        #expect(try server.label("GET", "/v1/nothing/here") == "unmatched")
        #expect(try server.label("DELETE", "/v1/models") == "method_not_allowed")
    }
}
