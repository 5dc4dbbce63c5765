import Foundation
import Testing
@testable import Gateway

@Suite("Configuration")
struct ConfigurationTests {
    static func file(_ text: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-config-\(UUID().uuidString).yaml")
            .path
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func problems(_ path: String?, _ env: [String: String] = [:]) -> [String] {
        do {
            _ = try GatewayConfiguration.load(path: path, environment: env, defaultPath: "/nonexistent")
            return []
        } catch {
            return error.problems
        }
    }

    @Test func embeddedDefaultFollowsTheKeyVariables() throws {
        let none = try GatewayConfiguration.load(path: nil, environment: [:], defaultPath: "/nonexistent")
        #expect(none.source == .embedded)
        #expect(none.listen == .init(host: "127.0.0.1", port: 8080))
        #expect(none.database == "./switchboard.db")
        #expect(none.providers.values.allSatisfy { !$0.enabled })
        let some = try GatewayConfiguration.load(
            path: nil,
            environment: [
                "OPENAI_API_KEY": "sk-1", "OPENAI_BASE_URL": "http://127.0.0.1:9", "STATE_DIRECTORY": "/var/lib/sb",
            ], defaultPath: "/nonexistent")
        #expect(some.providers["openai"]?.enabled == true)
        #expect(some.providers["openai"]?.apiKey == "sk-1")
        #expect(some.providers["openai"]?.baseURL == "http://127.0.0.1:9")
        #expect(some.providers["anthropic"]?.enabled == false)
        #expect(some.database == "/var/lib/sb/switchboard.db")
    }

    @Test func fullFileAndEnvironmentOverrides() throws {
        let path = Self.file(
            """
            listen: 127.0.0.1:9000
            log_level: debug
            server: {max_body_bytes: 65536, header_timeout_s: 2.5}
            providers:
              openai: {base_url: "http://up:1", api_key_env: MY_OPENAI, retry: {attempts: 5}}
            models:
              fast: {provider: openai, model: gpt-4o-mini}
              slow: {provider: openai, model: o3, fallbacks: [fast]}
            """)
        let config = try GatewayConfiguration.load(
            path: path,
            environment: [
                "MY_OPENAI": "secret-value", "SWITCHBOARD_LISTEN": "127.0.0.1:9100",
                "SWITCHBOARD_PROVIDERS_OPENAI_TIMEOUTS_FIRST_BYTE_S": "7.5", "SWITCHBOARD_SERVER_MAX_CONNECTIONS": "12",
            ])
        #expect(config.source == .file(path))
        #expect(config.listen.port == 9100)
        #expect(config.logLevel == "debug")
        #expect(config.server.maxBodyBytes == 65536)
        #expect(config.server.headerTimeoutSeconds == 2.5)
        #expect(config.server.maxConnections == 12)
        #expect(config.providers["openai"]?.retry.attempts == 5)
        #expect(config.providers["openai"]?.timeouts.firstByteSeconds == 7.5)
        #expect(config.providers["gemini"]?.enabled == false)
        #expect(config.models["slow"]?.fallbacks == ["fast"])
        let printed = config.redactedDescription()
        #expect(!printed.contains("secret-value"))
        #expect(printed.contains("api_key_env: MY_OPENAI  # set"))
    }

    @Test func everyProblemNamesItsPlaceKeyAndIssue() {
        let path = Self.file(
            """
            listen: nowhere
            log_levle: debug
            server: {max_body_bytes: 12, loops: many}
            providers:
              openai: {api_key_env: MISSING_KEY}
              cohere: {}
            models:
              a: {provider: gemini, model: x, fallbacks: [ghost]}
            """)
        let found = problems(path, ["SWITCHBOARD_SERVER_IDLE_TIMEOUT_S": "soon"])
        let name = (path as NSString).lastPathComponent
        func has(_ fragments: String...) -> Bool { found.contains { p in fragments.allSatisfy { p.contains($0) } } }
        #expect(has(name, "listen", "host:port"))
        #expect(has(name, ":2:", "log_levle", "did you mean log_level"))
        #expect(has("server.max_body_bytes", "between"))
        #expect(has("server.loops", "whole number"))
        #expect(has("providers.openai.api_key_env", "MISSING_KEY", "not set"))
        #expect(has("providers.cohere.kind", "required"))
        #expect(has("models.a.provider", "gemini", "not configured"))
        #expect(has("models.a.fallbacks", "ghost"))
        #expect(has("SWITCHBOARD_SERVER_IDLE_TIMEOUT_S", "soon"))
        #expect(found.count >= 9)
    }

    @Test func chatLoopLimitsFromFileAndEnvironment() throws {
        let path = Self.file("chat_loops: {max_per_key: 2, retention_s: 1.5}\n")
        let loaded = try GatewayConfiguration.load(
            path: path, environment: ["SWITCHBOARD_CHAT_LOOPS_MAX_TOTAL": "7"],
            defaultPath: "/nonexistent")
        #expect(loaded.chatLoops.maxPerKey == 2)
        #expect(loaded.chatLoops.maxTotal == 7)
        #expect(loaded.chatLoops.retentionSeconds == 1.5)
        #expect(loaded.redactedDescription().contains("chat_loops: {max_per_key: 2, max_total: 7, retention_s: 1.5}"))
        let defaults = try GatewayConfiguration.load(path: nil, environment: [:], defaultPath: "/nonexistent")
        #expect(defaults.chatLoops == LoopLimits())
        let bad = problems(Self.file("chat_loops:\n  max_per_key: 0\n  max_totl: 3\n"))
        #expect(bad.contains { $0.contains("chat_loops.max_per_key: must be between 1") })
        #expect(bad.contains { $0.contains("chat_loops.max_totl: unknown key (did you mean chat_loops.max_total?)") })
    }

    @Test func theRetryWaitBoundIsConfigurableAndRangeChecked() throws {
        let path = Self.file("providers:\n  gemini: {retry: {max_wait_ms: 1500}}\n")
        let environment = ["GEMINI_API_KEY": "g", "SWITCHBOARD_PROVIDERS_OPENAI_RETRY_MAX_WAIT_MS": "0"]
        let loaded = try GatewayConfiguration.load(path: path, environment: environment, defaultPath: "/nonexistent")
        #expect(loaded.providers["gemini"]?.retry.maxWaitMilliseconds == 1500)
        #expect(loaded.providers["openai"]?.retry.maxWaitMilliseconds == 0)
        #expect(loaded.providers["anthropic"]?.retry.maxWaitMilliseconds == 5000)
        #expect(loaded.redactedDescription().contains("max_wait_ms: 1500}"))
        for bad in ["-1", "600001", "99999999999999999999", "soon"] {
            let found = problems(Self.file("providers:\n  gemini: {retry: {max_wait_ms: \(bad)}}\n"))
            #expect(found.contains { $0.contains("providers.gemini.retry.max_wait_ms") }, "\(bad): \(found)")
        }
    }

    @Test func aBaseURLPasswordIsMaskedInTheDescription() throws {
        #expect(
            GatewayConfiguration.maskingPassword("https://user:s3cret@proxy.example:8443/v1?x=1")
                == "https://user:***@proxy.example:8443/v1?x=1")
        #expect(GatewayConfiguration.maskingPassword("http://127.0.0.1:9000") == "http://127.0.0.1:9000")
        #expect(GatewayConfiguration.maskingPassword("http://user@host/a:b@c") == "http://user@host/a:b@c")
        let path = Self.file("providers:\n  openai:\n    base_url: https://me:s3cret@proxy.example/v1\n")
        let loaded = try GatewayConfiguration.load(
            path: path, environment: ["OPENAI_API_KEY": "sk-x"], defaultPath: "/nonexistent")
        let text = loaded.redactedDescription()
        #expect(!text.contains("s3cret"))
        #expect(text.contains("https://me:***@proxy.example  #"), "the SDK form's /v1 is the adapter's to add")
    }

