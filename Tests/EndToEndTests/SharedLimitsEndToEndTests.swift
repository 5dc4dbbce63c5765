import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `limits: {backend: redis}`: several daemons share each key's limits through a real
/// `redis-server`, and behave as configured while it is away.
@Suite("Shared limits through Redis, end to end")
struct SharedLimitsEndToEndTests {
    static let admin = "admin-secret-for-tests"

    /// A daemon behind `mock` counting limits in `redis`, its database in `dir` (two daemons
    /// given the same `dir` share their keys).
    static func daemon(
        _ redis: RedisServer, _ mock: SwitchboardProcess, _ dir: TempDir, mode: String = "fail_open",
        lease: Int = 30, correctionDelayMillis: Int = 10, loops: Int? = nil, url: String? = nil
    ) throws -> SwitchboardProcess {
        try Launch.daemon(
            behind: mock,
            yaml: "limits: {backend: redis, url: \"\(url ?? redis.url)\", on_unavailable: \(mode), lease_s: \(lease), "
                + "correction_delay_ms: \(correctionDelayMillis)}" + (loops.map { "\nserver: {loops: \($0)}" } ?? ""),
            environment: ["SWITCHBOARD_ADMIN_KEY": admin, "SWITCHBOARD_DATABASE": dir.path("switchboard.db")])
    }

