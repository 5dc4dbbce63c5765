import Dispatch
import HTTPTypes
import Testing
@testable import Upstream

@Suite("Upstream URLs parsed once and easy handles reused", .serialized)
struct ParsedURLsTests {
    @Test func aURLIsParsedOnceAndKept() {
        let url = "http://127.0.0.1:1/parsed-once"
        let first = ParsedURLs.handle(for: url)
        #expect(first != nil)
        #expect(ParsedURLs.handle(for: url) == first)
        #expect(ParsedURLs.handle(for: url + "?other") != first)
    }

    @Test func aURLLongerThanTheLimitIsNotKept() {
        let path = String(repeating: "m", count: ParsedURLs.longestKept)
        let before = ParsedURLs.count
        #expect(ParsedURLs.handle(for: "http://127.0.0.1:1/" + path) == nil)
        #expect(ParsedURLs.count == before)
    }

    @Test func aURLCurlRejectsIsNotKeptAndItsTransferFailsAsBefore() throws {
        let bad = "http://exa mple.invalid/x"
        #expect(ParsedURLs.handle(for: bad) == nil)
        let upstream = try TestUpstream()
        let c = upstream.run(UpstreamRequest(url: bad, body: []))
        #expect(c.done.wait(timeout: .now() + 10) == .success)
        guard case .other(code: 3, _)? = c.error else {
            Issue.record("expected curl's URL_MALFORMAT, got \(String(describing: c.error))")
            return
        }
    }

    /// One easy handle, reset between transfers, carries each one's own URL, method, headers and
    /// body: nothing of the transfer before it leaks into the next.
    @Test func aReusedHandleCarriesEachTransfersOwnURLMethodHeadersAndBody() throws {
        let upstream = try TestUpstream()
        func finish(_ request: UpstreamRequest) -> Collector {
            let c = upstream.run(request)
            #expect(c.done.wait(timeout: .now() + 10) == .success)
            // The handle goes back when its transfer is released, on the loop: one spare
            // handle after each transfer is the same handle taken and given back.
            let spare = upstream.onLoop { loop -> Int in
                c.transfer = nil
                return UpstreamClient.forLoop(loop).spareHandleCount
            }
            #expect(spare == 1, "after \(request.method) \(request.url)")
            return c
        }
        let first = finish(
            UpstreamRequest(
                url: upstream.url + "/stream", headers: [("x-chunks", "1"), ("x-test", "one")],
                body: Array("first".utf8)))
        let get = finish(UpstreamRequest(method: "GET", url: upstream.url + "/empty"))
        let limited = finish(UpstreamRequest(url: upstream.url + "/limited", body: Array("{}".utf8)))
        let second = finish(
            UpstreamRequest(
                url: upstream.url + "/stream", headers: [("x-chunks", "2"), ("x-other", "two")],
                body: Array("second".utf8)))
        #expect(first.status == 200 && first.body == "chunk0;")
        #expect(get.status == 204 && get.error == nil)
        #expect(limited.status == 429 && limited.body.contains("slow down"))
        #expect(second.status == 200 && second.body == "chunk0;chunk1;")
        let seen = upstream.received.withLock { $0 }
        try #require(seen.count == 2)
        #expect(seen[0].body == Array("first".utf8) && seen[0].headers["x-test"] == "one")
        #expect(seen[1].body == Array("second".utf8) && seen[1].headers["x-other"] == "two")
        #expect(seen[1].headers["x-test"] == nil)
    }
}

@Suite("Upstream hosts that are addresses")
struct ParsedURLHostTests {
    @Test func addressesAreToldFromNames() {
        #expect(ParsedURLs.isAddress("127.0.0.1"))
        #expect(ParsedURLs.isAddress("[::1]"))
        #expect(ParsedURLs.isAddress("[fe80::1%25eth0]"))
        #expect(!ParsedURLs.isAddress("localhost"))
        #expect(!ParsedURLs.isAddress("api.openai.com"))
        #expect(!ParsedURLs.isAddress("::1"))
        #expect(!ParsedURLs.isAddress("127.0.0.1.example"))
    }

    @Test func aKeptURLKnowsWhetherItsHostIsAnAddress() {
        #expect(ParsedURLs.parsed("http://127.0.0.1:8/v1/x")?.hostIsAddress == true)
        #expect(ParsedURLs.parsed("http://[::1]:8/v1/x")?.hostIsAddress == true)
        #expect(ParsedURLs.parsed("https://api.openai.invalid/v1/x")?.hostIsAddress == false)
    }
}
