import ChatModel
import Foundation
import JSON
import Providers
import Store
import Testing
@testable import Gateway

/// Numbers entering the gateway's own endpoints and limiters: refused with a 400 naming the
/// field (client input), or held where they meet arithmetic (counts from providers).
@Suite("Numeric input: endpoints, limiters, configuration")
struct NumericInputTests {
    static let extremes = [
        "9223372036854775807", "-9223372036854775808", "-1", "0", "1e300", "1e-300", "-1e300",
        #""abc""#, "null", "true", "99999999999999999999999",
    ]

    func refusal(_ work: () throws -> Void) -> GatewayError? {
        do { try work(); return nil } catch let error as GatewayError { return error } catch { return nil }
    }

    // MARK: /v1/usage

    @Test(arguments: [
        "9223372036854775807", "-9223372036854775808", "-1", "1e300", "300000000-01-01",
        "99999999999999999-01-01", "253402300800", "1969-12-31", "10000-01-01", "2024-13-01", "2024-01-32",
        "+5", "2024-1-01", "", "abc", "0x10", "١٢٣",
    ])
    func usageTimesOutsideTheirRangeAreRefusedByName(text: String) throws {
        for name in ["since", "until"] {
            let error = try #require(refusal { _ = try UsageEndpoint.Query.time(text, name) })
            #expect(error.status == 400 && error.param == name)
        }
    }

    @Test func usageTimesAtTheEdgesAreMilliseconds() throws {
        #expect(try UsageEndpoint.Query.time("0", "since") == 0)
        #expect(try UsageEndpoint.Query.time("253402300799", "since") == 253_402_300_799_000)
        #expect(try UsageEndpoint.Query.time("1970-01-01", "since") == 0)
        #expect(try UsageEndpoint.Query.time("9999-12-31", "until") == 253_402_214_400_000)
        #expect(try UsageEndpoint.Query.time("2024-03-01", "since") == 1_709_251_200_000)
    }

    // MARK: /admin/keys

