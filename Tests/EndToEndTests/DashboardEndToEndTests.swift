import Foundation
import Testing

/// Issue 18 §4: the `/ui` dashboard in a real headless Chromium (Tests/Browser/dashboard.py,
/// Selenium with Debian's chromium and chromium-driver; `make setup-test` installs them)
/// against a daemon with usage in it, made through the emulator first. Screenshots are kept
/// in `.build/test-artifacts/`.
@Suite("Dashboard in a browser")
struct DashboardEndToEndTests {
    static let adminKey = "sb-admin-dashboard-test"
    /// Round prices, so each key's spend is a figure a person can check: `team` costs $1.50 a
    /// request, `writer` $0.60; `flaky` always gets a 503 from the emulator's Gemini.
    static let yaml = """
        models:
          team: {provider: openai, model: "text+input=200000+output=100000"}
          writer: {provider: anthropic, model: "text+input=100000+output=20000"}
          flaky: {provider: gemini, model: "error+status=503"}
        prices:
          team: {input: 2.5, output: 10}
          writer: {input: 3, output: 15}
        """

    static func createKey(_ daemon: SwitchboardProcess, _ body: String) throws -> (id: String, secret: String) {
        let answer = try curl(
            daemon.baseURL + "/admin/keys", method: "POST",
            headers: ["Authorization": "Bearer \(adminKey)", "Content-Type": "application/json"], body: body)
        let object = try #require(jsonObject(answer.body), "\(answer.body)")
        return (try #require(object["id"] as? String), try #require(object["key"] as? String))
    }

    static func chat(_ daemon: SwitchboardProcess, _ secret: String, _ model: String) throws -> CurlResponse {
        try ChatEndToEndTests.chat(daemon, model: model, stream: false, headers: ["Authorization": "Bearer \(secret)"])
    }

    @Test func aPersonSeesSpendChartsAFailingProviderAndTheErrors() throws {
        let python = Repo.root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run `make setup-test` (make test does)")
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) missing: run `make setup-test`")
        }
        let daemon = try Launch.daemon(
            behind: try Launch.mock(), yaml: Self.yaml, environment: ["SWITCHBOARD_ADMIN_KEY": Self.adminKey])
        let alpha = try Self.createKey(daemon, #"{"name":"alpha","rpm":600,"budget_usd":50,"budget_period":"daily"}"#)
        let beta = try Self.createKey(daemon, #"{"name":"beta","models":["writer","flaky"]}"#)
        for _ in 0..<2 { #expect(try Self.chat(daemon, alpha.secret, "team").status == 200) }
        #expect(try Self.chat(daemon, beta.secret, "writer").status == 200)
        let failed = try Self.chat(daemon, beta.secret, "flaky")
        #expect(failed.status == 503, "\(failed.body)")
        let requestId = try #require(failed.headers["x-request-id"])
        // The usage writer batches: the page reads what is written.
        _ = try CostEndToEndTests.usage(daemon, query: "group_by=key", requests: 4)

        let expectations: [String: Any] = [
            "admin_key": Self.adminKey,
            "spend": [alpha.id: "$3.00", beta.id: "$0.6000"],
            "spend_today": "$3.60",
            "failing_provider": "gemini", "healthy_provider": "openai", "failing_model": "flaky",
            "error_request_id": requestId,
            "refresh_key_id": alpha.id, "refresh_secret": alpha.secret,
            "refresh_request": [
                "model": "team", "stream": false, "messages": [["role": "user", "content": "again"]],
            ] as [String: Any],
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: expectations), as: UTF8.self)
        let artifacts = Repo.root.appendingPathComponent(".build/test-artifacts").path
        let result = try run(
            python,
            [Repo.root.appendingPathComponent("Tests/Browser/dashboard.py").path, daemon.baseURL, json, artifacts],
            environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()], timeout: 180)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(" passed, 0 failed") && !result.stdout.contains(" 0 passed"), "\(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: artifacts + "/dashboard-1280x800.png"))
    }

    @Test func thePageAndItsFilesAreServedWithAPolicyThatKeepsThemLocal() throws {
        let daemon = try Launch.daemon(behind: try Launch.mock())
        for (path, type) in [("/ui", "text/html"), ("/ui/app.css", "text/css"), ("/ui/app.js", "text/javascript")] {
            let answer = try curl(daemon.baseURL + path)
            #expect(answer.status == 200, "\(path)")
            #expect(answer.headers["content-type"]?.hasPrefix(type) == true, "\(path): \(answer.headers)")
            #expect(answer.headers["content-security-policy"]?.contains("default-src 'none'") == true)
            // Nothing from outside: no absolute URL to another host anywhere in the files.
            let body = answer.body.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
            #expect(!body.contains("http://") && !body.contains("https://"), "\(path)")
        }
    }
}
