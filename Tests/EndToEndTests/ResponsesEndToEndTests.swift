import Foundation
import Testing

/// `/v1/responses`: OpenAI's Responses API in and out, any provider behind it, its stored
/// responses owned by the key that made them.
@Suite("Responses API door, end to end")
struct ResponsesEndToEndTests {
    static let admin = "admin-secret-for-responses"

    private func sdk(_ script: String, expecting summary: String) throws {
        let python = Repo.root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run `make setup-test` (make test does)")
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let path = Repo.root.appendingPathComponent("Tests/SDK/\(script)").path
        let result = try run(
            python, [path, daemon.baseURL], environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()],
            timeout: 180)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(summary), "\(result.stdout)\(result.stderr)")
    }

    @Test func theOfficialSDKWorksForEveryProvider() throws {
        try sdk("openai_responses.py", expecting: "58 passed, 0 failed")
    }

    @Test func theAgentsSDKRunsAToolAgentForEveryProvider() throws {
        try sdk("openai_agents.py", expecting: "6 passed, 0 failed")
    }

    private func create(_ daemon: SwitchboardProcess, _ body: String, key: String) throws -> CurlResponse {
        try curl(
            daemon.baseURL + "/v1/responses", headers: ["Authorization": "Bearer \(key)"], body: body)
    }

    private func newKey(_ daemon: SwitchboardProcess, _ name: String) throws -> String {
        let created = try curl(
            daemon.baseURL + "/admin/keys", headers: ["Authorization": "Bearer \(Self.admin)"],
            body: #"{"name":"\#(name)"}"#)
        try #require(created.status == 201 || created.status == 200, "\(created.body)")
        return try #require(jsonObject(created.body)?["key"] as? String)
    }

    @Test func anotherKeysResponseIsNotFound() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock, environment: ["SWITCHBOARD_ADMIN_KEY": Self.admin])
        let (alice, bob) = (try newKey(daemon, "alice"), try newKey(daemon, "bob"))
        let made = try create(daemon, #"{"model":"anthropic/text+chunks=2","input":"hi"}"#, key: alice)
        #expect(made.status == 200, "\(made.body)")
        let id = try #require(jsonObject(made.body)?["id"] as? String)
        let url = daemon.baseURL + "/v1/responses/" + id
        for (key, status) in [(alice, 200), (bob, 404)] {
            let auth = ["Authorization": "Bearer \(key)"]
            #expect(try curl(url, headers: auth).status == status)
            #expect(try curl(url + "/input_items", headers: auth).status == status)
        }
        let chained = #"{"model":"openai/text","input":"more","previous_response_id":"\#(id)"}"#
        let foreign = try create(daemon, chained, key: bob)
        #expect(foreign.status == 404)
        #expect((jsonObject(foreign.body)?["error"] as? [String: Any])?["param"] as? String == "previous_response_id")
        #expect(try curl(url, method: "DELETE", headers: ["Authorization": "Bearer \(bob)"]).status == 404)
        #expect(try create(daemon, chained, key: alice).status == 200)
        #expect(try curl(url, method: "DELETE", headers: ["Authorization": "Bearer \(alice)"]).status == 200)
        #expect(try curl(url, headers: ["Authorization": "Bearer \(alice)"]).status == 404)
    }

    /// `responses: {retention_days: 0}` keeps nothing past its creation second.
    @Test func retentionIsConfigurable() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock, yaml: "responses: {retention_days: 0}")
        let made = try curl(daemon.baseURL + "/v1/responses", body: #"{"model":"gemini/text","input":"hi"}"#)
        #expect(made.status == 200, "\(made.body)")
        let id = try #require(jsonObject(made.body)?["id"] as? String)
        #expect(try curl(daemon.baseURL + "/v1/responses/" + id).status == 404)
    }
}
