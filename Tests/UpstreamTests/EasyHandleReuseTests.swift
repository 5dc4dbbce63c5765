import Dispatch
import Foundation
import HTTPTypes
import Reactor
import Testing
@testable import Upstream

@Suite("Easy handles keep their options between clean transfers", .serialized)
struct EasyHandleReuseTests {
    /// Waits for the transfer's end and gives its handle back (on the loop, where transfers live).
    func finish(_ c: Collector, on upstream: TestUpstream) {
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        upstream.onLoop { _ in c.transfer = nil }
    }

    /// Three POSTs on one kept handle: each sends its own URL, headers and body, including a URL
    /// too long to be kept parsed after one that was (the parsed handle of the earlier transfer
    /// must not stay behind), and the options are kept, not reset, after each clean end.
    @Test func aKeptHandleSendsEachTransfersOwnURLHeadersAndBody() throws {
        let upstream = try TestUpstream()
        let long = "/stream?pad=" + String(repeating: "p", count: ParsedURLs.longestKept)
        let requests = [
            UpstreamRequest(
                url: upstream.url + "/stream", headers: [("x-chunks", "1"), ("x-one", "1")], body: Array("one".utf8)),
            UpstreamRequest(
                url: upstream.url + "/limited", headers: [("x-two", "2")], body: Array("two".utf8)),
            UpstreamRequest(
                url: upstream.url + long, headers: [("x-chunks", "2"), ("x-three", "3")],
                body: Array("three".utf8), connectTimeout: 5),
        ]
        // A first transfer opens the connection: its handle is reset (a connection came).
        finish(upstream.run(UpstreamRequest(url: upstream.url + "/limited", body: [])), on: upstream)
        var collectors: [Collector] = []
        for request in requests {
            let c = upstream.run(request)
            finish(c, on: upstream)
            collectors.append(c)
        }
        #expect(collectors[0].status == 200 && collectors[0].body == "chunk0;")
        #expect(collectors[1].status == 429 && collectors[1].body.contains("slow down"))
        #expect(collectors[2].status == 200 && collectors[2].body == "chunk0;chunk1;")
        let seen = upstream.received.withLock { $0 }
        try #require(seen.count == 2)
        #expect(seen[0].body == Array("one".utf8) && seen[0].headers["x-one"] == "1")
        #expect(seen[1].body == Array("three".utf8) && seen[1].headers["x-three"] == "3")
        #expect(seen[1].target.hasSuffix(String(repeating: "p", count: 16)))
        #expect(seen[1].headers["x-one"] == nil && seen[1].headers["x-two"] == nil)
        let (spare, kept) = upstream.onLoop { loop in
            let client = UpstreamClient.forLoop(loop)
            return (client.spareHandleCount, client.handlesKeptWithOptions)
        }
        #expect(spare == 1)
        #expect(kept == 3, "the three after the first")
    }

    /// libcurl 7.88 counts "connection died, retrying on a fresh connection" per easy handle and
    /// only a reset clears the count: past five, a retry fails. A kept handle must therefore be
    /// reset after a transfer that retried. Seven times over, a pooled connection the server
    /// closed while the client's loop was busy is taken up again (the loop has not seen the
    /// close), curl finds it dead and retries on a fresh connection: every transfer must succeed.
    @Test func retriesOnAFreshConnectionNeverRunOutOnAReusedHandle() throws {
        let upstream = try TestUpstream(idleTimeout: 0.5)
        // The client on a loop of its own, so the server closes while the client's loop waits.
        let clients = try EventLoopGroup(count: 1)
        clients.start()
        defer { clients.shutdown() }
        let loop = clients.loops[0]
        let request = UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "1")], body: [])
        func transfer(afterTheServerCloses: Bool) -> Collector {
            let c = Collector()
            c.loop = loop
            loop.execute {
                if afterTheServerCloses {
                    // The loop waits here, so its epoll does not hear the close (a condition, not
                    // a time: the server's idle timeout closes the pooled connection).
                    let deadline = Date().addingTimeInterval(10)
                    while upstream.server.openConnections > 0, Date() < deadline { usleep(2_000) }
                }
                c.transfer = UpstreamClient.forLoop(loop).start(request, delegate: c)
            }
            #expect(c.done.wait(timeout: .now() + 10) == .success)
            let released = DispatchSemaphore(value: 0)
            loop.execute {
                c.transfer = nil
                released.signal()
            }
            released.wait()
            return c
        }
        _ = transfer(afterTheServerCloses: false)
        for round in 1...7 {
            let c = transfer(afterTheServerCloses: true)
            #expect(c.error == nil, "round \(round)")
            #expect(c.body == "chunk0;", "round \(round)")
        }
        let client = UpstreamClient.forLoop(loop)
        let counts = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var seen = (quiet: 0, registered: 0)
        loop.execute {
            seen = (client.quietReuses, client.socketRegistrations)
            counts.signal()
        }
        counts.wait()
        // Each round's transfer went out on a dead connection (curl's check of it answered from
        // the epoll, which had not heard the close) and again on a new one.
        #expect(seen.quiet == 7)
        #expect(seen.registered == 8)
    }
}
