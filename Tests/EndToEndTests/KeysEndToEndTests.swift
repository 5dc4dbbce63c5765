import Foundation
import Testing

/// Keys, limits and usage through the real daemon and the real CLI.
@Suite("Keys and usage, end to end")
struct KeysEndToEndTests {
    static let admin = "admin-secret-for-tests"

    func cli(_ daemon: SwitchboardProcess, _ args: [String], key: String? = nil) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        var env = ["PATH": "/usr/bin:/bin", "SWITCHBOARD_URL": daemon.baseURL, "HOME": NSTemporaryDirectory()]
        if let key { env["SWITCHBOARD_API_KEY"] = key } else { env["SWITCHBOARD_ADMIN_KEY"] = Self.admin }
        return try run(Repo.binary, args, environment: env)
    }

    /// A daemon with OpenAI behind `mock`, this suite's admin key and its database in `dir`.
    static func daemon(behind mock: SwitchboardProcess, _ dir: TempDir) throws -> SwitchboardProcess {
        try SwitchboardProcess(
            ["serve", "--listen", "127.0.0.1:0"],
            environment: [
                "OPENAI_API_KEY": "test-key-openai", "OPENAI_BASE_URL": mock.baseURL,
                "SWITCHBOARD_ADMIN_KEY": admin,
                "SWITCHBOARD_DATABASE": dir.path("db"),
            ])
    }

    @Test func createUseLimitRevokeAndMeter() throws {
        let mock = try Launch.mock()
        let dir = TempDir()
        let daemon = try Self.daemon(behind: mock, dir)
        // Before any key exists, loopback needs no auth.
        #expect(try ChatEndToEndTests.chat(daemon, model: "openai/text").status == 200)

        let created = try cli(daemon, ["keys", "create", "ci", "--rpm", "2", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let key = try #require(jsonObject(created.stdout))
        let secret = try #require(key["key"] as? String)
        #expect(secret.hasPrefix("sb-") && secret.count == 46)
        let id = try #require(key["id"] as? String)

        // Now every /v1 call needs a key.
        let anonymous = try ChatEndToEndTests.chat(daemon, model: "openai/text")
        #expect(anonymous.status == 401)
        #expect((jsonObject(anonymous.body)?["error"] as? [String: Any])?["type"] as? String == "unauthorized")
        #expect(
            try ChatEndToEndTests.chat(daemon, model: "openai/text", headers: ["Authorization": "Bearer sb-wrong"])
                .status == 401)

        let auth = ["Authorization": "Bearer \(secret)"]
        #expect(try ChatEndToEndTests.chat(daemon, model: "openai/text+input=11+chunks=4", headers: auth).status == 200)
        #expect(
            try ChatEndToEndTests.chat(daemon, model: "openai/text+input=11+chunks=4", headers: ["x-api-key": secret])
                .status == 200)
        let limited = try ChatEndToEndTests.chat(daemon, model: "openai/text", headers: auth)
        #expect(limited.status == 429)
        #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 >= 1)
        #expect(limited.headers["x-ratelimit-limit-requests"] == "2")
        #expect(limited.headers["x-ratelimit-remaining-requests"] == "0")

        // A key is not the admin key.
        let notAdmin = try curl(daemon.baseURL + "/admin/keys", headers: auth)
        #expect(notAdmin.status == 403)

        // Usage: the key's two answered requests, exactly the emulator's numbers (11 in, 4 out
        // each), and the refused one as a request of its own with no tokens.
        var rows: [[String: Any]] = []
        for _ in 0..<50 where rows.count < 2 {
            usleep(50_000)
            let usage = try curl(daemon.baseURL + "/v1/usage?group_by=model", headers: auth)
            rows = jsonObject(usage.body)?["data"] as? [[String: Any]] ?? []
        }
        #expect(rows.count == 2)
        let answered = rows.first { $0["model"] as? String == "openai/text+input=11+chunks=4" }
        #expect(answered?["requests"] as? Int == 2)
        #expect(answered?["input_tokens"] as? Int == 22)
        #expect(answered?["output_tokens"] as? Int == 8)
        let refused = rows.first { $0["model"] as? String == "openai/text" }
        #expect(refused?["requests"] as? Int == 1)
        #expect(refused?["total_tokens"] as? Int == 0)
        let table = try cli(daemon, ["usage", "--group-by", "model"], key: secret)
        #expect(table.status == 0)
        #expect(table.stdout.contains("openai/text+input=11+chunks=4"))
        #expect(table.stdout.contains("22"))

        let listed = try cli(daemon, ["keys", "list"])
        #expect(listed.stdout.contains(id))
        #expect(!listed.stdout.contains(secret))
        #expect(try cli(daemon, ["keys", "revoke", id]).status == 0)
        #expect(try ChatEndToEndTests.chat(daemon, model: "openai/text", headers: auth).status == 401)
        let badCLI = try cli(daemon, ["keys", "list"], key: "nope")
        #expect(badCLI.status != 0)
    }

    @Test func modelsPrintsATableAndJSON() throws {
        let dir = TempDir()
        let config = dir.write(
            "c.yaml",
            """
            listen: 127.0.0.1:0
            database: \(dir.path("db"))
            providers:
              openai: {api_key_env: OPENAI_API_KEY}
            models:
              fast: {provider: openai, model: gpt-4o-mini, fallbacks: [slow]}
              slow: {provider: openai, model: o3}
            """)
        let daemon = try SwitchboardProcess(["serve", "--config", config], environment: ["OPENAI_API_KEY": "k"])
        let table = try run(Repo.binary, ["models", "--url", daemon.baseURL], environment: ["PATH": "/usr/bin:/bin"])
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        #expect(lines.first == "MODEL PROVIDER PROVIDER MODEL FALLBACKS")
        #expect(lines.contains("fast openai gpt-4o-mini slow"))
        #expect(lines.contains("openai/o3 openai o3 -"))
        let json = try run(
            Repo.binary, ["models", "--url", daemon.baseURL, "--json"], environment: ["PATH": "/usr/bin:/bin"])
        #expect((jsonObject(json.stdout)?["data"] as? [Any])?.count == 4)
    }

    @Test func clientCommandsExplainAMissingDaemon() throws {
        let result = try run(
            Repo.binary, ["models", "--url", "http://127.0.0.1:9"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot reach the daemon"))
    }
}
