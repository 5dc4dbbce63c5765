import Foundation
import Testing

/// Issue 10 §2: provider secrets never reach a client or a log. The emulator's `echo_key=1`
/// quotes the key it received in every error (as OpenAI-compatible servers and proxies do);
/// whatever the status, the door or the moment, the client and the daemon's stderr see
/// `[redacted]` instead.
@Suite("Secret scrubbing, end to end")
struct SecretScrubbingEndToEndTests {
    /// Real key shapes; "TESTSECRET" is in each, so a partial leak shows too.
    static let keys = [
        "openai": (env: "OPENAI_API_KEY", key: "sk-proj-TESTSECRETopenai0123456789abcdefghijklmnopqrstuvwxyz"),
        "anthropic": (env: "ANTHROPIC_API_KEY", key: "sk-ant-api03-TESTSECRETanthropic0123456789abcdefghijklmnop-AA"),
        "gemini": (env: "GEMINI_API_KEY", key: "AIzaSyTESTSECRETgemini0123456789abcdef"),
    ]

    /// Every way a client can ask: the unified API and both front doors, streamed or not.
    enum Door: String, CaseIterable {
        case chatStream, chat, completionsStream, completions, messagesStream, messages

        var stream: Bool { [.chatStream, .completionsStream, .messagesStream].contains(self) }

        func send(_ daemon: SwitchboardProcess, model: String) throws -> CurlResponse {
            let messages = #""messages":[{"role":"user","content":"hello"}]"#
            let (path, body): (String, String) =
                switch self {
                case .chatStream, .chat: ("/v1/chat", #"{"model":"\#(model)",\#(messages),"stream":\#(stream)}"#)
                case .completionsStream, .completions:
                    ("/v1/chat/completions", #"{"model":"\#(model)",\#(messages),"stream":\#(stream)}"#)
                case .messagesStream, .messages:
                    ("/v1/messages", #"{"model":"\#(model)","max_tokens":50,\#(messages),"stream":\#(stream)}"#)
                }
            return try curl(daemon.baseURL + path, headers: ["Content-Type": "application/json"], body: body)
        }
    }

    /// Upstream 400, 401, 403, 429, 5xx (after the retries), the in-stream error after content,
    /// and an in-stream error before any content.
    static let failures = [
        "error+status=400", "error+status=401", "error+status=403", "error+status=429+retry_after=0",
        "error+status=500", "error+status=503", "midstream_error", "midstream_error+after=0",
    ]

    /// What a client saw: status line fields, every header, the body.
    static func seen(_ response: CurlResponse) -> String {
        response.headers.map { "\($0.key): \($0.value)" }.sorted().joined(separator: "\n") + "\n\n" + response.body
    }

    @Test(arguments: ["openai", "anthropic", "gemini"])
    func aProviderKeyNeverReachesTheClientOrTheLog(provider: String) throws {
        let (env, key) = Self.keys[provider]!
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock, environment: [env: key])
        for failure in Self.failures {
            for door in Door.allCases {
                let response = try door.send(daemon, model: "\(provider)/\(failure)+echo_key=1")
                let seen = Self.seen(response)
                let what = "\(provider) \(failure) \(door.rawValue): \(response.status)\n\(seen)"
                #expect(!seen.contains("TESTSECRET"), "\(what)")
                // The echo reached the gateway and was blanked: the case was not vacuous.
                #expect(seen.contains("[redacted]"), "\(what)")
                #expect(response.status >= 400 || seen.contains("error"), "\(what)")
            }
        }
        let log = daemon.log()
        #expect(!log.contains("TESTSECRET"), "\(log)")
        #expect(log.contains("upstream attempt failed") && log.contains("[redacted]"), "\(log)")
        #expect(log.contains("upstream stream failed"), "\(log)")
    }

    @Test func aRateLimitHeaderQuotingTheKeyIsScrubbed() throws {
        let (env, key) = Self.keys["openai"]!
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock, environment: [env: key])
        let response = try Door.chat.send(daemon, model: "openai/error+status=429+retry_after=0+echo_key=1")
        #expect(response.status == 429)
        #expect(response.headers["x-ratelimit-key"] == "[redacted]", "\(Self.seen(response))")
    }

    /// A key that is not key-shaped (only the configured-secret rule catches it), with characters
    /// that percent-encoding changes: Gemini's echo quotes it raw and in a URL. A reload that
    /// names another key variable makes the new key a secret of responses and log lines alike.
    @Test func aSecretOfAnyShapeIsScrubbedAlsoURLEncodedAndAfterAReload() throws {
        let first = "gm/TESTSECRET+first=="
        let second = "gm/TESTSECRET+second=="
        let mock = try Launch.mock()
        func yaml(_ keyEnv: String) -> String {
            """
            providers:
              gemini: {base_url: "\(mock.baseURL)", api_key_env: \(keyEnv),
                       retry: {attempts: 2, base_ms: 10, cap_ms: 50}}
            """
        }
        let (daemon, configPath) = try Launch.daemon(
            yaml: yaml("GEMINI_API_KEY"),
            environment: ["GEMINI_API_KEY": first, "OTHER_GEMINI_KEY": second])
        func check(_ run: String, sentKey: String) throws {
            for failure in ["error+status=401", "error+status=500", "midstream_error"] {
                for door in [Door.chatStream, .completions, .messagesStream] {
                    let response = try door.send(daemon, model: "gemini/\(failure)+echo_key=1+run=\(run)")
                    let seen = Self.seen(response)
                    #expect(!seen.contains("TESTSECRET"), "\(failure) \(door.rawValue): \(seen)")
                    #expect(seen.contains("[redacted]"), "\(failure) \(door.rawValue): \(seen)")
                }
            }
            let sent = try ChatEndToEndTests.mockRequests(mock, run: run)
            let keys = sent.compactMap { ($0["headers"] as? [String: Any])?["x-goog-api-key"] as? String }
            #expect(!keys.isEmpty && keys.allSatisfy { $0 == sentKey }, "\(sent.first ?? [:])")
        }
        try check("before", sentKey: first)

        var config = try String(contentsOfFile: configPath, encoding: .utf8)
        config = config.replacingOccurrences(of: "api_key_env: GEMINI_API_KEY", with: "api_key_env: OTHER_GEMINI_KEY")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !daemon.log().contains("configuration reloaded") { usleep(20_000) }
        try #require(daemon.log().contains("configuration reloaded"))
        try check("after", sentKey: second)

        let log = daemon.log()
        #expect(!log.contains("TESTSECRET"), "\(log)")
        #expect(log.contains("[redacted]"), "\(log)")
    }
}
