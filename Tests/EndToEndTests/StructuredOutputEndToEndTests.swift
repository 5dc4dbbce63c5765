import Foundation
import Testing

/// Issue 11: a JSON-schema request returns schema-valid JSON from every provider behind every
/// door (the official SDKs as clients, jsonschema as the judge, the emulator checking each
/// provider-side request shape), and fields a provider cannot take are refused by name.
@Suite("Structured output and request fields, end to end")
struct StructuredOutputEndToEndTests {
    @Test func schemaValidJSONFromEveryProviderBehindEveryDoor() throws {
        let python = Repo.root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run `make setup-test` (make test does)")
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let script = Repo.root.appendingPathComponent("Tests/SDK/structured_output.py").path
        let result = try run(
            python, [script, daemon.baseURL], environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()],
            timeout: 180)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("60 passed, 0 failed"), "\(result.stdout)")
    }
}

/// A field the route's provider cannot take: on the first route a 400 naming field and
/// provider (no upstream call, no fallback); on a fallback, reached because earlier routes
/// failed, the route is skipped.
@Suite("Provider refusals and fallbacks, end to end")
struct ProviderRefusalEndToEndTests {
    func chat(_ daemon: SwitchboardProcess, _ body: String) throws -> CurlResponse {
        try curl(daemon.baseURL + "/v1/chat", headers: ["Content-Type": "application/json"], body: body)
    }

    @Test func theFirstRouteRefusesWithoutCallingAnyProvider() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let response = try chat(
            daemon,
            #"{"model":"anthropic/text+run=r1","stream":false,"seed":7,"#
                + #""fallbacks":["openai/text+run=r1"],"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(response.status == 400)
        let error = jsonObject(response.body)?["error"] as? [String: Any]
        #expect(error?["param"] as? String == "seed")
        #expect(error?["provider"] as? String == "anthropic")
        #expect(try curl(mock.baseURL + "/_mock/requests?run=r1").body == "[]")
    }

    @Test func aFallbackThatCannotTakeTheRequestIsSkipped() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let skipped = try chat(
            daemon,
            #"{"model":"openai/error+status=503","stream":false,"user":"u1","#
                + #""fallbacks":["gemini/text","anthropic/text+chunks=2"],"messages":[{"role":"user","content":"hi"}]}"#
        )
        #expect(skipped.status == 200, "\(skipped.body)")
        #expect(jsonObject(skipped.body)?["provider"] as? String == "anthropic")
        // With no route left the client hears why it got no answer: the provider failure.
        let exhausted = try chat(
            daemon,
            #"{"model":"openai/error+status=503","stream":false,"user":"u1","#
                + #""fallbacks":["gemini/text"],"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(exhausted.status == 503, "\(exhausted.body)")
    }
}
