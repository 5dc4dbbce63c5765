import Foundation
import Testing

/// Issue 15: dollar budgets on keys, through the real daemon and the emulator.
@Suite("Dollar budgets, end to end")
struct BudgetEndToEndTests {
    static let admin = KeysEndToEndTests.admin
    /// Every answer reports 50 input and 20 output tokens at $10,000 per million: $0.70. The
    /// prompt below (100 characters, max_tokens 20) reserves its worst case: (256 framing + 64
    /// for the message + 100 bytes) × $0.01 + 20 × $0.01 = $4.40.
    static let yaml = """
        models:
          metered: {provider: openai, model: "text+input=50+output=20+chunks=4+interval_ms=50"}
        prices:
          metered: {input: 10000, output: 10000}
        """
    static let cost = 0.70
    static let worstCase = 4.40
    static let body =
        #"{"model":"metered","max_tokens":20,"stream":false,"messages":[{"role":"user","#
        + #""content":"\#(String(repeating: "x", count: 100))"}]}"#

    func daemon() throws -> SwitchboardProcess {
        try Launch.daemon(
            behind: try Launch.mock(), yaml: Self.yaml, environment: ["SWITCHBOARD_ADMIN_KEY": Self.admin])
    }

    func createKey(_ daemon: SwitchboardProcess, _ spec: String) throws -> (id: String, secret: String) {
        let created = try curl(
            daemon.baseURL + "/admin/keys", headers: ["Authorization": "Bearer \(Self.admin)"], body: spec)
        #expect(created.status == 201, "\(created.body)")
        let json = jsonObject(created.body)
        return (try #require(json?["id"] as? String), try #require(json?["key"] as? String))
    }

    /// The key's dollars in the usage table, once `requests` rows are written.
    func spent(_ daemon: SwitchboardProcess, key: String, requests: Int) throws -> Double {
        var rows: [[String: Any]] = []
        for _ in 0..<300 {
            let answer = try curl(
                daemon.baseURL + "/v1/usage?key=\(key)", headers: ["Authorization": "Bearer \(Self.admin)"])
            rows = jsonObject(answer.body)?["data"] as? [[String: Any]] ?? []
            if (rows.first?["requests"] as? Int ?? 0) >= requests { break }
            usleep(20_000)
        }
        return rows.first?["cost_usd"] as? Double ?? (rows.first?["cost_usd"] as? Int).map(Double.init) ?? -1
    }

    func send(_ daemon: SwitchboardProcess, secret: String) throws -> CurlResponse {
        try curl(
            daemon.baseURL + "/v1/chat",
            headers: ["Authorization": "Bearer \(secret)", "Content-Type": "application/json"],
            body: Self.body)
    }

    @Test func hundredConcurrentRequestsOverspendBySomeOneWorstCaseAtMost() throws {
        let daemon = try daemon()
        let key = try createKey(daemon, #"{"name":"small","budget_usd":5,"budget_period":"monthly"}"#)
        let request =
            "POST /v1/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key.secret)\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(Self.body.utf8.count)\r\n\r\n\(Self.body)"
        var clients: [RawClient] = []
        for _ in 0..<100 {
            let client = try RawClient(port: daemon.port, timeoutSeconds: 30)
            #expect(client.send(request))
            clients.append(client)
        }
        var statuses: [Int] = []
        var sawBudgetHeaders = false
        for client in clients {
            let answer = client.readToEnd()
            statuses += statusCodes(in: answer).prefix(1)
            if answer.contains("budget_exceeded") {
                sawBudgetHeaders =
                    answer.lowercased().contains("retry-after:")
                    && answer.contains("x-ratelimit-reset-usd:") && answer.contains("x-ratelimit-limit-usd: 5")
            }
        }
        let admitted = statuses.filter { $0 == 200 }.count
        #expect(statuses.count == 100)
        #expect(admitted >= 1)
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 }, "\(statuses)")
        #expect(sawBudgetHeaders)
        let spentNow = try spent(daemon, key: key.id, requests: 100)
        #expect(abs(spentNow - Double(admitted) * Self.cost) < 1e-6, "\(spentNow)")
        #expect(spentNow <= 5 + Self.worstCase, "spent \(spentNow) with \(admitted) admitted")

        // One at a time, the key spends until it reaches its budget, and then stops: each
        // request was admitted below $5, so the last one ends below $5 + its cost.
        var answers = 0
        while answers < 20, try send(daemon, secret: key.secret).status == 200 { answers += 1 }
        let final = try spent(daemon, key: key.id, requests: 100 + answers + 1)
        #expect(final >= 5 && final < 5 + Self.cost, "\(final)")
        let refused = try send(daemon, secret: key.secret)
        #expect(refused.status == 429)
        #expect((jsonObject(refused.body)?["error"] as? [String: Any])?["type"] as? String == "budget_exceeded")
        let retryAfter = try #require(Int(refused.headers["retry-after"] ?? ""))
        #expect(retryAfter >= 1 && retryAfter <= 31 * 86_400)  // the start of next month, UTC
    }

