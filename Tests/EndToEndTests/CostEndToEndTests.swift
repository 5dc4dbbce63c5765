import Foundation
import Testing

/// Issue 15: every request's cost, by each provider's billing rule, through the real daemon
/// and the emulator; reported by `/v1/usage`, `/metrics` and `switchboard usage`.
@Suite("Cost, end to end")
struct CostEndToEndTests {
    /// The emulator reports the counts each model name asks for, in each provider's own
    /// spelling (Anthropic's input without cached tokens, Gemini's thoughts apart from the
    /// answer); the aliases carry their prices in the configuration.
    static let yaml = """
        models:
          oa: {provider: openai, model: "text+input=2000+output=500+cached=1500+reasoning=300"}
          an: {provider: anthropic, model: "text+input=1000+output=100+cached=600+cache_write=300"}
          ge: {provider: gemini, model: "text+input=400+output=90+reasoning=60+cached=100"}
          mini: {provider: openai, model: gpt-4o-mini}
          unpriced: {provider: openai, model: "text+input=5"}
        prices:
          oa: {input: 1, output: 4, cache_read: 0.25}
          an: {input: 3, output: 15, cache_read: 0.3, cache_write_5m: 3.75, cache_write_1h: 6}
          ge: {input: 0.3, output: 2.5, cache_read: 0.075}
        """

