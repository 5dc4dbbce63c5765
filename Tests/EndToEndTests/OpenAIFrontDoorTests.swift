import Foundation
import Testing

/// `/v1/chat/completions`: OpenAI's wire format in and out, any provider behind it.
@Suite("OpenAI-compatible front door, end to end")
struct OpenAIFrontDoorTests {
    @Test func theOfficialSDKWorksUnchangedForEveryProvider() throws {
        let python = Repo.root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run `make setup-test` (make test does)")
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let script = Repo.root.appendingPathComponent("Tests/SDK/openai_front_door.py").path
        let result = try run(
            python, [script, daemon.baseURL], environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()],
            timeout: 120)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("30 passed, 0 failed"), "\(result.stdout)")
    }

    @Test func streamFramingAndErrorsFollowOpenAI() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let body = #"""
            {"model":"gemini/text+chunks=2","stream":true,\#
            "stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}
            """#
        let response = try curl(
            daemon.baseURL + "/v1/chat/completions", headers: ["Content-Type": "application/json"], body: body)
        #expect(response.status == 200)
        let lines = response.body.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(lines.allSatisfy { $0.hasPrefix("data: ") })
        #expect(lines.last == "data: [DONE]")
        let usage = try #require(jsonObject(String(lines[lines.count - 2].dropFirst(6))))
        #expect((usage["choices"] as? [Any])?.isEmpty == true)
        #expect((usage["usage"] as? [String: Any])?["completion_tokens"] as? Int == 2)
        let error = try curl(
            daemon.baseURL + "/v1/chat/completions",
            body: #"{"model":"openai/x","messages":[{"role":"user","content":"hi"}],"n":2}"#)
        #expect(error.status == 400)
        #expect((jsonObject(error.body)?["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
        #expect((jsonObject(error.body)?["error"] as? [String: Any])?["param"] as? String == "n")
    }

    /// `"stream": null` is OpenAI's default like an absent `stream` (one JSON answer), not the
    /// unified API's default (a stream).
    @Test func nullStreamAnswersOneJSONObject() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let body = #"{"model":"openai/text","stream":null,"messages":[{"role":"user","content":"hi"}]}"#
        let response = try curl(
            daemon.baseURL + "/v1/chat/completions", headers: ["Content-Type": "application/json"], body: body)
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
        #expect(jsonObject(response.body)?["object"] as? String == "chat.completion")
    }
}
