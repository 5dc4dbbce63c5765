import Dispatch
import Foundation
import HTTPServer
import HTTPTypes
import Logging
import Reactor
import Synchronization
import Testing
@testable import Upstream

/// Collects what a transfer delivers, on the loop; read from the test thread after `done`.
final class Collector: UpstreamDelegate, @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    let lock = NSLock()
    var status = 0
    var headers = HTTPHeaders()
    var chunks: [[UInt8]] = []
    var error: TransportError?
    var completed = false
    var headBeforeBody = true
    var pauseFirst = false
    var transfer: UpstreamTransfer?
    var loop: EventLoop?

    func upstreamDidReceiveHead(status: Int, headers: HTTPHeaders) {
        lock.withLock {
            self.status = status; self.headers = headers
        }
    }

    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> UpstreamFlow {
        lock.withLock {
            if status == 0 { headBeforeBody = false }
            chunks.append(Array(bytes))
        }
        if pauseFirst {
            pauseFirst = false
            loop?.schedule(afterNanoseconds: 200_000_000) { [self] in transfer?.resume() }
            return .pause
        }
        return .proceed
    }

    func upstreamDidComplete(_ error: TransportError?) {
        lock.withLock {
            self.error = error; completed = true
        }
        done.signal()
    }

    var body: String { lock.withLock { String(decoding: chunks.flatMap { $0 }, as: UTF8.self) } }
}

/// A server on port 0 whose routes stream, stall or answer errors.
final class TestUpstream: @unchecked Sendable {
    let group: EventLoopGroup
    let server: HTTPServer
    let port: Int
    let closes = Atomic<Int>(0)
    let received = Mutex<[HTTPRequest]>([])