    /// The usage rows, once `count` requests are written (the writer batches for up to 100 ms).
    static func usage(_ daemon: SwitchboardProcess, query: String, requests count: Int) throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for _ in 0..<200 {
            rows = jsonObject(try curl(daemon.baseURL + "/v1/usage?\(query)").body)?["data"] as? [[String: Any]] ?? []
            if rows.reduce(0, { $0 + ($1["requests"] as? Int ?? 0) }) >= count { return rows }
            usleep(20_000)
        }
        return rows
    }

    static func close(_ a: Any?, _ b: Double) -> Bool {
        guard let a = a as? Double ?? (a as? Int).map(Double.init) else { return false }
        return abs(a - b) < 1e-9
    }

    @Test func eachProviderIsBilledByItsOwnRule() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock, yaml: Self.yaml)
        for model in ["oa", "an", "ge", "mini", "unpriced"] {
            let answer = try ChatEndToEndTests.chat(daemon, model: model, stream: model != "mini")
            #expect(answer.status == 200, "\(model): \(answer.body)")
        }
        let rows = try Self.usage(daemon, query: "group_by=model", requests: 5)
        let byModel = Dictionary(uniqueKeysWithValues: rows.map { ($0["model"] as? String ?? "", $0) })
        // OpenAI: prompt_tokens (2000) includes cached_tokens (1500); reasoning is inside the 500 completion tokens.
        let openAI: Double = 500 * 1 + 1500 * 0.25 + 500 * 4  // 2875 micro-dollars
        #expect(Self.close(byModel["oa"]?["cost_usd"], openAI / 1e6))
        // Anthropic: input_tokens (100) excludes the 600 read and 300 written.
        let anthropic: Double = 100 * 3 + 600 * 0.3 + 300 * 3.75 + 100 * 15  // 3105
        #expect(Self.close(byModel["an"]?["cost_usd"], anthropic / 1e6))
        // Gemini: 400 prompt of which 100 cached; 30 candidates + 60 thoughts, all output.
        let gemini: Double = 300 * 0.3 + 100 * 0.075 + 90 * 2.5  // 322.5
        #expect(Self.close(byModel["ge"]?["cost_usd"], gemini / 1e6))
        // No override: the built-in table's gpt-4o-mini ($0.15 in, $0.60 out).
        let mini = try #require(byModel["mini"])
        let input = Double(mini["input_tokens"] as? Int ?? -1), output = Double(mini["output_tokens"] as? Int ?? -1)
        #expect(input > 0 && output > 0)
        let miniCost: Double = input * 0.15 + output * 0.6
        #expect(Self.close(mini["cost_usd"], miniCost / 1e6))
        // No price: no cost (not 0), counted apart.
        #expect(Self.close(byModel["unpriced"]?["cost_usd"], 0))
        #expect(byModel["unpriced"]?["unpriced_requests"] as? Int == 1)
        #expect(byModel["oa"]?["unpriced_requests"] as? Int == 0)

        // Without grouping, one row sums every priced request.
        let all = try Self.usage(daemon, query: "", requests: 5)
        let expectedTotal: Double = openAI + anthropic + gemini + miniCost
        #expect(Self.close(all.first?["cost_usd"], expectedTotal / 1e6))
        #expect(all.first?["unpriced_requests"] as? Int == 1)

        // Each row names the price entry its cost came from.
        let config = daemon.process.arguments?[2] ?? ""
        let database = URL(fileURLWithPath: config).deletingLastPathComponent().appendingPathComponent("switchboard.db")
            .path
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(json.dumps(dict(db.execute("select alias, coalesce(price_entry, '-') from usage").fetchall())))
            """
        let entries = try run("/usr/bin/python3", ["-c", script, database], environment: ["PATH": "/usr/bin:/bin"])
        #expect(
            jsonObject(entries.stdout) as? [String: String] == [
                "oa": "config:oa", "an": "config:an", "ge": "config:ge", "mini": "table:gpt-4o-mini", "unpriced": "-",
            ], "\(entries.stdout) \(entries.stderr)")

        let metrics = try curl(daemon.baseURL + "/metrics").body
        #expect(
            metrics.contains(
                #"switchboard_cost_usd_total{provider="anthropic","#
                    + #"model="text+input=1000+output=100+cached=600+cache_write=300",key=""} 0.003105"#
            ),
            "\(metrics)")
        #expect(metrics.contains(#"switchboard_unpriced_requests_total{provider="openai",model="text+input=5"} 1"#))
    }

    @Test func spendIsReportedPerKeyAndModel() throws {
        let mock = try Launch.mock()
        let admin = KeysEndToEndTests.admin
        let daemon = try Launch.daemon(behind: mock, yaml: Self.yaml, environment: ["SWITCHBOARD_ADMIN_KEY": admin])
        let created = try curl(
            daemon.baseURL + "/admin/keys", headers: ["Authorization": "Bearer \(admin)"],
            body: #"{"name":"team"}"#)
        let secret = try #require(jsonObject(created.body)?["key"] as? String)
        let keyId = try #require(jsonObject(created.body)?["id"] as? String)
        for model in ["oa", "oa", "an"] {
            #expect(
                try ChatEndToEndTests.chat(daemon, model: model, headers: ["Authorization": "Bearer \(secret)"]).status
                    == 200)
        }
        var rows: [[String: Any]] = []
        for _ in 0..<200 {
            let answer = try curl(
                daemon.baseURL + "/v1/usage?group_by=key,model&since=2000-01-01",
                headers: ["Authorization": "Bearer \(admin)"])
            rows = jsonObject(answer.body)?["data"] as? [[String: Any]] ?? []
            if rows.reduce(0, { $0 + ($1["requests"] as? Int ?? 0) }) >= 3 { break }
            usleep(20_000)
        }
        let oa = rows.first { $0["key"] as? String == keyId && $0["model"] as? String == "oa" }
        let twice: Double = 2 * 2875 / 1e6
        #expect(Self.close(oa?["cost_usd"], twice))
        #expect(oa?["requests"] as? Int == 2)

        // The CLI shows the same sums in its cost column.
        let cli = try run(
            Repo.binary, ["usage", "--url", daemon.baseURL, "--group-by", "key,model", "--key-id", keyId],
            environment: ["SWITCHBOARD_ADMIN_KEY": admin, "SWITCHBOARD_API_KEY": admin])
        #expect(cli.stdout.contains("COST USD"), "\(cli.stdout) \(cli.stderr)")
        #expect(cli.stdout.contains("$0.005"), "\(cli.stdout)")
        #expect(cli.stdout.contains("$0.0031"), "\(cli.stdout)")
    }

    @Test func aLoopsTurnsAreEachPricedAndSum() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(
            behind: mock,
            yaml: """
                models:
                  looped: {provider: openai, model: "tools+calls=1+tool_turns=1+input=100+output=10+run=cost"}
                prices:
                  looped: {input: 1000, output: 1000}
                """)
        let stream = try LoopStream(daemon, body: LoopEndToEndTests.body("looped"))
        let awaiting = stream.wait(for: "awaiting_tools", count: 1)
        try #require(awaiting.count == 1, "\(stream.text)")
        let loopId = awaiting[0]["loop_id"] as? String ?? ""
        let ids = (awaiting[0]["tool_calls"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        let posted = try LoopEndToEndTests.post(daemon, loopId, LoopEndToEndTests.results(ids.map { ($0, "sunny") }))
        #expect(posted.status == 202, "\(posted.body)")
        #expect(stream.waitForEnd(), "\(stream.text)")
        // Two turns, each 100 input + 10 output tokens at $1,000 per million: $0.11 a turn.
        let rows = try Self.usage(daemon, query: "group_by=model", requests: 2)
        #expect(rows.first?["requests"] as? Int == 2)
        let twoTurns: Double = 2 * 110 * 1000 / 1e6
        #expect(Self.close(rows.first?["cost_usd"], twoTurns), "\(rows)")
    }
}
