import Foundation
import Testing
import TestSupport

/// Issue 14 §2–§4 through the real daemon: two emulator instances as deployments of one alias,
/// each told what to do over its `/_mock/command` route (fail with 429 or 500, a share of
/// requests, or answer slowly).
@Suite("Routing over deployments, end to end")
struct RoutingEndToEndTests {
    static let key = ["OPENAI_API_KEY": "test-key-openai"]

    /// Providers `a` and `b` (kind openai), one per emulator instance, no retries of their own.
    static func daemon(_ a: SwitchboardProcess, _ b: SwitchboardProcess, models: String) throws -> SwitchboardProcess {
        let (daemon, _) = try Launch.daemon(
            yaml: """
                providers:
                  a: {kind: openai, base_url: "\(a.baseURL)", api_key_env: OPENAI_API_KEY, retry: {attempts: 1}}
                  b: {kind: openai, base_url: "\(b.baseURL)", api_key_env: OPENAI_API_KEY, retry: {attempts: 1}}
                models:
                """ + "\n" + models,
            environment: key)
        daemon.attachments += [a, b]
        return daemon
    }

    /// Provider requests an instance has seen (its control routes are not recorded).
    static func seen(_ mock: SwitchboardProcess) throws -> [[String: Any]] {
        let response = try curl(mock.baseURL + "/_mock/requests")
        return (try? JSONSerialization.jsonObject(with: Data(response.body.utf8))) as? [[String: Any]] ?? []
    }

    static func command(_ mock: SwitchboardProcess, _ query: String) throws {
        let response = try curl(mock.baseURL + "/_mock/command?" + query, method: "POST", body: "")
        #expect(response.status == 200, "\(response.body)")
    }

    static func clear(_ mock: SwitchboardProcess) throws {
        _ = try curl(mock.baseURL + "/_mock/command", method: "DELETE")
    }

    /// `n` non-streaming requests to `model`, one after another over one curl (one connection).
    static func burst(_ daemon: SwitchboardProcess, model: String, _ n: Int) throws -> [Int] {
        let dir = TempDir()
        let body = dir.write("body", #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}]}"#)
        var args = ["-sS", "-H", "Content-Type: application/json", "--data-binary", "@" + body, "-w", "%{http_code}\n"]
        for _ in 0..<n { args += ["-o", "/dev/null", daemon.baseURL + "/v1/chat"] }
        let result = try run("/usr/bin/curl", args, timeout: 300)
        return result.stdout.split(separator: "\n").compactMap { Int($0) }
    }

    /// The alias's deployments as `GET /v1/models` shows them.
    static func deployments(_ daemon: SwitchboardProcess, _ alias: String) throws -> [[String: Any]] {
        let response = try curl(daemon.baseURL + "/v1/models")
        let data = jsonObject(response.body)?["data"] as? [[String: Any]] ?? []
        return data.first { $0["id"] as? String == alias }?["deployments"] as? [[String: Any]] ?? []
    }

    /// Polls `condition` until it holds or `seconds` pass.
    static func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    /// Over 1,000 requests a 70/30 alias sends 700 ± 75 to the first (σ ≈ 14.5: over 5σ).
    @Test func weightsHoldOverAThousandRequests() throws {
        let a = try Launch.mock(), b = try Launch.mock()
        let daemon = try Self.daemon(
            a, b,
            models: """
                  split:
                    deployments:
                      - {provider: a, model: text, weight: 70}
                      - {provider: b, model: text, weight: 30}
                """)
        let statuses = try Self.burst(daemon, model: "split", 1000)
        #expect(statuses.count == 1000)
        #expect(statuses.allSatisfy { $0 == 200 })
        let toA = try Self.seen(a).count, toB = try Self.seen(b).count
        #expect(toA + toB == 1000)
        #expect(abs(toA - 700) <= 75, "a got \(toA), b got \(toB)")
    }

    /// `priority` sends everything to the first; a 429 with `Retry-After: 2` takes it out for
    /// 2 s (the request goes on to the second at once), then it gets the traffic again.
    @Test func aRateLimitedDeploymentRestsForItsRetryAfterThenReturns() throws {
        let a = try Launch.mock(), b = try Launch.mock()
        let daemon = try Self.daemon(
            a, b,
            models: """
                  first:
                    strategy: priority
                    deployments: [{provider: a, model: text}, {provider: b, model: text}]
                """)
        #expect(try Self.burst(daemon, model: "first", 5) == [200, 200, 200, 200, 200])
        #expect(try Self.seen(a).count == 5)
        #expect(try Self.seen(b).count == 0)
        try Self.command(a, "status=429&retry_after=2&count=1")
        let limitedAt = Date()
        #expect(try Self.burst(daemon, model: "first", 10).allSatisfy { $0 == 200 })
        let restedBurst = Date().timeIntervalSince(limitedAt)
        #expect(try Self.seen(a).count == 6)  // the 429, then nothing
        #expect(try Self.seen(b).count == 10)
        #expect(restedBurst < 2, "the burst took \(restedBurst) s: too slow to judge the rest")
        let cooling = try Self.deployments(daemon, "first")
        #expect(cooling.first?["state"] as? String == "cooling")
        #expect(cooling.first?["until"] as? Double != nil)
        #expect(cooling.last?["state"] as? String == "healthy")
        // Back when its time is up, and not before.
        #expect(
            try Self.eventually(10) {
                try Self.deployments(daemon, "first").first?["state"] as? String == "healthy"
            })
        #expect(Date().timeIntervalSince(limitedAt) >= 1.9)
        #expect(try Self.burst(daemon, model: "first", 3) == [200, 200, 200])
        #expect(try Self.seen(a).count == 9)
        #expect(daemon.log().contains("deployment cooling down after a rate limit"))
    }