    init(idleTimeout: Double = 60) throws {
        group = try EventLoopGroup(count: 1)
        group.start()
        let router = Router()
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.idleTimeout = idleTimeout
        server = HTTPServer(
            configuration: configuration, group: group, handler: router,
            logger: Logger(label: "test"))
        port = 0
        router.add("POST", "/stream") { [weak self] request, _, writer in
            guard let self else { return }
            received.withLock { $0.append(request) }
            writer.onClose = { [weak self] in self?.closes.add(1, ordering: .relaxed) }
            writer.beginStream(status: 200, headers: ["Content-Type": "text/plain"])
            let count = Int(request.headers["x-chunks"] ?? "5") ?? 5
            let gap = UInt64(request.headers["x-gap-ms"] ?? "10") ?? 10
            func send(_ i: Int) {
                guard !writer.isClosed else { return }
                if i == count { writer.end(); return }
                writer.write(Array("chunk\(i);".utf8))
                writer.loop.schedule(afterNanoseconds: gap * 1_000_000) { send(i + 1) }
            }
            send(0)
        }
        // 64 KB in one go: more than curl takes in one read, so bytes wait in the socket after it.
        router.add("POST", "/burst") { _, _, writer in
            writer.beginStream(status: 200, headers: ["Content-Type": "text/plain"])
            for i in 0..<64 { writer.write(Array(repeating: UInt8(ascii: "a") + UInt8(i % 26), count: 1024)) }
            writer.end()
        }
        router.add("POST", "/limited") { _, _, writer in
            writer.respondJSON(status: 429, body: Array(#"{"error":"slow down"}"#.utf8), headers: ["retry-after": "7"])
        }
        router.add("POST", "/silent") { _, _, writer in
            writer.onClose = {}
        }
        router.add("GET", "/empty") { _, _, writer in
            writer.respond(status: 204, headers: [], body: [])
        }
        actualPort = try server.start()
    }

    var actualPort = 0
    var url: String { "http://127.0.0.1:\(actualPort)" }

    func run(_ request: UpstreamRequest, pauseFirst: Bool = false, cancelAfter: Double? = nil) -> Collector {
        let collector = Collector()
        collector.pauseFirst = pauseFirst
        let loop = group.loops[0]
        collector.loop = loop
        loop.execute {
            let transfer = UpstreamClient.forLoop(loop).start(request, delegate: collector)
            collector.transfer = transfer
            if let cancelAfter {
                loop.schedule(afterNanoseconds: UInt64(cancelAfter * 1e9)) {
                    transfer.cancel(); collector.done.signal()
                }
            }
        }
        return collector
    }

    /// `count` concurrent two-chunk transfers, each waited for to its end; their collectors
    /// still hold the transfers (release them on the loop).
    func runFinished(_ count: Int) -> [Collector] {
        let collectors = (0..<count).map { _ in
            run(UpstreamRequest(url: url + "/stream", headers: [("x-chunks", "2"), ("x-gap-ms", "5")], body: []))
        }
        for c in collectors { #expect(c.done.wait(timeout: .now() + 20) == .success) }
        return collectors
    }

    /// Runs `body` on the loop the transfers use and waits for its answer.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (EventLoop) -> T) -> T {
        let loop = group.loops[0]
        let answer = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            answer.withLock { $0 = body(loop) }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0! }
    }

    deinit {
        server.closeAll()
        group.shutdown()
    }
}

@Suite("Upstream over libcurl multi on our event loop", .serialized)
struct UpstreamTransferTests {
    @Test func streamsChunksInOrderWithHeadFirstAndSendsTheBody() throws {
        let upstream = try TestUpstream()
        let c = upstream.run(
            UpstreamRequest(
                url: upstream.url + "/stream", headers: [("x-chunks", "5"), ("x-test", "yes")],
                body: Array(#"{"hello":1}"#.utf8)))
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        #expect(c.error == nil)
        #expect(c.status == 200)
        #expect(c.headBeforeBody)
        #expect(c.body == "chunk0;chunk1;chunk2;chunk3;chunk4;")
        #expect(c.chunks.count >= 2)
        let seen = try #require(upstream.received.withLock { $0.last })
        #expect(seen.body == Array(#"{"hello":1}"#.utf8))
        #expect(seen.headers["x-test"] == "yes")
        #expect(seen.headers["expect"] == nil)
    }

    @Test func errorStatusAndHeadersPassThrough() throws {
        let upstream = try TestUpstream()
        let c = upstream.run(UpstreamRequest(url: upstream.url + "/limited", body: Array("{}".utf8)))
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        #expect(c.status == 429)
        #expect(c.headers.contains { $0.name.lowercased() == "retry-after" && $0.value == "7" }, "\(c.headers)")
        #expect(c.body.contains("slow down"))
    }

    @Test func emptyBodyStillDeliversTheHead() throws {
        let upstream = try TestUpstream()
        let c = upstream.run(UpstreamRequest(method: "GET", url: upstream.url + "/empty"))
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        #expect(c.status == 204)
        #expect(c.error == nil)
    }

    @Test func refusedConnectionFailsFast() throws {
        let upstream = try TestUpstream()
        let started = Date()
        let c = upstream.run(UpstreamRequest(url: "http://127.0.0.1:9/x", body: []))
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        guard case .connectFailed? = c.error else {
            Issue.record("expected connectFailed, got \(String(describing: c.error))"); return
        }
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func firstByteTimeout() throws {
        let upstream = try TestUpstream()
        let c = upstream.run(UpstreamRequest(url: upstream.url + "/silent", body: [], firstByteTimeout: 0.3))
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        #expect(c.error == .timedOut(.firstByte, "no answer from upstream for 0.3 s"))
    }

    @Test func idleTimeoutBetweenChunks() throws {
        let upstream = try TestUpstream()
        let c = upstream.run(
            UpstreamRequest(
                url: upstream.url + "/stream", headers: [("x-chunks", "3"), ("x-gap-ms", "1000")],
                body: [], idleTimeout: 0.3))
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        guard case .timedOut(.idle, _)? = c.error else {
            Issue.record("expected idle timeout, got \(String(describing: c.error))"); return
        }
    }

    @Test func pauseAndResumeDeliverEveryByteOnce() throws {
        let upstream = try TestUpstream()
        let c = upstream.run(
            UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "6"), ("x-gap-ms", "5")], body: []),
            pauseFirst: true)
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        #expect(c.error == nil)
        #expect(c.body == "chunk0;chunk1;chunk2;chunk3;chunk4;chunk5;")
    }

    @Test func cancelClosesTheConnectionPromptly() throws {
        let upstream = try TestUpstream()
        let c = upstream.run(
            UpstreamRequest(
                url: upstream.url + "/stream", headers: [("x-chunks", "100"), ("x-gap-ms", "20")], body: []),
            cancelAfter: 0.2)
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        let cancelledAt = Date()
        while upstream.closes.load(ordering: .relaxed) == 0 && Date().timeIntervalSince(cancelledAt) < 2 {
            usleep(5_000)
        }
        #expect(upstream.closes.load(ordering: .relaxed) == 1)
        #expect(Date().timeIntervalSince(cancelledAt) < 0.1)
        usleep(100_000)
        #expect(!c.completed, "no completion callback after cancel")
    }

    @Test func sequentialTransfersReuseOneConnection() throws {
        let upstream = try TestUpstream()
        for _ in 0..<3 {
            let c = upstream.run(UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "1")], body: []))
            #expect(c.done.wait(timeout: .now() + 10) == .success)
        }
        #expect(upstream.server.openConnections == 1)
        // The pooled socket stayed in the epoll between transfers: registered once, not three times.
        #expect(upstream.onLoop { UpstreamClient.forLoop($0).socketRegistrations } == 1)
        #expect(upstream.onLoop { UpstreamClient.forLoop($0).parkedSockets } == 1)
    }

    @Test func aPooledConnectionIsTakenUpAgainWithoutAskingTheKernel() throws {
        let upstream = try TestUpstream()
        for _ in 0..<3 {
            let c = upstream.run(UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "1")], body: []))
            #expect(c.done.wait(timeout: .now() + 10) == .success)
            #expect(c.body == "chunk0;")
        }
        // The second and third transfers found the pooled socket quiet by the epoll's account:
        // curl's liveness check of it cost no poll system call.
        #expect(upstream.onLoop { UpstreamClient.forLoop($0).quietReuses } == 2)
    }

    @Test func aPooledConnectionTheServerClosesLeavesTheEpollAndTheNextTransferWorks() throws {
        let upstream = try TestUpstream(idleTimeout: 0.2)
        let first = upstream.run(UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "1")], body: []))
        #expect(first.done.wait(timeout: .now() + 10) == .success)
        // The server ends the idle keep-alive connection; the parked socket hears the close and leaves the epoll
        // (no busy loop on a dead socket).
        let deadline = Date().addingTimeInterval(10)
        while upstream.onLoop({ UpstreamClient.forLoop($0).parkedSockets }) != 0 && Date() < deadline { usleep(2_000) }
        #expect(upstream.onLoop { UpstreamClient.forLoop($0).parkedSockets } == 0)
        let second = upstream.run(
            UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "2")], body: []))
        #expect(second.done.wait(timeout: .now() + 10) == .success)
        #expect(second.body == "chunk0;chunk1;")
        #expect(upstream.onLoop { UpstreamClient.forLoop($0).socketRegistrations } == 2)
    }

    @Test func chunksArrivingOneAtATimeCostCurlNoReadinessSystemCall() throws {
        let upstream = try TestUpstream()
        let c = upstream.run(UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "5")], body: []))
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        #expect(c.body == "chunk0;chunk1;chunk2;chunk3;chunk4;")
        // Each read's "more already?" check was answered without asking the kernel.
        #expect(upstream.onLoop { UpstreamClient.forLoop($0).readinessChecksSkipped } >= 1)
    }

    @Test func bytesLeftInTheSocketAfterASkippedCheckAreReadInTheNextRound() throws {
        let upstream = try TestUpstream()
        let c = upstream.run(UpstreamRequest(url: upstream.url + "/burst", headers: [], body: []))
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        #expect(c.error == nil)
        let expected = (0..<64).flatMap { Array(repeating: UInt8(ascii: "a") + UInt8($0 % 26), count: 1024) }
        #expect(c.chunks.flatMap { $0 } == expected)
        #expect(upstream.onLoop { UpstreamClient.forLoop($0).readinessChecksSkipped } >= 1)
    }

    @Test func twoHundredConcurrentTransfersOnOneLoop() throws {
        let upstream = try TestUpstream()
        let collectors = (0..<200).map { _ in
            upstream.run(
                UpstreamRequest(
                    url: upstream.url + "/stream", headers: [("x-chunks", "3"), ("x-gap-ms", "5")], body: []))
        }
        var ok = 0
        for c in collectors where c.done.wait(timeout: .now() + 20) == .success && c.body == "chunk0;chunk1;chunk2;" {
            ok += 1
        }
        #expect(ok == 200)
    }
}