    @Test func patchChangesTheBudgetAndTheTokenBudgetStillWorks() throws {
        let daemon = try daemon()
        let key = try createKey(daemon, #"{"name":"tiny","budget_usd":0.5}"#)
        #expect(try send(daemon, secret: key.secret).status == 200)  // $0 < $0.50: admitted, costs $0.70
        let over = try send(daemon, secret: key.secret)
        #expect(over.status == 429)
        #expect(over.headers["retry-after"] == nil)  // a total budget never resets by itself

        let admin = ["Authorization": "Bearer \(Self.admin)", "Content-Type": "application/json"]
        let bad = try curl(
            daemon.baseURL + "/admin/keys/\(key.id)", method: "PATCH", headers: admin,
            body: #"{"budget_usd":-1}"#)
        #expect(bad.status == 400)
        #expect(bad.body.contains("budget_usd"))
        let patched = try curl(
            daemon.baseURL + "/admin/keys/\(key.id)", method: "PATCH", headers: admin,
            body: #"{"budget_usd":10,"budget_period":"daily","token_budget":100}"#)
        #expect(patched.status == 200, "\(patched.body)")
        #expect(jsonObject(patched.body)?["budget_period"] as? String == "daily")
        #expect(try send(daemon, secret: key.secret).status == 200)
        // 2 × 70 tokens used: the token budget of 100 now refuses, dollars left or not.
        let tokens = try send(daemon, secret: key.secret)
        #expect(tokens.status == 429)
        #expect(tokens.headers["x-ratelimit-limit-tokens"] == "100")
        let missing = try curl(daemon.baseURL + "/admin/keys/key_nope", method: "PATCH", headers: admin, body: "{}")
        #expect(missing.status == 404)
    }

    @Test func cliCreatesAKeyWithADollarBudget() throws {
        let daemon = try daemon()
        let env = ["SWITCHBOARD_ADMIN_KEY": Self.admin]
        let created = try run(
            Repo.binary,
            [
                "keys", "create", "ci", "--budget-usd", "5", "--period", "monthly",
                "--url", daemon.baseURL,
            ], environment: env)
        #expect(created.status == 0, "\(created.stderr)")
        let list = try curl(daemon.baseURL + "/admin/keys", headers: ["Authorization": "Bearer \(Self.admin)"])
        let key = (jsonObject(list.body)?["data"] as? [[String: Any]])?.first
        #expect(key?["budget_usd"] as? Int == 5)
        #expect(key?["budget_period"] as? String == "monthly")
        let id = try #require(key?["id"] as? String)
        let updated = try run(
            Repo.binary, ["keys", "update", id, "--budget-usd", "0", "--url", daemon.baseURL], environment: env)
        #expect(updated.status == 0, "\(updated.stderr)")
        let after = try curl(daemon.baseURL + "/admin/keys", headers: ["Authorization": "Bearer \(Self.admin)"])
        #expect((jsonObject(after.body)?["data"] as? [[String: Any]])?.first?["budget_usd"] is NSNull)
    }
}
