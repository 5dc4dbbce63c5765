import Foundation
import Testing

/// Issue 14 §1 through the real daemon and the emulator: named providers of every kind, base
/// URLs in the SDK and the bare form, OpenAI-compatible servers' quirks, Azure OpenAI.
@Suite("Provider reach, end to end")
struct ProviderReachEndToEndTests {
    static let keys = [
        "OPENAI_API_KEY": "test-key-openai", "ANTHROPIC_API_KEY": "test-key-anthropic",
        "GEMINI_API_KEY": "test-key-gemini", "AZURE_OPENAI_API_KEY": "test-key-azure",
    ]

    static func daemon(
        _ mock: SwitchboardProcess, _ providers: String,
        environment: [String: String] = [:]
    ) throws -> SwitchboardProcess {
        let (daemon, _) = try Launch.daemon(
            yaml: "providers:\n" + providers,
            environment: keys.merging(environment) { $1 })
        daemon.attachments.append(mock)
        return daemon
    }

    static func header(_ request: [String: Any], _ name: String) -> String? {
        (request["headers"] as? [String: Any] ?? [:]).first { $0.key.lowercased() == name }?.value as? String
    }

    /// Each kind's SDK form (`…/v1`, `…/v1beta`) and bare form reach the kind's exact path.
    @Test func baseURLsInTheSDKAndTheBareFormForEveryKind() throws {
        let mock = try Launch.mock()
        let m = mock.baseURL
        let daemon = try Self.daemon(
            mock,
            """
              oa-sdk: {kind: openai, base_url: "\(m)/v1", api_key_env: OPENAI_API_KEY}
              oa-bare: {kind: openai, base_url: "\(m)", api_key_env: OPENAI_API_KEY}
              an-sdk: {kind: anthropic, base_url: "\(m)/v1", api_key_env: ANTHROPIC_API_KEY}
              an-bare: {kind: anthropic, base_url: "\(m)/", api_key_env: ANTHROPIC_API_KEY}
              ge-sdk: {kind: gemini, base_url: "\(m)/v1beta", api_key_env: GEMINI_API_KEY}
              ge-bare: {kind: gemini, base_url: "\(m)", api_key_env: GEMINI_API_KEY}
            """)
        let expected = [
            "oa": "/v1/chat/completions", "an": "/v1/messages",
            "ge": "/v1beta/models/text%2Brun%3D%@:generateContent",
        ]
        for name in ["oa-sdk", "oa-bare", "an-sdk", "an-bare", "ge-sdk", "ge-bare"] {
            let run = "reach-\(name)"
            let response = try ChatEndToEndTests.chat(daemon, model: "\(name)/text+run=\(run)", stream: false)
            #expect(response.status == 200, "\(name): \(response.body)")
            #expect(response.headers["x-switchboard-provider"] == name)
            let received = try #require(
                try ChatEndToEndTests.mockRequests(mock, run: run).last,
                "\(name) reached no route")
            let path = expected[String(name.prefix(2))]!.replacingOccurrences(of: "%@", with: run)
            #expect(received["path"] as? String == path, "\(name)")
        }
    }

    /// DeepSeek-like (reasoning_content, no stream_options, max_tokens) and Ollama-like
    /// (reasoning, no key) servers, each declared by its compat block.
    @Test func compatQuirksThroughTheDaemon() throws {
        let mock = try Launch.mock()
        let m = mock.baseURL
        let daemon = try Self.daemon(
            mock,
            """
              deepseek: {kind: openai, base_url: "\(m)/compat/reasoning_content,no_stream_options,max_tokens/v1",
                         api_key_env: DEEPSEEK_API_KEY,
                         compat: {reasoning_field: reasoning_content, stream_options: false,
                                  max_tokens_field: max_tokens}}
              ollama: {kind: openai, base_url: "\(m)/compat/reasoning,keyless/v1", api_key_env: UNSET_OLLAMA_KEY,
                       compat: {reasoning_field: reasoning, requires_key: false}}
            """, environment: ["DEEPSEEK_API_KEY": "test-key-deepseek"])
        for name in ["deepseek", "ollama"] {
            let run = "quirk-\(name)"
            let model = "\(name)/thinking+thinking_chunks=2+chunks=3+run=\(run)"
            let response = try ChatEndToEndTests.chat(daemon, model: model, extra: #","max_tokens":50"#)
            #expect(response.status == 200, "\(name): \(response.body)")
            let events = sseEvents(response.body)
            #expect(events.filter { $0.event == "thinking" }.count == 2, "\(name): \(response.body)")
            #expect(events.filter { $0.event == "text" }.count == 3)
            #expect(events.last?.event == "done")
            let received = try #require(try ChatEndToEndTests.mockRequests(mock, run: run).last)
            let body = received["body"] as? [String: Any] ?? [:]
            if name == "deepseek" {
                #expect(body["max_tokens"] as? Int == 50)
                #expect(body["max_completion_tokens"] == nil)
                #expect(body["stream_options"] == nil)
                #expect(Self.header(received, "authorization") == "Bearer test-key-deepseek")
            } else {
                #expect(body["max_completion_tokens"] as? Int == 50)
                #expect(Self.header(received, "authorization") == nil, "a keyless server gets no Authorization")
            }
        }
        // The same quirky server without its declaration refuses what OpenAI takes.
        let undeclared = try Self.daemon(
            mock,
            """
              deepseek: {kind: openai, base_url: "\(m)/compat/no_stream_options/v1", api_key_env: DEEPSEEK_API_KEY}
            """, environment: ["DEEPSEEK_API_KEY": "k"])
        let refused = try ChatEndToEndTests.chat(undeclared, model: "deepseek/text+run=quirk-undeclared")
        #expect(refused.status == 400, "\(refused.body)")
        #expect(refused.body.contains("Unrecognized request argument supplied: stream_options"), "\(refused.body)")
    }

    @Test func azureDeploymentPathV1PathAndContentFilter() throws {
        let mock = try Launch.mock()
        let m = mock.baseURL
        let daemon = try Self.daemon(
            mock,
            """
              azure: {kind: azure_openai, base_url: "\(m)", api_version: "2024-10-21", retry: {attempts: 1},
                     api_key_env: AZURE_OPENAI_API_KEY}
              azure-v1: {kind: azure_openai, base_url: "\(m)/openai/v1/", auth: bearer, api_key_env: AZURE_TOKEN}
            """, environment: ["AZURE_TOKEN": "test-token-azure"])
        let plain = try ChatEndToEndTests.chat(daemon, model: "azure/text+chunks=2+run=az1")
        #expect(plain.status == 200, "\(plain.body)")
        let events = sseEvents(plain.body)
        #expect(events.filter { $0.event == "text" }.count == 2)
        // Azure's leading prompt-filter chunk (no id, no model) does not start the answer.
        #expect(events.first?.event == "start")
        #expect(jsonObject(events.first?.data ?? "")?["model"] as? String == "text+chunks=2+run=az1", "\(plain.body)")
        let first = try #require(try ChatEndToEndTests.mockRequests(mock, run: "az1").last)
        #expect(first["path"] as? String == "/openai/deployments/text%2Bchunks%3D2%2Brun%3Daz1/chat/completions")
        #expect(first["query"] as? String == "api-version=2024-10-21")
        #expect(Self.header(first, "api-key") == "test-key-azure")
        #expect(Self.header(first, "authorization") == nil)

        let v1 = try ChatEndToEndTests.chat(daemon, model: "azure-v1/text+run=az2", stream: false)
        #expect(v1.status == 200, "\(v1.body)")
        let second = try #require(try ChatEndToEndTests.mockRequests(mock, run: "az2").last)
        #expect(second["path"] as? String == "/openai/v1/chat/completions")
        #expect(Self.header(second, "authorization") == "Bearer test-token-azure")
        #expect((second["body"] as? [String: Any])?["model"] as? String == "text+run=az2")

        let filtered = try ChatEndToEndTests.chat(daemon, model: "azure/text+filter=1+run=az3")
        let done = try #require(sseEvents(filtered.body).last)
        #expect(done.event == "done")
        #expect(jsonObject(done.data)?["finish_reason"] as? String == "content_filter", "\(filtered.body)")

        let prompt = try ChatEndToEndTests.chat(daemon, model: "azure/text+filter=prompt+run=az4", stream: false)
        #expect(prompt.status == 400, "\(prompt.body)")
        #expect(prompt.body.contains("content filter: violence (medium)"), "\(prompt.body)")
    }
}
