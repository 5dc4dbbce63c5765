import Foundation
import Testing

/// The README's Ollama, vLLM and OpenRouter configurations, as printed there: they pass
/// `config check` and route through the daemon, the emulator standing in for each server
/// (its base URL swapped for the emulator's, playing that server's quirks).
@Suite("README provider examples, end to end")
struct ProviderExamplesEndToEndTests {
    /// The YAML block after `<!-- provider-example: name -->` in README.md.
    static func example(_ name: String) throws -> String {
        let readme = try String(contentsOf: Repo.root.appendingPathComponent("README.md"), encoding: .utf8)
        let marker = try #require(
            readme.range(of: "<!-- provider-example: \(name) -->"),
            "README has no \(name) example")
        let rest = readme[marker.upperBound...]
        let open = try #require(rest.range(of: "```yaml\n"))
        let close = try #require(rest[open.upperBound...].range(of: "```"))
        return String(rest[open.upperBound..<close.lowerBound])
    }

    /// `example` with its `base_url` pointing at `mock`, under the path that plays `quirks`.
    static func pointed(_ example: String, at mock: SwitchboardProcess, quirks: String) throws -> String {
        let lines = example.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let key = line.range(of: "base_url: ") else { return String(line) }
            return String(line[..<key.upperBound]) + "\"\(mock.baseURL)/compat/\(quirks)/v1\""
        }
        let text = lines.joined(separator: "\n")
        #expect(text != example, "the example names a base_url")
        return text
    }

    @Test(arguments: [
        ("ollama", "reasoning,keyless,max_tokens", "local"),
        ("vllm", "reasoning_content,keyless", "local-r1"),
        ("openrouter", "reasoning,max_tokens", "router"),
    ])
    func readmeExampleLoadsAndRoutes(name: String, quirks: String, alias: String) throws {
        let mock = try Launch.mock()
        let yaml = try Self.pointed(try Self.example(name), at: mock, quirks: quirks)
        let environment = ["OPENROUTER_API_KEY": "test-key-openrouter", "PATH": "/usr/bin:/bin"]
        let dir = TempDir()
        let file = dir.write("config.yaml", yaml)
        let check = try run(Repo.binary, ["config", "check", "--config", file], environment: environment)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("  \(name):  # enabled: providers.\(name) in \(file)"), "\(check.stdout)")

        let (daemon, _) = try Launch.daemon(yaml: yaml, environment: environment)
        daemon.attachments.append(mock)
        // `serve` says which providers are on and why (logged before it reports ready).
        #expect(
            daemon.log().contains("provider \(name) (kind openai) enabled by providers.\(name) in"), "\(daemon.log())")
        let models = jsonObject(try curl(daemon.baseURL + "/v1/models").body)
        let listed = (models?["providers"] as? [[String: Any]])?.first { $0["name"] as? String == name }
        #expect(listed?["enabled"] as? Bool == true, "GET /v1/models lists every configured provider")
        let viaAlias = try ChatEndToEndTests.chat(daemon, model: alias, extra: #","max_tokens":20"#, stream: false)
        #expect(viaAlias.status == 200, "\(name): \(viaAlias.body)")
        let run = "example-\(name)"
        let thinking = try ChatEndToEndTests.chat(
            daemon, model: "\(name)/thinking+thinking_chunks=2+run=\(run)",
            extra: #","max_tokens":20"#)
        #expect(thinking.status == 200, "\(name): \(thinking.body)")
        #expect(sseEvents(thinking.body).filter { $0.event == "thinking" }.count == 2, "\(name): \(thinking.body)")
        let received = try #require(try ChatEndToEndTests.mockRequests(mock, run: run).last)
        let headers = received["headers"] as? [String: Any] ?? [:]
        let auth = headers.first { $0.key.lowercased() == "authorization" }?.value as? String
        #expect(auth == (name == "openrouter" ? "Bearer test-key-openrouter" : nil))
        if name == "openrouter" {
            #expect(headers.first { $0.key.lowercased() == "x-title" }?.value as? String == "Switchboard")
        }
    }
}
