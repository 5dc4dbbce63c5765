import Foundation
import Testing

/// Issue 10 §1, the rest of the binary: the emulator (same executable as the daemon) must not
/// trap on hostile model-name options, and extreme configuration numbers are refused with a
/// clear message by `config check` and by `serve`, never a crash.
@Suite("Extreme numbers for the emulator and the configuration, end to end")
struct EmulatorAndConfigNumbersEndToEndTests {
    static let values = [
        "9223372036854775807", "-9223372036854775808", "1e300", "-1e300", "99999999999999999999999", "abc",
    ]

    /// The emulator's request for `model` on `provider`'s route, streamed; the answer may be cut
    /// short by `maxTime` (a clamped hour-long delay is still an hour).
    static func ask(_ mock: SwitchboardProcess, provider: String, model: String, maxTime: Double) throws -> CurlResponse
    {
        let escaped = model.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? model
        switch provider {
        case "anthropic":
            return try curl(
                mock.baseURL + "/v1/messages",
                headers: [
                    "x-api-key": "k", "anthropic-version": "2023-06-01", "Content-Type": "application/json",
                ],
                body:
                    #"{"model":"\#(model)","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}],"#
                    + #""tools":[{"name":"get_weather","input_schema":{"type":"object"}}]}"#, timeout: maxTime)
        case "gemini":
            return try curl(
                mock.baseURL + "/v1beta/models/\(escaped):streamGenerateContent?alt=sse",
                headers: ["x-goog-api-key": "k", "Content-Type": "application/json"],
                body: #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#, timeout: maxTime)
        default:
            return try curl(
                mock.baseURL + "/v1/chat/completions",
                headers: ["Authorization": "Bearer k", "Content-Type": "application/json"],
                body: #"{"model":"\#(model)","stream":true,"messages":[{"role":"user","content":"hi"}]}"#,
                timeout: maxTime)
        }
    }

    static func expectEmulatorServing(_ mock: SwitchboardProcess, after what: String) throws {
        // Alive first (a trap ends the process); then answering, allowing for a loop still busy
        // with the last (clamped but large) answer on a shared machine.
        try #require(mock.process.isRunning, "the emulator exited after \(what): \(mock.log().suffix(3000))")
        let health = try curl(mock.baseURL + "/_mock/health", timeout: 30)
        try #require(
            health.status == 200,
            "the emulator stopped after \(what): \(mock.log().suffix(3000))")
    }

    @Test(arguments: ["openai", "anthropic", "gemini"])
    func hostileOptionsDoNotStopTheEmulator(provider: String) throws {
        let mock = try Launch.mock()
        // Option → the scenario it shapes.
        let options = [
            ("chunks", "text"), ("after", "disconnect"), ("after", "midstream_error"), ("thinking_chunks", "thinking"),
            ("calls", "tools"), ("interval_ms", "text"), ("delay_ms", "text"), ("status", "error"),
            ("retry_after", "error+status=429"), ("input", "text"), ("output", "text"), ("cached", "text"),
            ("reasoning", "thinking"), ("cache_write", "text"), ("tool_turns", "tools"),
            ("error_after_turns", "text"), ("fail", "text"),
        ]
        for (option, scenario) in options {
            for value in Self.values {
                // Counts and waits that are clamped, not refused, can be long: a second is enough to
                // show the emulator took the option without trapping.
                let model = "\(scenario)+\(option)=\(value)"
                _ = try Self.ask(mock, provider: provider, model: model, maxTime: 1)
                try Self.expectEmulatorServing(mock, after: "\(provider) \(model)")
            }
        }
        for value in ["9223372036854775807x9223372036854775807", "-9223372036854775808x-1", "1e300x1", "99999x2"] {
            _ = try Self.ask(mock, provider: provider, model: "text+fail=\(value)+run=f\(value)", maxTime: 1)
            try Self.expectEmulatorServing(mock, after: "fail=\(value)")
        }
        for limit in Self.values + ["-1", "0"] {
            #expect(try curl(mock.baseURL + "/_mock/requests?limit=\(limit)").status == 200)
            try Self.expectEmulatorServing(mock, after: "limit=\(limit)")
        }
    }

    @Test func hostileCacheLifetimesDoNotStopTheEmulator() throws {
        let mock = try Launch.mock()
        let contents = String(repeating: "a long enough prefix to cache ", count: 10)
        for ttl in [
            "1e300s", "9223372036854775807s", "-1s", "infs", "nans", "99999999999999999999999s", "315576000000s",
        ] {
            let response = try curl(
                mock.baseURL + "/v1beta/cachedContents",
                headers: ["x-goog-api-key": "k", "Content-Type": "application/json"],
                body: #"""
                    {"model":"models/text","ttl":"\#(ttl)",\#
                    "contents":[{"role":"user","parts":[{"text":"\#(contents)"}]}]}
                    """#)
            #expect([200, 400].contains(response.status), "ttl \(ttl): \(response.body)")
            try Self.expectEmulatorServing(mock, after: "ttl \(ttl)")
        }
    }

    // MARK: Configuration

    /// (dotted key, the file's line) for numbers no key's range holds.
    static let fileCases: [(key: String, yaml: String)] = [
        ("server.header_timeout_s", "server:\n  header_timeout_s: 1e300"),
        ("server.idle_timeout_s", "server:\n  idle_timeout_s: 9223372036854775807"),
        ("server.max_body_bytes", "server:\n  max_body_bytes: 99999999999999999999999"),
        ("keep_alive_s", "keep_alive_s: -1e300"),
        ("chat_loops.retention_s", "chat_loops:\n  retention_s: .inf"),
        ("providers.openai.timeouts.first_byte_s", "providers:\n  openai:\n    timeouts:\n      first_byte_s: 1e400"),
        ("providers.openai.cache_ttl_s", "providers:\n  openai:\n    cache_ttl_s: -9223372036854775808"),
        ("providers.openai.retry.cap_ms", "providers:\n  openai:\n    retry:\n      cap_ms: 1e300"),
    ]
    static let environmentCases: [(key: String, name: String, value: String)] = [
        ("server.shutdown_grace_s", "SWITCHBOARD_SERVER_SHUTDOWN_GRACE_S", "1e300"),
        (
            "providers.gemini.limits.queue_timeout_s", "SWITCHBOARD_PROVIDERS_GEMINI_LIMITS_QUEUE_TIMEOUT_S",
            "9223372036854775807"
        ),
        ("providers.anthropic.limits.tpm", "SWITCHBOARD_PROVIDERS_ANTHROPIC_LIMITS_TPM", "99999999999999999999999"),
        ("server.loops", "SWITCHBOARD_SERVER_LOOPS", "9223372036854775807"),
        ("listen", "SWITCHBOARD_LISTEN", "127.0.0.1:9223372036854775807"),
        ("chat_loops.max_total", "SWITCHBOARD_CHAT_LOOPS_MAX_TOTAL", "-9223372036854775808"),
    ]

    func expectRefused(_ args: [String], environment: [String: String], key: String) throws {
        let env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "OPENAI_API_KEY": "k"]
            .merging(environment) { $1 }
        let result = try run(Repo.binary, args, environment: env, timeout: 30)
        // Exit status 1 with the reason, never a signal (a trap is SIGILL or SIGTRAP).
        #expect(result.status == 1, "\(args) \(environment): status \(result.status) \(result.stderr)")
        #expect(
            result.stderr.contains("invalid configuration") && result.stderr.contains("\(key): "),
            "\(args) \(environment): \(result.stderr)")
    }

    @Test func extremeNumbersInTheFileAreRefused() throws {
        let dir = TempDir()
        for (key, yaml) in Self.fileCases {
            let path = dir.write("config.yaml", "listen: 127.0.0.1:0\ndatabase: \(dir.path("db"))\n\(yaml)\n")
            try expectRefused(["config", "check", "--config", path], environment: [:], key: key)
            try expectRefused(["serve", "--config", path], environment: [:], key: key)
        }
    }

    @Test func extremeNumbersInTheEnvironmentAreRefused() throws {
        let dir = TempDir()
        let path = dir.write("config.yaml", "listen: 127.0.0.1:0\ndatabase: \(dir.path("db"))\n")
        for (key, name, value) in Self.environmentCases {
            try expectRefused(["config", "check", "--config", path], environment: [name: value], key: key)
            try expectRefused(["serve", "--config", path], environment: [name: value], key: key)
        }
    }
}
