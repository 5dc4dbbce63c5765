import Foundation
import Testing

/// Issue 15 with issue 14's deployments: an alias over two deployments is priced by whichever
/// answered (`prices:` keyed `provider/model`, or `provider/*` for a free self-hosted server),
/// in the answer's `cost_usd` and in its usage row, before the alias's own price.
@Suite("Prices per deployment, end to end")
struct DeploymentPriceEndToEndTests {
    static let model = "text+input=1000+output=100"

    static func daemon() throws -> SwitchboardProcess {
        let mock = try Launch.mock()
        let (daemon, _) = try Launch.daemon(
            yaml: """
                providers:
                  azure: {kind: openai, base_url: "\(mock.baseURL)", api_key_env: OPENAI_API_KEY}
                  local: {kind: openai, base_url: "\(mock.baseURL)", api_key_env: OPENAI_API_KEY}
                models:
                  fast:
                    strategy: weighted
                    deployments:
                      - {provider: azure, model: "\(model)", weight: 50}
                      - {provider: local, model: "\(model)", weight: 50}
                  plain: {provider: azure, model: "text+input=10+output=10"}
                prices:
                  fast: {input: 100, output: 100}
                  plain: {input: 100, output: 100}
                  "azure/\(model)": {input: 2, output: 8}
                  "local/*": {input: 0, output: 0}
                """,
            environment: ["OPENAI_API_KEY": "test-key-openai"])
        daemon.attachments.append(mock)
        return daemon
    }

    @Test func eachDeploymentIsPricedByItsOwnEntry() throws {
        let daemon = try Self.daemon()
        // Weighted 50/50: both deployments answer within a few requests (all on one side in 60
        // is a 2^-59 chance).
        var costs: [String: Set<Double>] = [:]
        var sent = 0
        while costs.count < 2, sent < 60 {
            let answer = try ChatEndToEndTests.chat(daemon, model: "fast")
            #expect(answer.status == 200, "\(answer.body)")
            let provider = try #require(answer.headers["x-switchboard-provider"])
            costs[provider, default: []].formUnion(CostOnTheWireEndToEndTests.costs(answer.body))
            sent += 1
        }
        // azure: 1000 × $2 + 100 × $8 per million; local: free; never the alias's $100.
        #expect(costs["azure"] == [2_800 / 1e6], "\(costs)")
        #expect(costs["local"] == [0], "\(costs)")
        // Without a deployment entry, the alias's price still applies: 20 × $100 per million.
        let plain = try ChatEndToEndTests.chat(daemon, model: "plain")
        #expect(CostOnTheWireEndToEndTests.costs(plain.body) == [2_000 / 1e6], "\(plain.body)")

        // Each row names the entry it was priced by, with the same cost the client was sent.
        let rows = try CostEndToEndTests.usage(daemon, query: "group_by=model", requests: sent + 1)
        #expect(rows.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) } == sent + 1)
        let config = daemon.process.arguments?[2] ?? ""
        let database = URL(fileURLWithPath: config).deletingLastPathComponent().appendingPathComponent("switchboard.db")
            .path
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            rows = db.execute("select distinct provider, price_entry, cost_usd from usage "
                              "order by provider, price_entry")
            print(json.dumps([list(r) for r in rows]))
            """
        let entries = try run("/usr/bin/python3", ["-c", script, database], environment: ["PATH": "/usr/bin:/bin"])
        let listed = jsonObject("{\"rows\":\(entries.stdout)}")?["rows"] as? [[Any]] ?? []
        let described = listed.map { row in
            let microDollars = (row.last as? Double).map { Int(($0 * 1e6).rounded()) } ?? -1
            return "\(row.first ?? "") \(row.dropFirst().first ?? "") \(microDollars)"
        }
        #expect(
            described == [
                "azure config:azure/\(Self.model) 2800", "azure config:plain 2000", "local config:local/* 0",
            ],
            "\(entries.stdout) \(entries.stderr)")
    }
}