    /// Creates a key through `daemon`'s admin API; returns (id, secret).
    static func key(_ daemon: SwitchboardProcess, _ json: String) throws -> (id: String, secret: String) {
        let created = try curl(
            daemon.baseURL + "/admin/keys", method: "POST", headers: ["Authorization": "Bearer \(admin)"], body: json)
        let object = try #require(jsonObject(created.body), "\(created.status) \(created.body)")
        return (try #require(object["id"] as? String), try #require(object["key"] as? String))
    }

    static func chat(_ daemon: SwitchboardProcess, _ secret: String, model: String = "openai/text") throws
        -> CurlResponse
    {
        try curl(
            daemon.baseURL + "/v1/chat", method: "POST", headers: ["Authorization": "Bearer \(secret)"],
            body: #"{"model":"\#(model)","stream":false,"messages":[{"role":"user","content":"hi"}]}"#)
    }

    /// What `/readyz` names under `degraded` (none when healthy; the store adds its own entries).
    static func degraded(_ body: String) -> [String] {
        (jsonObject(body)?["degraded"] as? [String]) ?? []
    }

    /// Polls `/readyz` until `done` holds for (status, body); returns the last answer.
    @discardableResult
    static func ready(_ daemon: SwitchboardProcess, until done: (Int, String) -> Bool) throws -> (Int, String) {
        let deadline = Date().addingTimeInterval(20)
        var last = (0, "")
        while Date() < deadline {
            let r = try curl(daemon.baseURL + "/readyz")
            last = (r.status, r.body)
            if done(r.status, r.body) { return last }
            usleep(20_000)
        }
        Issue.record("readyz never reached the expected state; last: \(last)")
        return last
    }

    /// The second daemon reaches Redis through its Unix socket (`unix://`), the first over TCP.
    @Test func twoDaemonsAdmitExactlyTheKeysRpm() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let dir = TempDir()
        let first = try Self.daemon(redis, mock, dir)
        let key = try Self.key(first, #"{"name":"shared","rpm":10}"#)
        let second = try Self.daemon(redis, mock, dir, url: redis.socketURL)
        // Its connections are up (a daemon that could not connect would count alone: fail_open).
        try Self.waitFor { (try? redis.command("CLIENT LIST"))?.contains("redis.sock") == true }
        // 40 requests, 20 on each daemon, all sent before any answer is read.
        let body = #"{"model":"openai/text","stream":false,"messages":[{"role":"user","content":"hi"}]}"#
        let request = rawPost("/v1/chat", body: body, headers: ["Authorization: Bearer \(key.secret)"])
        let codes = try burst(40, of: request, over: [first, second])
        #expect(codes.count == 40)
        #expect(codes.filter { $0 == 200 }.count == 10, "\(codes)")
        #expect(codes.filter { $0 == 429 }.count == 30, "\(codes)")
        // The execution is made (and its upstream request translated) while Redis decides:
        // a refused request still never reaches the provider.
        let logged = try curl(mock.baseURL + "/_mock/requests?limit=100").body
        let upstream = (try? JSONSerialization.jsonObject(with: Data(logged.utf8))) as? [[String: Any]] ?? []
        #expect(upstream.count == 10, "\(upstream.count) requests reached the provider")
    }

    @Test func tokensAreEstimatedAtAdmissionAndSettledAcrossDaemons() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let dir = TempDir()
        let first = try Self.daemon(redis, mock, dir)
        let key = try Self.key(first, #"{"name":"tokens","tpm":39}"#)
        let second = try Self.daemon(redis, mock, dir)
        let sum = "HGET switchboard:key:{\(key.id)}:tok _sum"
        func ask(_ daemon: SwitchboardProcess) throws -> CurlResponse {
            try curl(
                daemon.baseURL + "/v1/chat", method: "POST", headers: ["Authorization": "Bearer \(key.secret)"],
                body: #"{"model":"openai/text","stream":false,"max_tokens":10,"#
                    + #""messages":[{"role":"user","content":"hi"}]}"#)
        }
        // Each answer is 15 tokens (10 in, 5 out); admission charges an estimate of 10 until then.
        #expect(try ask(first).status == 200)
        try Self.waitFor { (try? redis.command(sum)) == "15" }
        #expect(try ask(second).status == 200)
        try Self.waitFor { (try? redis.command(sum)) == "30" }
        let refused = try ask(first)
        #expect(refused.status == 429)
        #expect(refused.headers["x-ratelimit-limit-tokens"] == "39")
        #expect(refused.headers["x-ratelimit-remaining-tokens"] == "9")
    }

    /// Polls `done` until it holds (10 s at most).
    static func waitFor(_ done: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while !done() {
            if Date() > deadline { throw TestFailure.message("condition not reached in 10 s") }
            usleep(10_000)
        }
    }

    @Test func aKilledDaemonsConcurrencyLeaseExpires() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let dir = TempDir()
        let first = try Self.daemon(redis, mock, dir, lease: 1)
        let key = try Self.key(first, #"{"name":"one-at-a-time","max_concurrent":1}"#)
        let second = try Self.daemon(redis, mock, dir, lease: 1)
        // A long stream on the first daemon holds the key's only slot.
        let body = #"{"model":"openai/text+chunks=100+interval_ms=100","messages":[{"role":"user","content":"hi"}]}"#
        let holder = try RawClient(port: first.port)
        _ = holder.send(
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key.secret)\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(holder.read(until: "event: text").contains(" 200 "))
        // Past two lease periods the running request's lease is still renewed: no second slot.
        let held = Date()
        while Date().timeIntervalSince(held) < 2.5 {
            let refused = try Self.chat(second, key.secret)
            #expect(refused.status == 429, "\(refused.body)")
            if refused.status != 429 { break }
        }
        // A daemon that dies renews nothing: its slot comes back within the lease.
        first.signal(SIGKILL)
        _ = first.waitForExit(timeout: 10)
        let killed = Date()
        var status = 0
        while Date().timeIntervalSince(killed) < 10, status != 200 {
            status = try Self.chat(second, key.secret).status
        }
        #expect(status == 200)
        #expect(Date().timeIntervalSince(killed) < 3)
    }

    @Test func failOpenFallsBackToLocalLimitsAndRecovers() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let dir = TempDir()
        let daemon = try Self.daemon(redis, mock, dir, mode: "fail_open")
        let key = try Self.key(daemon, #"{"name":"open","rpm":2}"#)
        #expect(try Self.chat(daemon, key.secret).status == 200)
        #expect(try Self.chat(daemon, key.secret).status == 200)
        #expect(try Self.chat(daemon, key.secret).status == 429)
        #expect(try redis.command("EXISTS switchboard:key:{\(key.id)}:req") == ":1")

        redis.kill()
        let (status, body) = try Self.ready(daemon) { _, body in !Self.degraded(body).isEmpty }
        #expect(status == 200)
        #expect(body.contains("fail_open"))
        // The daemon's own limiter takes over (a fresh local window: rpm 2 again).
        #expect(try Self.chat(daemon, key.secret).status == 200)
        #expect(try Self.chat(daemon, key.secret).status == 200)
        #expect(try Self.chat(daemon, key.secret).status == 429)
        let metrics = try curl(daemon.baseURL + "/metrics").body
        #expect(metrics.contains("switchboard_limits_redis_up 0"))
        #expect(metrics.contains("switchboard_limits_redis_unavailable_total{mode=\"fail_open\"} 3"))
        #expect(daemon.log().components(separatedBy: "unreachable, each daemon applies its local limits").count == 2)

        // Back: counted in Redis again (which restarted empty).
        try redis.start()
        try Self.ready(daemon) { status, body in status == 200 && Self.degraded(body).isEmpty }
        #expect(try Self.chat(daemon, key.secret).status == 200)
        #expect(try redis.command("EXISTS switchboard:key:{\(key.id)}:req") == ":1")
        #expect(daemon.log().contains("is back; shared limits apply again"))
    }

    @Test func failClosedRefusesWhileRedisIsAwayAndRecovers() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let dir = TempDir()
        let daemon = try Self.daemon(redis, mock, dir, mode: "fail_closed")
        let key = try Self.key(daemon, #"{"name":"closed","rpm":100}"#)
        #expect(try Self.chat(daemon, key.secret).status == 200)

        redis.kill()
        let (status, body) = try Self.ready(daemon) { _, body in !Self.degraded(body).isEmpty }
        #expect(status == 503)
        #expect(body.contains("fail_closed"))
        let refused = try Self.chat(daemon, key.secret)
        #expect(refused.status == 503)
        #expect(refused.body.contains("redis"))
        #expect(refused.headers["retry-after"] == "1")

        try redis.start()
        try Self.ready(daemon) { status, _ in status == 200 }
        #expect(try Self.chat(daemon, key.secret).status == 200)
    }

    @Test func aLoopCreatedOnOneDaemonFinishesThroughTheOther() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let dir = TempDir()
        let first = try Self.daemon(redis, mock, dir)
        let key = try Self.key(first, #"{"name":"looper"}"#)
        let second = try Self.daemon(redis, mock, dir)
        let auth = ["Authorization": "Bearer \(key.secret)"]
        let stream = try LoopStream(
            first, body: LoopEndToEndTests.body("openai/tools+calls=1+tool_turns=1"), headers: auth)
        let awaiting = try #require(stream.wait(for: "awaiting_tools").first, "\(stream.text)")
        let loopId = try #require(awaiting["loop_id"] as? String)
        let callId = try #require((awaiting["tool_calls"] as? [[String: Any]])?.first?["id"] as? String)

        // The other daemon passes GET and the tool results on to the owner.
        let seen = try #require(try LoopEndToEndTests.transcript(second, loopId, headers: auth))
        #expect(seen["status"] as? String == "awaiting_tools")
        #expect(try LoopEndToEndTests.transcript(second, loopId)?["error"] != nil)  // no key: not the owner
        let posted = try LoopEndToEndTests.post(
            second, loopId, LoopEndToEndTests.results([(callId, "sunny")]), headers: auth)
        #expect(posted.status == 202, "\(posted.body)")
        #expect(stream.waitForEnd(), "\(stream.text)")
        let done = try #require(jsonObject(stream.events.last?.data ?? ""))
        #expect(done["finish_reason"] as? String == "stop")
        #expect(try LoopEndToEndTests.transcript(second, loopId, headers: auth)?["status"] as? String == "completed")
        let deleted = try curl(second.baseURL + "/v1/loops/\(loopId)", method: "DELETE", headers: auth)
        #expect(deleted.status == 200, "\(deleted.body)")
        #expect(try curl(first.baseURL + "/v1/loops/\(loopId)", headers: auth).status == 404)
    }

    @Test func configCheckShowsTheBackendWithoutThePassword() throws {
        let dir = TempDir()
        let config = dir.write(
            "config.yaml",
            "limits: {backend: redis, url: \"redis://:hunter2@10.0.0.5:6380/2\", on_unavailable: fail_closed}\n")
        let result = try run(
            Repo.binary, ["config", "check", "--config", config], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "limits: {backend: redis, url: redis://:***@10.0.0.5:6380/2, on_unavailable: fail_closed"))
        #expect(!result.stdout.contains("hunter2"))
        let bad = dir.write("bad.yaml", "limits: {backend: redis}\n")
        let refused = try run(
            Repo.binary, ["config", "check", "--config", bad], environment: ["PATH": "/usr/bin:/bin"])
        #expect(refused.status != 0)
        #expect((refused.stdout + refused.stderr).contains("limits.url"))
    }
}
