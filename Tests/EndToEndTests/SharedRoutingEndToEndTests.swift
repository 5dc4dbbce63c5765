import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 16 §2 for providers and deployments: two daemons on one real `redis-server` share a
/// deployment's cool-down (one daemon's 429 rests it on the other) and a provider's own
/// limits (its rpm admits exactly that many attempts over both).
@Suite("Shared provider limits and cool-downs through Redis, end to end")
struct SharedRoutingEndToEndTests {
    typealias Routing = RoutingEndToEndTests

    /// A daemon counting limits in `redis`, with `providers` and `models` (YAML lines).
    static func daemon(_ redis: RedisServer, mode: String = "fail_open", _ rest: String) throws -> SwitchboardProcess {
        try Launch.daemon(
            yaml: "limits: {backend: redis, url: \"\(redis.url)\", on_unavailable: \(mode)}\n" + rest,
            environment: Routing.key
        ).0
    }

    /// Subscribers on the cool-down channel (each daemon has one).
    static func subscribers(_ redis: RedisServer) throws -> Int {
        let client = try RawClient(port: redis.port, timeoutSeconds: 5)
        _ = client.send("PUBSUB NUMSUB switchboard:cooldowns\r\n")
        let text = client.read(until: "cooldowns\r\n:")
        let tail = text.hasSuffix("\r\n") ? text : text + client.read(until: "\r\n")
        guard let colon = tail.range(of: "cooldowns\r\n:") else { return -1 }
        return Int(tail[colon.upperBound...].prefix { $0.isNumber }) ?? -1
    }

    /// Waits until every daemon's connections to Redis are up (`/readyz` not degraded).
    static func connected(_ daemons: [SwitchboardProcess]) throws {
        for daemon in daemons {
            try SharedLimitsEndToEndTests.ready(daemon) { status, body in
                status == 200 && SharedLimitsEndToEndTests.degraded(body).isEmpty
            }
        }
    }

    /// The state of alias `first`'s first deployment as `daemon` shows it.
    static func state(_ daemon: SwitchboardProcess) throws -> String? {
        try Routing.deployments(daemon, "first").first?["state"] as? String
    }

    @Test func aRateLimitSeenByOneDaemonRestsTheDeploymentOnTheOther() throws {
        let redis = try RedisServer()
        let a = try Launch.mock(), b = try Launch.mock()
        let config = """
            providers:
              a: {kind: openai, base_url: "\(a.baseURL)", api_key_env: OPENAI_API_KEY, retry: {attempts: 1}}
              b: {kind: openai, base_url: "\(b.baseURL)", api_key_env: OPENAI_API_KEY, retry: {attempts: 1}}
            models:
              first:
                strategy: priority
                deployments: [{provider: a, model: text}, {provider: b, model: text}]
            """
        let first = try Self.daemon(redis, config), second = try Self.daemon(redis, config)
        first.attachments += [a, b]
        #expect(try Routing.eventually(20) { try Self.subscribers(redis) == 2 })
        try Routing.command(a, "status=429&retry_after=3&count=1")
        let limitedAt = Date()
        // The first daemon meets the 429 (its request goes on to b at once).
        #expect(try Routing.burst(first, model: "first", 1) == [200])
        #expect(try Routing.seen(a).count == 1)
        // The second hears of it and rests a too, without a request of its own to a.
        #expect(try Routing.eventually(2) { try Self.state(second) == "cooling" })
        #expect(try Routing.burst(second, model: "first", 10).allSatisfy { $0 == 200 })
        let rested = Date().timeIntervalSince(limitedAt)
        #expect(try Routing.seen(a).count == 1)
        #expect(try Routing.seen(b).count == 11)
        #expect(rested < 3, "the burst took \(rested) s: too slow to judge the rest")
        // The same end on both daemons (Unix seconds in /v1/models).
        let untilFirst = try Routing.deployments(first, "first").first?["until"] as? Double
        let untilSecond = try Routing.deployments(second, "first").first?["until"] as? Double
        #expect(untilFirst != nil && untilSecond != nil)
        if let untilFirst, let untilSecond { #expect(abs(untilFirst - untilSecond) < 0.1) }
        #expect(second.log().contains("deployment cooling down after a rate limit"))
        // Back on the second when the time is up, and not before.
        #expect(try Routing.eventually(10) { try Self.state(second) == "healthy" })
        #expect(Date().timeIntervalSince(limitedAt) >= 2.9)
        #expect(try Routing.burst(second, model: "first", 2) == [200, 200])
        #expect(try Routing.seen(a).count == 3)
    }

    @Test func aProvidersRpmHoldsAcrossTwoDaemons() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let config = """
            providers:
              a: {kind: openai, base_url: "\(mock.baseURL)", api_key_env: OPENAI_API_KEY, retry: {attempts: 1},
                  limits: {rpm: 5, queue_timeout_s: 0}}
            """
        let first = try Self.daemon(redis, config), second = try Self.daemon(redis, config)
        first.attachments.append(mock)
        try Self.connected([first, second])
        // 20 attempts, 10 on each daemon, all sent before any answer is read.
        let body = #"{"model":"a/text","stream":false,"messages":[{"role":"user","content":"hi"}]}"#
        let codes = try burst(20, of: rawPost("/v1/chat", body: body), over: [first, second])
        #expect(codes.count == 20)
        #expect(codes.filter { $0 == 200 }.count == 5, "\(codes)")
        #expect(codes.filter { $0 == 429 }.count == 15, "\(codes)")
        #expect(try Routing.seen(mock).count == 5)
        #expect(try redis.command("ZCARD switchboard:provider:{a:0}:req") == ":5")
    }

