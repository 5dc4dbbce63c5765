import Dispatch
import HTTPTypes
import Testing
@testable import Upstream

/// The server's idle timer stays armed across a request (issue 13): it must still never close
/// a connection whose request is in flight, and the connection must stay usable after it.
@Suite("The server's idle timer across a request", .serialized)
struct ServerIdleTimerTests {
    @Test func aRequestLongerThanTheIdleTimeoutKeepsItsConnectionForTheNext() throws {
        let upstream = try TestUpstream(idleTimeout: 0.3)
        // Six chunks 150 ms apart: the connection's idle timer, armed when it opened, comes due
        // while the answer is still streaming.
        let long = upstream.run(
            UpstreamRequest(
                url: upstream.url + "/stream", headers: [("x-chunks", "6"), ("x-gap-ms", "150")], body: []))
        #expect(long.done.wait(timeout: .now() + 10) == .success)
        #expect(long.error == nil)
        #expect(long.body == "chunk0;chunk1;chunk2;chunk3;chunk4;chunk5;")
        // At once on the same connection: it was neither closed under the answer nor right after.
        let next = upstream.run(UpstreamRequest(url: upstream.url + "/stream", headers: [("x-chunks", "1")], body: []))
        #expect(next.done.wait(timeout: .now() + 10) == .success)
        #expect(next.body == "chunk0;")
        #expect(upstream.onLoop { UpstreamClient.forLoop($0).socketRegistrations } == 1)
        #expect(upstream.closes.load(ordering: .relaxed) == 0)
    }
}
