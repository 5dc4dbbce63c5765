import Dispatch
import HTTPTypes
import Testing
@testable import Upstream

@Suite("Upstream timers handed from the first byte to silence", .serialized)
struct UpstreamTimerHandoffTests {
    /// The first-byte timer, when due first, is kept as the idle timer after the head: it must
    /// then wait for silence, not for the first byte, and take the idle timeout's length.
    /// (Six chunks 0.3 s apart outlast the 1 s first-byte timeout; the stalled stream's one
    /// chunk is followed by 5 s of silence.)
    @Test func aFirstByteTimerDueBeforeTheIdleOneWatchesForSilenceOnceBytesFlow() throws {
        let upstream = try TestUpstream()
        let flowing = upstream.run(
            UpstreamRequest(
                url: upstream.url + "/stream", headers: [("x-chunks", "6"), ("x-gap-ms", "300")],
                body: [], firstByteTimeout: 1, idleTimeout: 5))
        #expect(flowing.done.wait(timeout: .now() + 10) == .success)
        #expect(flowing.error == nil)
        #expect(flowing.body == "chunk0;chunk1;chunk2;chunk3;chunk4;chunk5;")
        let stalled = upstream.run(
            UpstreamRequest(
                url: upstream.url + "/stream", headers: [("x-chunks", "3"), ("x-gap-ms", "5000")],
                body: [], firstByteTimeout: 1, idleTimeout: 1.5))
        #expect(stalled.done.wait(timeout: .now() + 10) == .success)
        #expect(stalled.error == .timedOut(.idle, "no data from upstream for 1.5 s"))
        #expect(stalled.body == "chunk0;")
    }
}
