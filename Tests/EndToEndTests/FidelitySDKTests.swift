import Foundation
import Testing

/// Issue 11 through the official SDKs as clients: signatures, server tools, errors and usage
/// in each door's own terms (Tests/SDK/*_fidelity.py, one section per test).
@Suite("Fidelity through the official SDKs")
struct FidelitySDKTests {
    static func section(_ script: String, _ name: String) throws {
        let python = Repo.root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run `make setup-test` (make test does)")
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let path = Repo.root.appendingPathComponent("Tests/SDK/\(script)").path
        let result = try run(
            python, [path, daemon.baseURL, name],
            environment: [
                "PATH": "/usr/bin:/bin",
                "HOME": NSTemporaryDirectory(),
            ],
            timeout: 120)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(" passed, 0 failed") && !result.stdout.contains(" 0 passed"), "\(result.stdout)")
    }

    @Test func openAIDoorHandsOutSignatures() throws { try Self.section("openai_fidelity.py", "signatures") }
    /// Needs the request side (issue 11 §2, helper "req"): signatures accepted back.
    @Test func openAIDoorTakesSignaturesBack() throws { try Self.section("openai_fidelity.py", "signatures_turn2") }
    @Test func openAIDoorLeavesServerToolsOut() throws { try Self.section("openai_fidelity.py", "server_tools") }
    @Test func openAIDoorSpeaksOpenAIErrors() throws { try Self.section("openai_fidelity.py", "errors") }
    /// Needs the request side (issue 11 §1, helper "req"): `logprobs`/`top_logprobs` mapped.
    @Test func openAIDoorPassesLogprobs() throws { try Self.section("openai_fidelity.py", "logprobs") }

    @Test func anthropicDoorKeepsGeminiSignaturesWholeAndStreamed() throws {
        try Self.section("anthropic_fidelity.py", "signatures")
    }
    @Test func anthropicDoorPassesServerToolsThrough() throws {
        try Self.section("anthropic_fidelity.py", "server_tools")
    }
    @Test func anthropicDoorEndsAndFailsAsAnthropic() throws { try Self.section("anthropic_fidelity.py", "errors") }
    @Test func anthropicDoorReportsUsageAtMessageStart() throws { try Self.section("anthropic_fidelity.py", "usage") }
}