    /// Every deployment out and no fallback: the request fails fast with when one is back.
    @Test func allOutFailsFastWithRetryAfter() throws {
        let a = try Launch.mock(), b = try Launch.mock(), c = try Launch.mock()
        let (daemon, _) = try Launch.daemon(
            yaml: """
                providers:
                  a: {kind: openai, base_url: "\(a.baseURL)", api_key_env: OPENAI_API_KEY, retry: {attempts: 1}}
                  b: {kind: openai, base_url: "\(b.baseURL)", api_key_env: OPENAI_API_KEY, retry: {attempts: 1}}
                  c: {kind: openai, base_url: "\(c.baseURL)", api_key_env: OPENAI_API_KEY}
                models:
                  both:
                    deployments: [{provider: a, model: text}, {provider: b, model: text}]
                  rescued:
                    deployments: [{provider: a, model: text}, {provider: b, model: text}]
                    fallbacks: [c/text]
                """,
            environment: Self.key)
        daemon.attachments += [a, b, c]
        try Self.command(a, "status=429&retry_after=30")
        try Self.command(b, "status=429&retry_after=30")
        let first = try ChatEndToEndTests.chat(daemon, model: "both", stream: false)
        #expect(first.status == 429)
        let seenBefore = try Self.seen(a).count + Self.seen(b).count
        #expect(seenBefore == 2)  // each tried once, no retries
        let fast = try ChatEndToEndTests.chat(daemon, model: "both", stream: false)
        #expect(fast.status == 429)
        #expect(fast.body.contains("every deployment of"), "\(fast.body)")
        let retryAfter = Int(fast.headers["retry-after"] ?? "") ?? 0
        #expect((25...30).contains(retryAfter), "\(fast.headers)")
        #expect(try Self.seen(a).count + Self.seen(b).count == 2)  // nothing sent
        // With a fallback, the fallback runs instead.
        let rescued = try ChatEndToEndTests.chat(daemon, model: "rescued", stream: false)
        #expect(rescued.status == 200, "\(rescued.body)")
        #expect(rescued.headers["x-switchboard-provider"] == "c")
    }