    @Test func yamlSyntaxErrorsCarryALine() {
        let found = problems(Self.file("listen: [unclosed\nlog_level: info\n"))
        #expect(found.count == 1)
        #expect(found.first?.contains("YAML syntax error") == true)
        #expect(found.first?.contains("line") == true || found.first?.contains(":2") == true)
    }

    @Test func nonLoopbackNeedsAnAdminKey() throws {
        let path = Self.file("listen: 0.0.0.0:8080\n")
        #expect(problems(path).contains { $0.contains("not a loopback") && $0.contains("SWITCHBOARD_ADMIN_KEY") })
        let ok = try GatewayConfiguration.load(path: path, environment: ["SWITCHBOARD_ADMIN_KEY": "admin"])
        #expect(ok.adminKey == "admin")
        #expect(!ok.redactedDescription().contains("admin\n"))
        #expect(GatewayConfiguration.isLoopback(host: "127.0.0.2"))
        #expect(GatewayConfiguration.isLoopback(host: "::1"))
        #expect(!GatewayConfiguration.isLoopback(host: "10.0.0.1"))
        #expect(GatewayConfiguration.isLoopback(host: "LocalHost"))
        for spoof in ["127.evil.example", "127.0.0.1.nip.io", "127.0.0", "127.0.0.256", "0.0.0.0"] {
            #expect(!GatewayConfiguration.isLoopback(host: spoof), "\(spoof)")
        }
    }

    @Test func missingExplicitFileIsAnError() {
        #expect(problems("/nonexistent/config.yaml").first?.contains("file not found") == true)
    }

    @Test func configurationDirectoryIsSearched() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-cd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "listen: 127.0.0.1:7777\n".write(
            to: dir.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        let config = try GatewayConfiguration.load(
            path: nil, environment: ["CONFIGURATION_DIRECTORY": dir.path], defaultPath: "/nonexistent")
        #expect(config.listen.port == 7777)
    }
}
