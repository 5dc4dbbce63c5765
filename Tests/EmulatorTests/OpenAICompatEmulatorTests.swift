import Foundation
import Testing

/// The emulator playing OpenAI-compatible servers (`/compat/<quirks>/v1/…`) and Azure OpenAI.
@Suite("Emulator: OpenAI-compatible servers and Azure")
struct OpenAICompatEmulatorTests {
    static func body(_ model: String, stream: Bool, extra: String = "") -> String {
        #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}],"stream":\#(stream)\#(extra)}"#
    }

    @Test func reasoningStreamsInTheDeclaredField() throws {
        let harness = try EmulatorHarness()
        let auth = ["Authorization": "Bearer k"]
        for field in ["reasoning_content", "reasoning"] {
            let path = "/compat/\(field)/v1/chat/completions"
            let streamed = try harness.request(
                "POST", path, headers: auth,
                body: Self.body("thinking+thinking_chunks=2", stream: true))
            #expect(streamed.status == 200)
            #expect(streamed.text.contains(#"{"\#(field)":"t0"}"#), "\(streamed.text)")
            #expect(streamed.text.contains(#"{"\#(field)":" t1"}"#))
            let whole = try harness.request(
                "POST", path, headers: auth,
                body: Self.body("thinking+thinking_chunks=2", stream: false))
            let object = try JSONSerialization.jsonObject(with: Data(whole.body)) as? [String: Any]
            let message = ((object?["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any]
            #expect(message?[field] as? String == "t0 t1", "\(whole.text)")
        }
        let plain = try harness.openAI("thinking+thinking_chunks=2")
        #expect(!plain.text.contains("reasoning"), "OpenAI itself streams no reasoning text")
    }

    @Test func refusalsKeysAndUnknownQuirks() throws {
        let harness = try EmulatorHarness()
        let auth = ["Authorization": "Bearer k"]
        let options = #","stream_options":{"include_usage":true}"#
        let refused = try harness.request(
            "POST", "/compat/no_stream_options/v1/chat/completions", headers: auth,
            body: Self.body("text", stream: true, extra: options))
        #expect(refused.status == 400)
        #expect(refused.text.contains("Unrecognized request argument supplied: stream_options"))
        let tokens = try harness.request(
            "POST", "/compat/max_tokens/v1/chat/completions", headers: auth,
            body: Self.body("text", stream: false, extra: #","max_completion_tokens":5"#))
        #expect(tokens.status == 400)
        #expect(tokens.text.contains("max_completion_tokens"))
        let keyless = try harness.request(
            "POST", "/compat/keyless/v1/chat/completions",
            body: Self.body("text", stream: false))
        #expect(keyless.status == 200)
        let keyed = try harness.request(
            "POST", "/compat/reasoning/v1/chat/completions",
            body: Self.body("text", stream: false))
        #expect(keyed.status == 401)
        let unknown = try harness.request(
            "POST", "/compat/telepathy/v1/chat/completions", headers: auth,
            body: Self.body("text", stream: false))
        #expect(unknown.status == 404)
        #expect(unknown.text.contains("telepathy"))
    }

    @Test func azurePathsKeysAndContentFilter() throws {
        let harness = try EmulatorHarness()
        let key = ["api-key": "k"]
        let path = "/openai/deployments/gpt-4o-mini/chat/completions"
        let noVersion = try harness.request("POST", path, headers: key, body: Self.body("text", stream: false))
        #expect(noVersion.status == 404)
        let ok = try harness.request(
            "POST", path + "?api-version=2024-10-21", headers: key,
            body: Self.body("text", stream: false))
        #expect(ok.status == 200, "\(ok.text)")
        let v1 = try harness.request(
            "POST", "/openai/v1/chat/completions", headers: ["Authorization": "Bearer t"],
            body: Self.body("text", stream: false))
        #expect(v1.status == 200)
        let noKey = try harness.request("POST", "/openai/v1/chat/completions", body: Self.body("text", stream: false))
        #expect(noKey.status == 401)
        let filtered = try harness.request(
            "POST", "/openai/v1/chat/completions", headers: key,
            body: Self.body("text+filter=1", stream: true))
        #expect(filtered.text.contains(#""finish_reason":"content_filter""#))
        #expect(filtered.text.contains("prompt_filter_results"))
        let prompt = try harness.request(
            "POST", "/openai/v1/chat/completions", headers: key,
            body: Self.body("text+filter=prompt", stream: false))
        #expect(prompt.status == 400)
        #expect(prompt.text.contains("ResponsibleAIPolicyViolation"))
    }
}
