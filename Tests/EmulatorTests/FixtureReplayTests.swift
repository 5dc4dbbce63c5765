import Foundation
import Testing

@Suite("Emulator: fixture replay")
struct FixtureReplayTests {
    static var cases: [String] {
        ["openai", "anthropic", "gemini"].flatMap { provider -> [String] in
            let files =
                (try? FileManager.default.contentsOfDirectory(atPath: "\(EmulatorHarness.fixtures)/\(provider)")) ?? []
            return files.filter { $0.hasSuffix(".sse") || $0.hasSuffix(".json") }.sorted().map { "\(provider)/\($0)" }
        }
    }

    @Test(arguments: cases)
    func replayIsByteExact(fixture: String) throws {
        let harness = try EmulatorHarness()
        let provider = String(fixture.split(separator: "/")[0])
        let file = String(fixture.split(separator: "/")[1])
        let stream = file.hasSuffix(".sse")
        let name = String(file.dropLast(stream ? 4 : 5))
        let model = "fixture=\(name)"
        let r: EmulatorHarness.Response =
            switch provider {
            case "openai": try harness.openAI(model, stream: stream)
            case "anthropic": try harness.anthropic(model, stream: stream)
            default: try harness.gemini(model, stream: stream)
            }
        #expect(r.status == 200)
        #expect(r.body == EmulatorHarness.fixture(provider, file))
    }

    @Test func pacedReplayIsStillByteExact() throws {
        let harness = try EmulatorHarness()
        let r = try harness.anthropic("fixture=messages-stream-tool-use.docs+interval_ms=1")
        #expect(r.body == EmulatorHarness.fixture("anthropic", "messages-stream-tool-use.docs.sse"))
    }

    @Test func unknownFixtureIs404WithAnExplanation() throws {
        let harness = try EmulatorHarness()
        for model in ["fixture=nope", "fixture=../openai/chat-stream-text-usage"] {
            let r = try harness.openAI(model)
            #expect(r.status == 404)
            #expect(r.json?["error"]?["message"]?.stringValue?.contains("fixture") == true)
        }
        let noDirectory = try EmulatorHarness(fixtures: nil)
        #expect(try noDirectory.openAI("fixture=chat-stream-text-usage").status == 404)
        // Without captures the built-in error bodies keep the providers' shapes.
        #expect(
            try noDirectory.openAI("text", key: "bad-key").json?["error"]?["code"]?.stringValue == "invalid_api_key")
        #expect(
            try noDirectory.gemini("text", key: "bad-key").json?["error"]?["details"]?[0]?["reason"]?.stringValue
                == "API_KEY_INVALID")
    }
}