    /// A deployment failing every second request is opened by the breaker (the client never
    /// sees a failure: the other deployment answers), then probed back once it is well.
    @Test func theBreakerOpensOnAHalfFailingDeploymentAndProbesItBack() throws {
        let a = try Launch.mock(), b = try Launch.mock()
        let daemon = try Self.daemon(
            a, b,
            models: """
                  guarded:
                    strategy: priority
                    deployments: [{provider: a, model: text}, {provider: b, model: text}]
                    health: {error_ratio: 0.5, window: 10, min_requests: 10, open_s: 1, cooldown_s: 0}
                """)
        try Self.command(a, "status=500&ratio=0.5")
        #expect(try Self.burst(daemon, model: "guarded", 10).allSatisfy { $0 == 200 })
        #expect(try Self.seen(a).count == 10)
        #expect(try Self.seen(b).count == 5)
        #expect(try Self.deployments(daemon, "guarded").first?["state"] as? String == "open")
        // Open: nothing goes to it.
        #expect(try Self.burst(daemon, model: "guarded", 5).allSatisfy { $0 == 200 })
        let whileOpen = try Self.seen(a).count
        try Self.clear(a)
        // After open_s one probe goes; it succeeds and the deployment is healthy again.
        #expect(
            try Self.eventually(10) {
                _ = try Self.burst(daemon, model: "guarded", 1)
                return try Self.deployments(daemon, "guarded").first?["state"] as? String == "healthy"
            })
        #expect(whileOpen == 10 || daemon.log().contains("half-open"))
        #expect(try Self.seen(a).count > 10)
        let log = daemon.log()
        #expect(log.contains("deployment breaker open"))
        #expect(log.contains("deployment breaker half-open"))
        #expect(log.contains("deployment healthy"))
    }

    /// least_busy: with the first deployment holding a slow request, the rest go to the idle one.
    @Test func leastBusyPrefersTheIdleDeployment() throws {
        let a = try Launch.mock(), b = try Launch.mock()
        let daemon = try Self.daemon(
            a, b,
            models: """
                  idle:
                    strategy: least_busy
                    deployments: [{provider: a, model: text, weight: 1}, {provider: b, model: text, weight: 0}]
                """)
        try Self.command(a, "delay_ms=3000")
        // Both idle: the tie goes by weight, so to a (b's weight 0 puts it last).
        let slow = ChildProcess()
        slow.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        slow.arguments = [
            "-sS", "-o", "/dev/null", "-H", "Content-Type: application/json", "--data-binary",
            #"{"model":"idle","messages":[{"role":"user","content":"hi"}]}"#, daemon.baseURL + "/v1/chat",
        ]
        try slow.run()
        #expect(
            try Self.eventually(10) {
                try Self.deployments(daemon, "idle").first?["in_flight"] as? Int == 1
            })
        #expect(try Self.burst(daemon, model: "idle", 5) == [200, 200, 200, 200, 200])
        #expect(try Self.seen(b).count == 5)
        #expect(try Self.seen(a).count == 1)
        while slow.isRunning { usleep(10_000) }
        try Self.clear(a)
        #expect(try Self.burst(daemon, model: "idle", 1) == [200])
        #expect(try Self.seen(a).count == 2)  // idle again: a, by weight
    }

    /// A key pool spreads one provider's requests over its keys, each key with its own limits:
    /// rpm 3 per key serves 6 requests, three with each key, and refuses the seventh.
    @Test func aKeyPoolSpreadsOverItsKeysAndRespectsEachKeysLimits() throws {
        let mock = try Launch.mock()
        let (daemon, config) = try Launch.daemon(
            yaml: """
                providers:
                  pool: {kind: openai, base_url: "\(mock.baseURL)", api_key_envs: [KEY_ONE, KEY_TWO],
                         retry: {attempts: 1}, limits: {rpm: 3, queue_timeout_s: 0}}
                models:
                  pooled: {provider: pool, model: text}
                """,
            environment: ["KEY_ONE": "test-key-one", "KEY_TWO": "test-key-two"])
        daemon.attachments.append(mock)
        #expect(try Self.burst(daemon, model: "pooled", 6) == [200, 200, 200, 200, 200, 200])
        let keys = try Self.seen(mock).map { ProviderReachEndToEndTests.header($0, "authorization") ?? "" }
        #expect(keys.filter { $0 == "Bearer test-key-one" }.count == 3, "\(keys)")
        #expect(keys.filter { $0 == "Bearer test-key-two" }.count == 3, "\(keys)")
        let seventh = try ChatEndToEndTests.chat(daemon, model: "pooled", stream: false)
        #expect(seventh.status == 429)
        #expect(try Self.seen(mock).count == 6)
        let listed = try Self.deployments(daemon, "pooled")
        #expect(listed.compactMap { $0["key"] as? String } == ["KEY_ONE", "KEY_TWO"])
        // "provider/model" spreads over the keys too (they are full now: refused).
        #expect(try ChatEndToEndTests.chat(daemon, model: "pool/text", stream: false).status == 429)
        // No key value in config check: only the variables, set or not.
        let check = try run(
            Repo.binary, ["config", "check", "--config", config],
            environment: ["KEY_ONE": "test-key-one", "KEY_TWO": "test-key-two"])
        #expect(check.stdout.contains("api_key_envs: [KEY_ONE, KEY_TWO]"), "\(check.stdout)")
        #expect(!check.stdout.contains("test-key-one"))
        #expect(check.stdout.contains("one deployment per key: KEY_ONE, KEY_TWO"))
    }

    /// A deployment with limits of its own: once they are reached the next deployment takes
    /// the requests at once (no queueing on the full one).
    @Test func aDeploymentsOwnLimitsHandOverToTheNext() throws {
        let a = try Launch.mock(), b = try Launch.mock()
        let daemon = try Self.daemon(
            a, b,
            models: """
                  capped:
                    strategy: priority
                    deployments:
                      - {provider: a, model: text, limits: {rpm: 2}}
                      - {provider: b, model: text}
                """)
        #expect(try Self.burst(daemon, model: "capped", 5) == [200, 200, 200, 200, 200])
        #expect(try Self.seen(a).count == 2)
        #expect(try Self.seen(b).count == 3)
    }

    /// A loop stays on its first turn's deployment: seven turns over a 50/50 alias all go to
    /// one instance (by chance alone, 2 in 128).
    @Test func aLoopStaysOnItsFirstTurnsDeployment() throws {
        let a = try Launch.mock(), b = try Launch.mock()
        let daemon = try Self.daemon(
            a, b,
            models: """
                  sticky:
                    deployments: [{provider: a, model: tools+tool_turns=6}, {provider: b, model: tools+tool_turns=6}]
                """)
        let stream = try LoopStream(daemon, body: LoopEndToEndTests.body("sticky", extra: #","max_steps":10"#))
        for round in 1...6 {
            let awaiting = try #require(stream.wait(for: "awaiting_tools", count: round).last)
            let ids = (awaiting["tool_calls"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            let posted = try LoopEndToEndTests.post(
                daemon, awaiting["loop_id"] as? String ?? "", LoopEndToEndTests.results(ids.map { ($0, "ok") }))
            #expect(posted.status == 202)
        }
        #expect(stream.waitForEnd())
        let counts = [try Self.seen(a).count, try Self.seen(b).count].sorted()
        #expect(counts == [0, 7], "turns per instance: \(counts)")
    }

    /// `/v1/models` lists each alias's strategy and deployments; `config check` shows them.
    @Test func modelsAndConfigCheckShowTheDeployments() throws {
        let a = try Launch.mock(), b = try Launch.mock()
        let (daemon, config) = try Launch.daemon(
            yaml: """
                providers:
                  a: {kind: openai, base_url: "\(a.baseURL)", api_key_env: OPENAI_API_KEY}
                  b: {kind: openai, base_url: "\(b.baseURL)", api_key_env: OPENAI_API_KEY}
                models:
                  fast:
                    strategy: lowest_latency
                    deployments:
                      - {provider: a, model: text, weight: 70}
                      - {provider: b, model: other, weight: 30}
                    fallbacks: [plain]
                  plain: {provider: b, model: text}
                """,
            environment: Self.key)
        daemon.attachments += [a, b]
        #expect(try Self.burst(daemon, model: "fast", 2) == [200, 200])
        let response = try curl(daemon.baseURL + "/v1/models")
        let data = jsonObject(response.body)?["data"] as? [[String: Any]] ?? []
        let fast = try #require(data.first { $0["id"] as? String == "fast" })
        #expect(fast["strategy"] as? String == "lowest_latency")
        let deployments = fast["deployments"] as? [[String: Any]] ?? []
        #expect(deployments.count == 2)
        #expect(deployments.map { $0["provider"] as? String } == ["a", "b"])
        #expect(deployments.map { $0["model"] as? String } == ["text", "other"])
        #expect(deployments.map { $0["weight"] as? Int } == [70, 30])
        for d in deployments {
            #expect(d["state"] as? String == "healthy")
            #expect(d["in_flight"] as? Int == 0)
            #expect(d.keys.contains("latency_ms"))
            #expect(d["until"] == nil)
        }
        // lowest_latency tries an unmeasured one first: after two requests both are measured.
        #expect(deployments.allSatisfy { $0["latency_ms"] as? Double != nil })
        let plain = try #require(data.first { $0["id"] as? String == "plain" })
        #expect(plain["strategy"] as? String == "weighted")
        #expect((plain["deployments"] as? [[String: Any]])?.count == 1)
        let metrics = try curl(daemon.baseURL + "/metrics").body
        #expect(metrics.contains(#"switchboard_deployment_state{alias="fast",provider="a",model="text"} 0"#))
        #expect(metrics.contains(#"switchboard_deployment_in_flight{alias="fast",provider="b",model="other"} 0"#))
        #expect(metrics.contains(#"switchboard_deployment_latency_seconds{alias="fast",provider="a",model="text"}"#))
        let check = try run(Repo.binary, ["config", "check", "--config", config], environment: Self.key)
        #expect(check.status == 0, "\(check.stderr)")
        for line in [
            "  fast:", "    strategy: lowest_latency", "    deployments:",
            "      - {provider: a, model: text, weight: 70.0}", "      - {provider: b, model: other, weight: 30.0}",
            "    fallbacks: [plain]", "  plain: {provider: b, model: text}",
        ] {
            #expect(check.stdout.contains(line + "\n"), "\(line) in \(check.stdout)")
        }
    }
}