@Suite("Upstream spare handles", .serialized)
struct UpstreamSpareHandleTests {
    @Test func sheddingKeepsOnlyTheAskedNumberOfSpareHandles() throws {
        let upstream = try TestUpstream()
        let collectors = upstream.runFinished(20)
        // A handle goes back when its transfer is released, which happens on the loop.
        let spare = upstream.onLoop { loop -> Int in
            for c in collectors { c.transfer = nil }
            return UpstreamClient.forLoop(loop).spareHandleCount
        }
        #expect(spare == 20)
        #expect(
            upstream.onLoop { client -> Int in
                UpstreamClient.forLoop(client).shedSpareHandles(keeping: 8)
                return UpstreamClient.forLoop(client).spareHandleCount
            } == 8)
    }
}

@Suite("Upstream pool shedding", .serialized)
struct UpstreamPoolSheddingTests {
    @Test func anIdlePoolLargerThanTheLimitIsClosedAndTheNextTransferConnectsAfresh() throws {
        let upstream = try TestUpstream()
        let collectors = upstream.runFinished(20)
        let (parkedBefore, parkedAfter) = upstream.onLoop { loop -> (Int, Int) in
            for c in collectors { c.transfer = nil }
            let client = UpstreamClient.forLoop(loop)
            let before = client.parkedSockets
            client.shedIdleConnections(keepingAtMost: 4)
            return (before, client.parkedSockets)
        }
        #expect(parkedBefore == 20)
        #expect(parkedAfter == 0)
        // The server sees the pooled connections go.
        let deadline = Date().addingTimeInterval(10)
        while upstream.server.openConnections > 0 && Date() < deadline { usleep(2_000) }
        #expect(upstream.server.openConnections == 0)
        let next = upstream.run(UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "2")], body: []))
        #expect(next.done.wait(timeout: .now() + 10) == .success)
        #expect(next.body == "chunk0;chunk1;")
    }

    @Test func aPoolIsKeptAndSaidKeptWhileATransferIsInFlightAndClosedOnceItEnds() throws {
        let upstream = try TestUpstream()
        let collectors = upstream.runFinished(20)
        let endless: HTTPHeaders = [("x-chunks", "1000"), ("x-gap-ms", "50")]
        let slow = upstream.run(UpstreamRequest(url: upstream.url + "/stream", headers: endless, body: []))
        let started = Date().addingTimeInterval(10)
        while slow.body.isEmpty && Date() < started { usleep(2_000) }
        #expect(!slow.body.isEmpty)
        let (shedInFlight, parkedInFlight) = upstream.onLoop { loop -> (Bool, Int) in
            for c in collectors { c.transfer = nil }
            let client = UpstreamClient.forLoop(loop)
            return (client.shedIdleConnections(keepingAtMost: 4), client.parkedSockets)
        }
        // The daemon hears "kept" and tries again later (GatewayDaemon.shedUpstream).
        #expect(!shedInFlight)
        #expect(parkedInFlight > 4)
        upstream.onLoop { _ in slow.transfer?.cancel() }
        // The cancelled transfer leaves the client on a later turn of the loop.
        var shed = false
        let deadline = Date().addingTimeInterval(10)
        while !shed && Date() < deadline {
            shed = upstream.onLoop { UpstreamClient.forLoop($0).shedIdleConnections(keepingAtMost: 4) }
        }
        #expect(shed)
        #expect(upstream.onLoop { UpstreamClient.forLoop($0).parkedSockets } == 0)
    }

    @Test func aPoolWithinTheLimitIsKept() throws {
        let upstream = try TestUpstream()
        let first = upstream.run(UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "1")], body: []))
        #expect(first.done.wait(timeout: .now() + 10) == .success)
        let parked = upstream.onLoop { loop -> Int in
            first.transfer = nil
            UpstreamClient.forLoop(loop).shedIdleConnections(keepingAtMost: 4)
            return UpstreamClient.forLoop(loop).parkedSockets
        }
        #expect(parked == 1)
    }
}