    /// A provider's `max_concurrent: 1` over two daemons: a stream on one holds the slot (its
    /// lease renewed while it runs); when that daemon dies the lease lapses and the other gets it.
    @Test func aProvidersConcurrencySlotIsSharedAndADeadDaemonsLeaseLapses() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let config = """
            providers:
              a: {kind: openai, base_url: "\(mock.baseURL)", api_key_env: OPENAI_API_KEY, retry: {attempts: 1},
                  limits: {max_concurrent: 1, queue_timeout_s: 0}}
            """
        let limits = "limits: {backend: redis, url: \"\(redis.url)\", lease_s: 1}\n"
        let first = try Launch.daemon(yaml: limits + config, environment: Routing.key).0
        let second = try Launch.daemon(yaml: limits + config, environment: Routing.key).0
        first.attachments.append(mock)
        try Self.connected([first, second])
        let body = #"{"model":"a/text+chunks=100+interval_ms=100","messages":[{"role":"user","content":"hi"}]}"#
        let holder = try RawClient(port: first.port)
        _ = holder.send(
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(holder.read(until: "event: text").contains(" 200 "))
        // Past two lease periods the running stream's lease is still renewed: no second slot.
        let held = Date()
        while Date().timeIntervalSince(held) < 2.5 {
            let refused = try ChatEndToEndTests.chat(second, model: "a/text", stream: false)
            #expect(refused.status == 429, "\(refused.body)")
            if refused.status != 429 { break }
        }
        first.signal(SIGKILL)
        _ = first.waitForExit(timeout: 10)
        let killed = Date()
        var status = 0
        while Date().timeIntervalSince(killed) < 10, status != 200 {
            status = try ChatEndToEndTests.chat(second, model: "a/text", stream: false).status
        }
        #expect(status == 200)
        #expect(Date().timeIntervalSince(killed) < 3)
    }

    @Test func withRedisAwayAProviderIsLimitedLocallyOrRefusedAsConfigured() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let config = """
            providers:
              a: {kind: openai, base_url: "\(mock.baseURL)", api_key_env: OPENAI_API_KEY, retry: {attempts: 1},
                  limits: {rpm: 2, queue_timeout_s: 0}}
            """
        let open = try Self.daemon(redis, mode: "fail_open", config)
        let closed = try Self.daemon(redis, mode: "fail_closed", config)
        open.attachments.append(mock)
        try Self.connected([open, closed])
        #expect(try Routing.burst(closed, model: "a/text", 1) == [200])
        #expect(try redis.command("ZCARD switchboard:provider:{a:0}:req") == ":1")
        redis.kill()
        for daemon in [open, closed] {
            try SharedLimitsEndToEndTests.ready(daemon) { _, body in !SharedLimitsEndToEndTests.degraded(body).isEmpty }
        }
        // fail_open: the daemon's own limiter counts (a fresh window: rpm 2).
        #expect(try Routing.burst(open, model: "a/text", 3) == [200, 200, 429])
        // fail_closed: refused with a 503 naming the store, nothing sent.
        let refused = try ChatEndToEndTests.chat(closed, model: "a/text", stream: false)
        #expect(refused.status == 503)
        #expect(refused.body.contains("redis"), "\(refused.body)")
        #expect(try Routing.seen(mock).count == 3)
    }
}
