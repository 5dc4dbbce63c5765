import Foundation
import JSON
import Testing

/// `echo_key=1`: errors quote the key the request carried, each provider in its own words,
/// so gateway tests can prove the key never gets further.
@Suite("Emulator key echo")
struct KeyEchoTests {
    static let key = "sk-proj-ECHO/key+1=="

    static func send(
        _ harness: EmulatorHarness, _ provider: String, _ model: String,
        stream: Bool = false
    ) throws -> EmulatorHarness.Response {
        switch provider {
        case "openai": return try harness.openAI(model, stream: stream, key: key)
        case "anthropic": return try harness.anthropic(model, stream: stream, key: key)
        default: return try harness.gemini(model, stream: stream, key: key)
        }
    }

    @Test(arguments: ["openai", "anthropic", "gemini"])
    func errorsQuoteTheKeyOnlyWhenAsked(provider: String) throws {
        let harness = try EmulatorHarness()
        for status in [400, 401, 403, 429, 500] {
            let echoed = try Self.send(harness, provider, "error+status=\(status)+retry_after=0+echo_key=1")
            #expect(echoed.status == status)
            let message = echoed.json?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains(Self.key), "\(provider) \(status): \(echoed.text)")
            let plain = try Self.send(harness, provider, "error+status=\(status)+retry_after=0")
            #expect(!plain.text.contains("ECHO"), "\(provider) \(status): \(plain.text)")
        }
        let midstream = try Self.send(harness, provider, "midstream_error+echo_key=1", stream: true)
        #expect(midstream.status == 200)
        let errors = midstream.eventJSON.compactMap { $0["error"]?["message"]?.stringValue }
        #expect(errors.count == 1 && errors[0].contains(Self.key), "\(provider): \(midstream.text)")
    }

    @Test func openAIsEchoIsTheWordingOfIts401AndA429Header() throws {
        let harness = try EmulatorHarness()
        let unauthorized = try harness.openAI("error+status=401+echo_key=1", stream: false, key: Self.key)
        #expect(
            unauthorized.json?["error"]?["message"]?.stringValue?.hasPrefix("Incorrect API key provided: \(Self.key).")
                == true)
        let limited = try harness.openAI("error+status=429+retry_after=0+echo_key=1", stream: false, key: Self.key)
        #expect(limited.headers["x-ratelimit-key"] == Self.key)
    }

    @Test func geminiTakesTheKeyFromTheQueryAndQuotesItPercentEncodedToo() throws {
        let harness = try EmulatorHarness()
        let r = try harness.request(
            "POST",
            "/v1beta/models/error%2Bstatus%3D500%2Becho_key%3D1:generateContent?key="
                + "sk-proj-ECHO%2Fkey%2B1%3D%3D", body: #"{"contents":[]}"#)
        let message = r.json?["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("key=\(Self.key);"), "\(r.text)")
        #expect(message.contains("?key=sk-proj-ECHO%2Fkey%2B1%3D%3D)"), "\(r.text)")
    }
}
