import Foundation
import TestSupport
import Testing

/// The Redis limits' window bookkeeping, seen in Redis itself: entries that left the minute give
/// their tokens back (whether the request is admitted or refused), and a key's data lives no
/// longer than its window needs.
@Suite("Shared limits' window in Redis, end to end")
struct SharedLimitsWindowEndToEndTests {
    typealias Shared = SharedLimitsEndToEndTests

    /// A request of 10 estimated tokens (15 real: 10 in, 5 out).
    static func ask(_ daemon: SwitchboardProcess, _ secret: String) throws -> CurlResponse {
        try curl(
            daemon.baseURL + "/v1/chat", method: "POST", headers: ["Authorization": "Bearer \(secret)"],
            body: #"{"model":"openai/text","stream":false,"max_tokens":10,"#
                + #""messages":[{"role":"user","content":"hi"}]}"#)
    }

    static func keys(_ id: String) -> (req: String, tok: String) {
        ("switchboard:key:{\(id)}:req", "switchboard:key:{\(id)}:tok")
    }

    /// An entry admitted long ago (score 1 ms) with 30 tokens, counted in the window's sum.
    static func seedExpiredEntry(_ redis: RedisServer, _ id: String) throws {
        let (req, tok) = keys(id)
        #expect(try redis.command("ZADD \(req) 1 ancient") == ":1")
        #expect(try redis.command("HSET \(tok) ancient 30") == ":1")
        #expect(try redis.command("HINCRBY \(tok) _sum 30").hasPrefix(":"))
    }

    @Test func anExpiredEntryGivesItsTokensBackToAnAdmission() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let daemon = try Shared.daemon(redis, mock, TempDir())
        let key = try Shared.key(daemon, #"{"name":"expiring","tpm":39}"#)
        let (req, tok) = Self.keys(key.id)
        try Self.seedExpiredEntry(redis, key.id)
        // Counted, the old entry's 30 and this request's 10 would be over 39.
        let answer = try Self.ask(daemon, key.secret)
        #expect(answer.status == 200, "\(answer.body)")
        #expect(try redis.command("ZSCORE \(req) ancient") == "$-1")
        #expect(try redis.command("HEXISTS \(tok) ancient") == ":0")
        try Shared.waitFor { (try? redis.command("HGET \(tok) _sum")) == "15" }
    }

    @Test func anExpiredEntryGivesItsTokensBackToARefusal() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let daemon = try Shared.daemon(redis, mock, TempDir())
        let key = try Shared.key(daemon, #"{"name":"refusing","tpm":24}"#)
        let (req, tok) = Self.keys(key.id)
        #expect(try Self.ask(daemon, key.secret).status == 200)
        try Shared.waitFor { (try? redis.command("HGET \(tok) _sum")) == "15" }
        try Self.seedExpiredEntry(redis, key.id)
        #expect(try redis.command("HGET \(tok) _sum") == "45")
        // 15 in the window and 10 estimated are over 24: refused, and the sum written back.
        let refused = try Self.ask(daemon, key.secret)
        #expect(refused.status == 429)
        #expect(refused.headers["x-ratelimit-remaining-tokens"] == "9")
        #expect(try redis.command("ZSCORE \(req) ancient") == "$-1")
        #expect(try redis.command("HGET \(tok) _sum") == "15")
    }

    /// A finished request of a key without budgets has only its token count to correct: it
    /// waits (here longer than the test) and rides with the key's next admission from the same
    /// event loop (one loop here, so every connection lands on it), which applies it before
    /// counting its own estimate.
    @Test func aFinishedRequestsCountRidesWithTheKeysNextAdmission() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let daemon = try Shared.daemon(redis, mock, TempDir(), correctionDelayMillis: 60_000, loops: 1)
        let key = try Shared.key(daemon, #"{"name":"riding","tpm":1000}"#)
        let (_, tok) = Self.keys(key.id)
        #expect(try Self.ask(daemon, key.secret).status == 200)
        // Answered, and its 15 real tokens not yet sent: the window holds the estimate of 10.
        #expect(try redis.command("HGET \(tok) _sum") == "10")
        #expect(try Self.ask(daemon, key.secret).status == 200)
        // The second admission corrected the first (15) and charged its own estimate (10).
        #expect(try redis.command("HGET \(tok) _sum") == "25")
    }

    /// A daemon that stops sends the counts still waiting for their key's next admission
    /// before it exits: the window then counts what the request really used, not its estimate.
    @Test func aStoppingDaemonSendsTheCountsStillWaiting() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let daemon = try Shared.daemon(redis, mock, TempDir(), correctionDelayMillis: 60_000, loops: 1)
        let key = try Shared.key(daemon, #"{"name":"leaving","tpm":1000}"#)
        let (_, tok) = Self.keys(key.id)
        #expect(try Self.ask(daemon, key.secret).status == 200)
        #expect(try redis.command("HGET \(tok) _sum") == "10")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15) == 0)
        #expect(try redis.command("HGET \(tok) _sum") == "15")
    }

    /// `correction_delay_ms: 0`: every request's count is sent when it ends.
    @Test func withoutADelayTheCountIsSentWhenTheRequestEnds() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let daemon = try Shared.daemon(redis, mock, TempDir(), correctionDelayMillis: 0)
        let key = try Shared.key(daemon, #"{"name":"prompt","tpm":1000}"#)
        let (_, tok) = Self.keys(key.id)
        #expect(try Self.ask(daemon, key.secret).status == 200)
        try Shared.waitFor { (try? redis.command("HGET \(tok) _sum")) == "15" }
    }

    @Test func aKeysWindowIsKeptForAMinuteAndNoLonger() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let daemon = try Shared.daemon(redis, mock, TempDir())
        let key = try Shared.key(daemon, #"{"name":"kept","rpm":100}"#)
        let (req, tok) = Self.keys(key.id)
        #expect(try Self.ask(daemon, key.secret).status == 200)
        for name in [req, tok] {
            let ttl = try redis.command("PTTL \(name)")
            let millis = try #require(Int(ttl.dropFirst()), "\(name): \(ttl)")
            #expect(millis > 61_000 && millis <= 122_000, "\(name): \(ttl)")
        }
        // Until when the keys are kept, as the admission script last pushed it.
        #expect(try Int(redis.command("HGET \(tok) _kept")) ?? 0 > 0)
    }

    /// A Redis that forgot the scripts (restarted, or `SCRIPT FLUSH`ed) still counts: the call
    /// is sent again as `EVAL` on `NOSCRIPT`, and the window kept in Redis holds.
    @Test func scriptsForgottenByRedisAreSentAgainAndTheCountHolds() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let daemon = try Shared.daemon(redis, mock, TempDir())
        let key = try Shared.key(daemon, #"{"name":"flushed","rpm":3}"#)
        for _ in 0..<2 { #expect(try Self.ask(daemon, key.secret).status == 200) }
        #expect(try redis.command("SCRIPT FLUSH") == "+OK")
        // Counted locally (what a failed call would fall back to) this would be 200 twice.
        #expect(try Self.ask(daemon, key.secret).status == 200)
        let refused = try Self.ask(daemon, key.secret)
        #expect(refused.status == 429, "\(refused.body)")
        #expect(try redis.command("ZCARD \(Self.keys(key.id).req)") == ":3")
    }
}
