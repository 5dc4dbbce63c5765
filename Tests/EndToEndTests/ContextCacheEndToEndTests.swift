import Foundation
import Testing

/// Gemini explicit context caching through the daemon (SPEC §3).
@Suite("Gemini context caching, end to end")
struct ContextCacheEndToEndTests {
    static let system = String(repeating: "You are a careful assistant. This is a long shared preamble. ", count: 40)

    func ask(_ daemon: SwitchboardProcess, _ question: String) throws -> CurlResponse {
        let body: [String: Any] = [
            "model": "gemini/text+chunks=2", "stream": false,
            "messages": [
                ["role": "system", "content": [["type": "text", "text": Self.system, "cache": true]]],
                ["role": "user", "content": question],
            ],
        ]
        return try curl(
            daemon.baseURL + "/v1/chat",
            body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
    }

    func requests(_ mock: SwitchboardProcess) throws -> [[String: Any]] {
        let text = try curl(mock.baseURL + "/_mock/requests?limit=100").body
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
    }

    @Test func createdOnceReusedThenRecreatedAfterExpiry() throws {
        let mock = try Launch.mock()
        let dir = TempDir()
        // A short TTL so expiry happens within the test.
        let ttlDaemon = try SwitchboardProcess(
            ["serve", "--listen", "127.0.0.1:0"],
            environment: [
                "GEMINI_API_KEY": "test-key-gemini", "GEMINI_BASE_URL": mock.baseURL,
                "SWITCHBOARD_PROVIDERS_GEMINI_CACHE_TTL_S": "2", "SWITCHBOARD_DATABASE": dir.path("cache.db"),
            ])
        let first = try ask(ttlDaemon, "first?")
        #expect(first.status == 200, "\(first.body)")
        let usage = jsonObject(first.body)?["usage"] as? [String: Any]
        #expect((usage?["cache_read_tokens"] as? Int ?? 0) > 0)
        #expect(try ask(ttlDaemon, "second?").status == 200)

        var seen = try requests(mock)
        let creates = seen.filter {
            ($0["path"] as? String) == "/v1beta/cachedContents" && ($0["method"] as? String) == "POST"
        }
        let generates = seen.filter { ($0["path"] as? String)?.contains(":generateContent") == true }
        #expect(creates.count == 1)
        #expect(generates.count == 2)
        let names = generates.compactMap { ($0["body"] as? [String: Any])?["cachedContent"] as? String }
        #expect(names.count == 2 && Set(names).count == 1)
        #expect(generates.allSatisfy { ($0["body"] as? [String: Any])?["systemInstruction"] == nil })
        let created = try #require(creates.first?["body"] as? [String: Any])
        #expect(created["ttl"] as? String == "2s")
        #expect(created["systemInstruction"] != nil)

        usleep(2_300_000)
        #expect(try ask(ttlDaemon, "third?").status == 200)
        seen = try requests(mock)
        #expect(seen.filter { ($0["path"] as? String) == "/v1beta/cachedContents" }.count == 2)
    }

    @Test func requestsWithoutBreakpointsAreNotCached() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        #expect(try ChatEndToEndTests.chat(daemon, model: "gemini/text", stream: false).status == 200)
        #expect(try requests(mock).filter { ($0["path"] as? String) == "/v1beta/cachedContents" }.isEmpty)
    }

    @Test func aRefusedCacheFallsBackToAnUncachedRequest() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let body: [String: Any] = [
            "model": "gemini/text+chunks=2", "stream": false,
            "messages": [
                ["role": "system", "content": [["type": "text", "text": "Tiny.", "cache": true]]],
                ["role": "user", "content": "hi"],
            ],
        ]
        let answer = try curl(
            daemon.baseURL + "/v1/chat",
            body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(answer.status == 200, "\(answer.body)")
        let seen = try requests(mock)
        #expect(seen.filter { ($0["path"] as? String) == "/v1beta/cachedContents" }.count == 1)
        let generate = try #require(
            seen.last { ($0["path"] as? String)?.contains(":generateContent") == true }?["body"] as? [String: Any])
        #expect(generate["cachedContent"] == nil)
        #expect(generate["systemInstruction"] != nil)
    }

    @Test func anEntryTheProviderForgotIsRecreated() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        #expect(try ask(daemon, "one?").status == 200)
        let name = try #require(
            (try requests(mock).last { ($0["path"] as? String)?.contains(":generateContent") == true }?["body"]
                as? [String: Any])?["cachedContent"] as? String)
        // The provider loses the entry behind the gateway's back.
        #expect(
            try curl(mock.baseURL + "/v1beta/\(name)", method: "DELETE", headers: ["x-goog-api-key": "test-key-gemini"])
                .status == 200)
        let again = try ask(daemon, "two?")
        #expect(again.status == 200, "\(again.body)")
        let seen = try requests(mock)
        #expect(
            seen.filter { ($0["path"] as? String) == "/v1beta/cachedContents" && ($0["method"] as? String) == "POST" }
                .count == 2)
        let last = try #require(
            seen.last { ($0["path"] as? String)?.contains(":generateContent") == true }?["body"] as? [String: Any])
        #expect(last["cachedContent"] as? String != name)
    }
}