    @Test(arguments: ["rpm", "tpm", "max_concurrent", "token_budget"], extremes)
    func keyLimitsOutsideTheirRangeAreRefusedByName(field: String, value: String) throws {
        let body = try JSONValue.parse(#"{"name":"k","\#(field)":\#(value)}"#)
        let outcome = Result { () throws(GatewayError) in try KeySpec.decode(body) }
        switch (value, outcome) {
        case ("0", .success(let spec)), ("null", .success(let spec)):
            // 0 and null mean "no limit".
            #expect(spec.rpm == nil && spec.tpm == nil && spec.maxConcurrent == nil && spec.tokenBudget == nil)
        case (_, .failure(let error)):
            #expect(error.status == 400 && error.param == field)
            #expect(error.message.contains("from 0 to"))
        default:
            Issue.record("\(field)=\(value) was accepted")
        }
    }

    @Test func keyLimitsAtTheTopOfTheirRange() throws {
        let spec = try KeySpec.decode(
            try JSONValue.parse(
                #"{"name":"k","rpm":10000000,"tpm":1000000000000,"max_concurrent":1000000,"#
                    + #""token_budget":1000000000000000}"#
            ))
        #expect(spec.rpm == 10_000_000 && spec.tpm == 1_000_000_000_000)
        #expect(spec.maxConcurrent == 1_000_000 && spec.tokenBudget == 1_000_000_000_000_000)
    }

    // MARK: /v1/loops

    @Test(arguments: ["max_steps", "tool_timeout_s"], extremes)
    func loopFieldsOutsideTheirRangeAreRefusedByName(field: String, value: String) throws {
        let body = try JSONValue.parse(
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"\#(field)":\#(value)}"#)
        let outcome = Result { () throws(GatewayError) in try LoopRequest.decode(body) }
        switch outcome {
        case .success(let loop):
            #expect(value == "null")
            #expect(loop.maxSteps == 8 && loop.toolTimeoutSeconds == 300)
        case .failure(let error):
            #expect(error.param == field)
        }
    }

    // MARK: Front doors

    @Test(arguments: ["max_tokens", "max_completion_tokens"], extremes.filter { $0 != "null" })
    func openAIDoorNamesTheClientsOwnTokenField(field: String, value: String) throws {
        let body = try JSONValue.parse(
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"\#(field)":\#(value)}"#)
        let error = try #require(refusal { _ = try OpenAIDoor().decode(body) })
        #expect(error.param == field)
    }

    @Test(arguments: extremes.filter { $0 != "null" })
    func openAIDoorTakesOnlyNOfOne(value: String) throws {
        let body = try JSONValue.parse(#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":\#(value)}"#)
        let error = try #require(refusal { _ = try OpenAIDoor().decode(body) })
        #expect(error.param == "n")
    }

    @Test(
        arguments: ["max_tokens", "temperature", "top_p"], extremes.filter { !["null", "0", "1e-300"].contains($0) })
    func anthropicDoorNamesTheField(field: String, value: String) throws {
        let body = try JSONValue.parse(
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"\#(field)":\#(value)}"#)
        let error = try #require(refusal { _ = try AnthropicDoor().decode(body) })
        #expect(error.param == field)
    }

    @Test(arguments: extremes.filter { $0 != "null" })
    func anthropicDoorThinkingBudgetIsRangeChecked(value: String) throws {
        let body = try JSONValue.parse(
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"thinking":{"type":"enabled","#
                + #""budget_tokens":\#(value)}}"#
        )
        let error = try #require(refusal { _ = try AnthropicDoor().decode(body) })
        #expect(error.param == "thinking.budget_tokens")
    }

    // MARK: Limiters and sums

    @Test func theTokenEstimateSaturates() {
        // Built in code (the decoder would refuse it): the estimate must still not trap.
        var request = ChatRequest(model: "m", messages: [.text(.user, String(repeating: "x", count: 400))])
        request.maxTokens = .max
        #expect(KeyAdmission.estimate(request) == .max)
    }

    @Test func keyWindowsSaturateOnHugeCounts() {
        var window = KeyWindow()
        let limits = KeyWindow.Limits(tpm: .max)
        guard case .admitted(let first, _) = window.admit(estimatedTokens: .max, limits: limits, now: 0) else {
            Issue.record("expected an admission")
            return
        }
        window.complete(ticket: first, actualTokens: .max)
        if case .admitted(let second, _) = window.admit(estimatedTokens: .max, limits: limits, now: 1) {
            window.complete(ticket: second, actualTokens: 0)
        }
        // Limited: whatever the sums, a decision and no trap.
        if case .admitted = window.admit(estimatedTokens: .max, limits: KeyWindow.Limits(tpm: 5), now: 2) {
            Issue.record("an estimate beyond the limit was admitted")
        }
        // Once the window has emptied, its sums are exact again.
        if case .refused = window.admit(estimatedTokens: 5, limits: KeyWindow.Limits(tpm: 5), now: 200) {
            Issue.record("an empty window refused a request within its limit")
        }
    }

    @Test func providerHoldsAreBoundedWhateverTheHint() {
        for seconds in [Double.infinity, 1e300, -1e300, .nan, 9.3e18] {
            let limiter = ProviderLimiter(rpm: 0, tpm: 0, maxConcurrent: 0, queueTimeoutSeconds: 5, now: { 1000 })
            limiter.holdBack(seconds: seconds)
            switch limiter.tryAdmit(estimatedTokens: 1) {
            case .wait(let wait): #expect(wait > 0 && wait <= 60)
            case .admitted: #expect(!(seconds > 0))
            }
        }
        let learned = ProviderLimiter(rpm: 0, tpm: 0, maxConcurrent: 0, queueTimeoutSeconds: 5, now: { 1000 })
        learned.learn(from: [
            ("anthropic-ratelimit-requests-remaining", "0"),
            ("anthropic-ratelimit-requests-reset", "9999-12-31T23:59:59Z"),
        ])
        #expect(learned.tryAdmit(estimatedTokens: 1) == .wait(60))
    }

    @Test func retryDelaysAreBoundedWhateverTheHint() {
        let policy = RetryPolicy(attempts: 20)
        for hint in [Double.infinity, 1e300, 9.3e18] {
            // Longer than the wait bound: not waited for at all (no retry).
            #expect(policy.delay(afterAttempts: 1, retryAfter: hint, random: 0.5) == nil)
        }
        #expect(policy.delay(afterAttempts: .max, retryAfter: nil, random: 1) == policy.capSeconds)
        #expect((policy.delay(afterAttempts: 1, retryAfter: .nan, random: 1) ?? .infinity) <= policy.capSeconds)
    }

    @Test func tokenCountersSaturate() {
        let metrics = MetricsRegistry()
        var usage = Usage.zero
        usage.inputTokens = .max  // past Usage's own clamp, as a future caller might
        for _ in 0..<3 {
            metrics.recordChat(
                ChatRecord(
                    requestId: "r", requestedModel: "a", provider: "openai", model: "m", status: 200,
                    usage: usage, finishReason: .stop, attempts: 1, fallbackUsed: nil,
                    firstTokenNanos: nil, totalNanos: 1))
        }
        let text = metrics.render(openConnections: 0, inFlightRequests: 0)
        #expect(text.contains("switchboard_tokens_total{provider=\"openai\",kind=\"input\"} \(UInt64.max)\n"))
    }

    @Test func budgetsSaturate() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-num-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let registry = try KeyRegistry(store: try KeyStore(path: path), initialUsage: ["k": .max - 1])
        registry.addUsage(keyId: "k", tokens: .max)
        #expect(registry.tokensUsed(keyId: "k") == .max)
    }

    // MARK: Configuration

    static let numericLeaves =
        [
            "keep_alive_s", "server.loops", "server.max_body_bytes", "server.max_header_bytes",
            "server.header_timeout_s", "server.idle_timeout_s", "server.max_connections",
            "server.shutdown_grace_s", "chat_loops.max_per_key", "chat_loops.max_total",
            "chat_loops.retention_s",
        ]
        + [
            "timeouts.connect_s", "timeouts.first_byte_s", "timeouts.idle_s", "limits.rpm", "limits.tpm",
            "limits.max_concurrent", "limits.queue_timeout_s", "retry.attempts", "retry.base_ms", "retry.cap_ms",
            "cache_ttl_s",
        ].map { "providers.openai.\($0)" }

    /// Every numeric key, set by environment and by file to values no range holds, is refused
    /// with a message naming it.
    @Test(arguments: [
        "9223372036854775807", "-9223372036854775808", "-1", "1e300", "-1e300", "abc", "true",
        "99999999999999999999999", "nan", "inf", ".inf", "1e400",
    ])
    func extremeConfigurationNumbersAreRefused(value: String) throws {
        for leaf in Self.numericLeaves {
            let env = ConfigurationKeys.environmentName(leaf)
            var found = problems(nil, ["OPENAI_API_KEY": "k", env: value])
            #expect(found.contains { $0.contains("environment \(env): \(leaf): ") }, "\(env)=\(value): \(found)")
            let parts = leaf.split(separator: ".")
            var yaml = ""
            for (depth, part) in parts.enumerated() {
                yaml +=
                    String(repeating: "  ", count: depth) + part
                    + (depth == parts.count - 1 ? ": \"\(value)\"\n" : ":\n")
            }
            found = problems(ConfigurationTests.file(yaml), ["OPENAI_API_KEY": "k"])
            #expect(found.contains { $0.contains(": \(leaf): ") }, "\(leaf): \(value) in a file: \(found)")
        }
        #expect(problems(nil, ["SWITCHBOARD_LISTEN": "127.0.0.1:\(value)"]).contains { $0.contains("listen") })
    }

    func problems(_ path: String?, _ env: [String: String]) -> [String] {
        do {
            _ = try GatewayConfiguration.load(path: path, environment: env, defaultPath: "/nonexistent")
            return []
        } catch {
            return error.problems
        }
    }
}
