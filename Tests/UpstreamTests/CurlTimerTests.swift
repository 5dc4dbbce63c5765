import Dispatch
import Foundation
import Glibc
import HTTPTypes
import Reactor
import Testing
@testable import Upstream

/// A listening socket whose accept queue is full and never drained: the kernel drops a new
/// connection's SYN, so a connect to it hangs until curl's connect timeout ends it.
final class BlackHole: @unchecked Sendable {
    private let listener: Int32
    private var fillers: [Int32] = []
    private(set) var port = 0

    init() throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(listener, address, length) == 0 && listen(listener, 0) == 0
                    && getsockname(listener, address, &length) == 0
            }
        }
        try #require(bound)
        port = Int(UInt16(bigEndian: address.sin_port))
        // A backlog of 0 holds one connection; the first, blocking, is queued once it returns.
        for blocking in [true, false] {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | (blocking ? 0 : Int32(SOCK_NONBLOCK.rawValue)), 0)
            _ = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            fillers.append(fd)
        }
    }

    var url: String { "http://127.0.0.1:\(port)/x" }

    deinit {
        for fd in fillers { close(fd) }
        close(listener)
    }
}

@Suite("curl's own timeouts through the loop's timers", .serialized)
struct CurlTimerTests {
    @Test func curlsConnectTimeoutEndsAConnectThatHangs() throws {
        let upstream = try TestUpstream()
        let hole = try BlackHole()
        let c = upstream.run(UpstreamRequest(url: hole.url, body: [], connectTimeout: 0.3, firstByteTimeout: 60))
        #expect(c.done.wait(timeout: .now() + 20) == .success)
        guard case .timedOut(.connect, _)? = c.error else {
            Issue.record("expected curl's connect timeout, got \(String(describing: c.error))")
            return
        }
    }

    /// The loop timer armed for one transfer's connect timeout outlives that transfer (it is
    /// cancelled): curl's next deadline, later, is waited for by re-arming when it fires, not
    /// missed and not acted on early.
    @Test func aDeadlineLaterThanTheArmedTimerIsKeptWhenTheEarlierOneGoes() throws {
        let upstream = try TestUpstream()
        let hole = try BlackHole()
        let loop = upstream.group.loops[0]
        let early = Collector(), late = Collector()
        let started = Date()
        loop.execute {
            let client = UpstreamClient.forLoop(loop)
            early.transfer = client.start(
                UpstreamRequest(url: hole.url, body: [], connectTimeout: 0.4, firstByteTimeout: 60), delegate: early)
            late.transfer = client.start(
                UpstreamRequest(url: hole.url, body: [], connectTimeout: 1.2, firstByteTimeout: 60), delegate: late)
            // Before the early one's deadline: curl's next one is then the late transfer's.
            loop.schedule(afterNanoseconds: 100_000_000) {
                early.transfer?.cancel()
                early.done.signal()
            }
        }
        #expect(late.done.wait(timeout: .now() + 20) == .success)
        guard case .timedOut(.connect, _)? = late.error else {
            Issue.record("expected curl's connect timeout, got \(String(describing: late.error))")
            return
        }
        #expect(Date().timeIntervalSince(started) >= 1.1)
        #expect(!early.completed)
        #expect(upstream.onLoop { UpstreamClient.forLoop($0).curlTimersArmed } >= 2)
        upstream.onLoop { _ in
            early.transfer = nil
            late.transfer = nil
        }
    }

    /// Each transfer has curl ask for "now", its connect timeout and "never": the "now" runs at
    /// the end of the loop's round, and the timer armed for an earlier connect timeout, due
    /// first, serves the later ones. So transfers in a row arm no loop timer each.
    @Test func transfersInARowArmNoLoopTimerEach() throws {
        let upstream = try TestUpstream()
        let request = UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "1")], body: [])
        let first = upstream.run(request)
        #expect(first.done.wait(timeout: .now() + 10) == .success)
        let counts = { @Sendable (loop: EventLoop) in
            (UpstreamClient.forLoop(loop).curlTimerRequests, UpstreamClient.forLoop(loop).curlTimersArmed)
        }
        let (requestsBefore, armedBefore) = upstream.onLoop(counts)
        for _ in 0..<5 {
            let c = upstream.run(request)
            #expect(c.done.wait(timeout: .now() + 10) == .success)
            #expect(c.body == "chunk0;")
        }
        let (requests, armed) = upstream.onLoop(counts)
        #expect(requests - requestsBefore >= 10)
        #expect(armed - armedBefore <= 1)
    }
}
