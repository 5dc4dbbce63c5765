import Foundation
import TestSupport
import Testing

/// `limits: {backend: redis}`: a key's token and dollar budgets hold across daemons, counted in
/// a real `redis-server` in the same atomic admission as the key's rate limits.
@Suite("Shared budgets through Redis, end to end")
struct SharedBudgetsEndToEndTests {
    typealias Shared = SharedLimitsEndToEndTests

    /// A daemon with the metered model and its prices (see `BudgetEndToEndTests`), counting in
    /// `redis`, its database in `dir` (two daemons given the same `dir` share their keys).
    static func daemon(_ redis: RedisServer, _ mock: SwitchboardProcess, _ dir: TempDir) throws -> SwitchboardProcess {
        try Launch.daemon(
            behind: mock,
            yaml: BudgetEndToEndTests.yaml + "\nlimits: {backend: redis, url: \"\(redis.url)\"}\n",
            environment: [
                "SWITCHBOARD_ADMIN_KEY": Shared.admin, "SWITCHBOARD_DATABASE": dir.path("switchboard.db"),
            ])
    }

    static func raw(_ secret: String, _ body: String) -> String {
        rawPost("/v1/chat", body: body, headers: ["Authorization: Bearer \(secret)"])
    }

    /// The first day (days since 1970-01-01, UTC) of this month: where a monthly budget counts.
    static var monthStart: Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let first = calendar.date(from: calendar.dateComponents([.year, .month], from: Date()))!
        return Int(first.timeIntervalSince1970 / 86_400)
    }

    /// Every answer costs $0.70 and reserves $4.40 at worst; a $5 budget spent from two daemons,
    /// first by a burst on both, then one request at a time alternating, until both refuse.
    /// Counted per daemon each would spend up to $5.60 ($11.20 together); shared, the total stays
    /// within the budget plus one worst case ($9.40), and Redis's counter is the spend.
    @Test func aDollarBudgetHoldsAcrossTwoDaemons() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let dir = TempDir()
        let first = try Self.daemon(redis, mock, dir)
        let key = try Shared.key(first, #"{"name":"dollars","budget_usd":5,"budget_period":"monthly"}"#)
        let second = try Self.daemon(redis, mock, dir)
        let daemons = [first, second]
        let request = Self.raw(key.secret, BudgetEndToEndTests.body)
        var admitted = try burst(20, of: request, over: daemons, timeoutSeconds: 30).filter { $0 == 200 }.count
        #expect(admitted >= 1)
        var refusals = 0, turn = 0
        while refusals < 2, turn < 40 {
            let answer = try curl(
                daemons[turn % 2].baseURL + "/v1/chat",
                headers: ["Authorization": "Bearer \(key.secret)", "Content-Type": "application/json"],
                body: BudgetEndToEndTests.body)
            turn += 1
            if answer.status == 200 {
                admitted += 1
                refusals = 0
            } else {
                #expect(answer.status == 429, "\(answer.body)")
                #expect(answer.body.contains("budget_exceeded"))
                #expect(answer.headers["x-ratelimit-limit-usd"] == "5")
                refusals += 1
            }
        }
        #expect(refusals == 2, "both daemons refuse once the budget is reached")
        let spent = Double(admitted) * BudgetEndToEndTests.cost
        #expect(spent >= 5 - 1e-9, "admitted \(admitted)")
        #expect(spent <= 5 + BudgetEndToEndTests.worstCase + 1e-9, "admitted \(admitted)")
        let counter = "GET switchboard:key:{\(key.id)}:usd:\(Self.monthStart)"
        try Shared.waitFor { abs((Double((try? redis.command(counter)) ?? "") ?? -1) - spent) < 1e-6 }
        #expect(try redis.command("EXISTS switchboard:key:{\(key.id)}:usdamt") == ":0", "no reservation left")
    }

    /// Every answer is 15 tokens: a budget of 45 admits exactly 3 requests across the daemons.
    @Test func aTokenBudgetIsSharedExactly() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let dir = TempDir()
        let first = try Self.daemon(redis, mock, dir)
        let key = try Shared.key(first, #"{"name":"tokens","token_budget":45}"#)
        let second = try Self.daemon(redis, mock, dir)
        let spent = "GET switchboard:key:{\(key.id)}:tspent"
        func ask(_ daemon: SwitchboardProcess) throws -> CurlResponse {
            try curl(
                daemon.baseURL + "/v1/chat", method: "POST", headers: ["Authorization": "Bearer \(key.secret)"],
                body: #"{"model":"openai/text","stream":false,"max_tokens":10,"#
                    + #""messages":[{"role":"user","content":"hi"}]}"#)
        }
        for (i, daemon) in [first, second, first].enumerated() {
            #expect(try ask(daemon).status == 200)
            try Shared.waitFor { (try? redis.command(spent)) == String(15 * (i + 1)) }
        }
        for daemon in [second, first] {
            let refused = try ask(daemon)
            #expect(refused.status == 429)
            #expect(refused.body.contains("token budget of 45"))
            #expect(refused.headers["x-ratelimit-limit-tokens"] == "45")
        }
    }

    /// A key that spent 30 tokens before Redis counted it (on a daemon with local limits, same
    /// store): the counter is seeded with the store's 30, so a budget of 45 admits one more.
    @Test func theCounterIsSeededFromTheStore() throws {
        let redis = try RedisServer()
        let mock = try Launch.mock()
        let dir = TempDir()
        let local = try Launch.daemon(
            behind: mock, yaml: BudgetEndToEndTests.yaml,
            environment: ["SWITCHBOARD_ADMIN_KEY": Shared.admin, "SWITCHBOARD_DATABASE": dir.path("switchboard.db")])
        let key = try Shared.key(local, #"{"name":"seeded","token_budget":45}"#)
        let body =
            #"{"model":"openai/text","stream":false,"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#
        func ask(_ daemon: SwitchboardProcess) throws -> Int {
            try curl(
                daemon.baseURL + "/v1/chat", method: "POST", headers: ["Authorization": "Bearer \(key.secret)"],
                body: body
            ).status
        }
        #expect(try ask(local) == 200)
        #expect(try ask(local) == 200)
        try Shared.waitFor {
            let usage = try? curl(
                local.baseURL + "/v1/usage?key=\(key.id)", headers: ["Authorization": "Bearer \(Shared.admin)"])
            let rows = jsonObject(usage?.body ?? "")?["data"] as? [[String: Any]]
            return rows?.first?["requests"] as? Int == 2
        }
        let shared = try Self.daemon(redis, mock, dir)
        #expect(try ask(shared) == 200)
        try Shared.waitFor { (try? redis.command("GET switchboard:key:{\(key.id)}:tspent")) == "45" }
        #expect(try ask(shared) == 429)
    }
}
