import ChatModel
import Foundation
import Reactor
import Redis
import Synchronization
import TestSupport
import Testing

@testable import Gateway
@testable import Store

/// A loop's admissions of one key in one round go to a real Redis in one call of the admit
/// script, which decides them in order, each seeing what the ones before it took.
@Suite("Admissions batched per key, against a real Redis")
struct AdmissionBatchTests {
    final class Outcomes: Sendable {
        let list = Mutex<[String]>([])
        func add(_ outcome: SharedLimitsClient.Outcome) {
            let text: String
            switch outcome {
            case .admitted: text = "admitted"
            case .refused(let error):
                text =
                    "\(error.status) \(error.message) remaining \(error.headers["x-ratelimit-remaining-tokens"] ?? "-")"
            case .tokenBudgetSpent(let n): text = "token budget \(n)"
            case .dollarBudgetSpent(let d): text = "dollar budget \(d)"
            case .unavailable: text = "unavailable"
            }
            list.withLock { $0.append(text) }
        }
    }

    static func waitFor(_ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while try !condition() {
            guard Date() < deadline else { throw RedisServerError.timeout }
            usleep(2_000)
        }
    }

    /// Calls of the admit script Redis has run (`EVAL` before the script is loaded, `EVALSHA` after).
    static func scriptCalls(_ redis: RedisServer) throws -> Int {
        let stats = try redis.command("INFO commandstats")
        return stats.split(whereSeparator: \.isNewline).reduce(0) { total, line in
            guard line.hasPrefix("cmdstat_eval:") || line.hasPrefix("cmdstat_evalsha:"),
                let calls = line.split(separator: "=").dropFirst().first?.split(separator: ",").first
            else { return total }
            return total + (Int(calls) ?? 0)
        }
    }

    /// A loop with one connected client of the Redis limits; corrections wait for the next
    /// admission (a minute at most).
    static func connectedLoop(_ redis: RedisServer) throws -> (EventLoop, SharedLimits) {
        let loop = try EventLoop()
        let thread = Thread { loop.run() }
        thread.start()
        var settings = SharedLimitsSettings()
        settings.backend = .redis
        settings.url = redis.url
        settings.correctionDelayMillis = 60_000
        let shared = SharedLimits(
            settings: settings, endpoint: try RedisEndpoint.parse(redis.url).get(), nodeId: "n1", loopCount: 1,
            log: { _, _ in })
        loop.execute { SharedLimitsClient.forLoop(loop, shared: shared).start(advertising: false) }
        try Self.waitFor { !shared.isDegraded }
        return (loop, shared)
    }

    static let noBudgets = BudgetScripts.arguments(
        tokenBudget: nil, tokensSpent: 0, budgetUSD: nil, spentUSD: 0, worstCaseUSD: 0, keepMillis: 0)

    /// Without `max_concurrent` the key's batches go to the rated-only script
    /// (`LimitScripts.admitRated`), with it to the full one: both decide the same.
    @Test(arguments: [nil, 100])
    func aRoundsAdmissionsOfOneKeyGoInOneCallAndAreDecidedInOrder(maxConcurrent: Int?) throws {
        let redis = try RedisServer()
        let (loop, shared) = try Self.connectedLoop(redis)
        defer { loop.stop() }

        let key = VirtualKey(
            id: "key_batch", name: "b", created: 0, revoked: nil, models: [], rpm: 3, tpm: 45,
            maxConcurrent: maxConcurrent, tokenBudget: nil, hash: "")
        #expect(
            AdmissionBatch(key: key, periodStart: nil, budgets: Self.noBudgets.shared).isRatedOnly
                == (maxConcurrent == nil))
        let outcomes = Outcomes()
        // One admission of another key first, answered: the connection is up and idle, the
        // script loaded (a slow start under load would otherwise batch all five, or add an `EVAL`).
        let warm = VirtualKey(
            id: "key_warm", name: "w", created: 0, revoked: nil, models: [], rpm: 100, tpm: nil, maxConcurrent: nil,
            tokenBudget: nil, hash: "")
        let warmed = Outcomes()
        loop.execute {
            SharedLimitsClient.forLoop(loop, shared: shared).admit(
                warm, estimatedTokens: 1, budgets: Self.noBudgets, periodStart: nil
            ) { warmed.add($0) }
        }
        try Self.waitFor { warmed.list.withLock { $0.count } == 1 }
        #expect(warmed.list.withLock { $0 } == ["admitted"])
        let before = try Self.scriptCalls(redis)
        loop.execute {
            let client = SharedLimitsClient.forLoop(loop, shared: shared)
            // The first finds the connection idle and goes alone; the other four wait for the
            // round's end and go together.
            for estimate in [10, 20, 30, 10, 5] {
                client.admit(key, estimatedTokens: estimate, budgets: Self.noBudgets, periodStart: nil) {
                    outcomes.add($0)
                }
            }
        }
        try Self.waitFor { outcomes.list.withLock { $0.count } == 5 }
        let tpm = "429 token rate limit reached for this key (tpm 45)"
        let rpm = "429 request rate limit reached for this key (rpm 3)"
        #expect(
            outcomes.list.withLock { $0 } == [
                // 10 and 20 in the window: 30 more would be 60 > 45; 10 more fits; then 3 requests.
                "admitted", "admitted", "\(tpm) remaining 15", "admitted", "\(rpm) remaining 5",
            ])
        #expect(try Self.scriptCalls(redis) - before == 2)
        #expect(try redis.command("ZCARD switchboard:key:{key_batch}:req") == ":3")
        // The three admitted hold the key's concurrency slots only when it has a limit.
        #expect(try redis.command("ZCARD switchboard:key:{key_batch}:lease") == (maxConcurrent == nil ? ":0" : ":3"))
        #expect(try redis.command("HGET switchboard:key:{key_batch}:tok _sum") == "40")
    }

    /// A correction that rides with an admission for an entry leaving the window in that same
    /// call: the entry's tokens leave the sum as counted (its estimate), not corrected first and
    /// then taken off as the estimate.
    @Test func aCorrectionOfAnEntryThatExpiresInTheSameCallLeavesTheSumRight() throws {
        let redis = try RedisServer()
        let (loop, shared) = try Self.connectedLoop(redis)
        defer { loop.stop() }
        let (req, tok) = ("switchboard:key:{key_gone}:req", "switchboard:key:{key_gone}:tok")
        // Admitted long ago (score 1 ms) with an estimate of 30, counted in the sum.
        #expect(try redis.command("ZADD \(req) 1 ancient") == ":1")
        #expect(try redis.command("HSET \(tok) ancient 30 _sum 30") == ":2")
        let key = VirtualKey(
            id: "key_gone", name: "g", created: 0, revoked: nil, models: [], rpm: nil, tpm: 1000, maxConcurrent: nil,
            tokenBudget: nil, hash: "")
        let outcomes = Outcomes()
        loop.execute {
            let client = SharedLimitsClient.forLoop(loop, shared: shared)
            // It really used 50: the count waits for the key's next admission.
            client.settle(
                keyId: key.id, request: "ancient", tokens: 50, usd: nil, periodStart: nil, withoutBudgets: true)
            client.admit(key, estimatedTokens: 7, budgets: Self.noBudgets, periodStart: nil) { outcomes.add($0) }
        }
        try Self.waitFor { outcomes.list.withLock { $0.count } == 1 }
        #expect(outcomes.list.withLock { $0 } == ["admitted"])
        #expect(try redis.command("HEXISTS \(tok) ancient") == ":0")
        #expect(try redis.command("HGET \(tok) _sum") == "7")
    }
}
