import Foundation
import Testing

/// openapi.yaml is a valid OpenAPI document and names every route the daemon serves. (That the
/// daemon does what it says is `make test`'s schemathesis run, Tests/Contract.)
@Suite("OpenAPI document")
struct OpenAPITests {
    @Test func validatesAsOpenAPI() throws {
        let python = Repo.root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run `make setup-test` (make test does)")
        let spec = Repo.root.appendingPathComponent("openapi.yaml").path
        let result = try run(python, ["-m", "openapi_spec_validator", spec])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    /// Each event stream's `itemSchema` and `x-events` name the same events with the same data schemas.
    @Test func streamEventsAreDescribedAlikeTwice() throws {
        let python = Repo.root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run `make setup-test` (make test does)")
        let script = Repo.root.appendingPathComponent("Tests/Contract/check_stream_events.py").path
        let result = try run(python, [script, Repo.root.appendingPathComponent("openapi.yaml").path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test(arguments: [
        "/v1/chat:", "/v1/chat/completions:", "/v1/messages:", "/v1/loops:", "/v1/loops/{id}/tool_results:",
        "/v1/loops/{id}:", "/v1/models:", "/v1/usage:", "/admin/keys:", "/admin/keys/{id}:", "/healthz:", "/readyz:",
        "/metrics:", "/v1/responses:", "/v1/responses/{id}:", "/v1/responses/{id}/input_items:",
        "/admin/activity:", "/admin/errors:", "/ui:", "/ui/app.css:", "/ui/app.js:",
    ])
    func documentsRoute(route: String) throws {
        let text = try String(contentsOf: Repo.root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        #expect(text.contains("\n  \(route)\n"))
    }
}
