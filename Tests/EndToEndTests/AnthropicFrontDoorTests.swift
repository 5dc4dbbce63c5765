import Foundation
import Testing

/// `/v1/messages`: Anthropic's wire format in and out, any provider behind it.
@Suite("Anthropic-compatible front door, end to end")
struct AnthropicFrontDoorTests {
    @Test func theOfficialSDKWorksUnchangedForEveryProvider() throws {
        let python = Repo.root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run `make setup-test` (make test does)")
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let script = Repo.root.appendingPathComponent("Tests/SDK/anthropic_front_door.py").path
        let result = try run(
            python, [script, daemon.baseURL], environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()],
            timeout: 120)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("29 passed, 0 failed"), "\(result.stdout)")
    }

    @Test func eventsAndErrorsFollowAnthropic() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let body = #"""
            {"model":"openai/text+chunks=2+input=50+cached=20","max_tokens":10,\#
            "stream":true,"messages":[{"role":"user","content":"hi"}]}
            """#
        let response = try curl(
            daemon.baseURL + "/v1/messages", headers: ["Content-Type": "application/json", "x-api-key": "x"], body: body
        )
        #expect(response.status == 200)
        let names = sseEvents(response.body).map(\.event)
        #expect(
            names == [
                "message_start", "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop",
            ])
        let delta = try #require(jsonObject(sseEvents(response.body)[5].data)?["usage"] as? [String: Any])
        // Anthropic's input_tokens excludes cache reads.
        #expect(delta["input_tokens"] as? Int == 30)
        #expect(delta["cache_read_input_tokens"] as? Int == 20)
        let error = try curl(
            daemon.baseURL + "/v1/messages",
            body: #"{"model":"nope","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(error.status == 404)
        #expect(jsonObject(error.body)?["type"] as? String == "error")
        #expect((jsonObject(error.body)?["error"] as? [String: Any])?["type"] as? String == "not_found_error")
    }
}
