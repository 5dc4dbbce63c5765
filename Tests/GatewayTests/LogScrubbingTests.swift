import Testing
@testable import Gateway

/// Log lines lose every configured secret (SPEC §5), including ones a reload brought.
@Suite("Log scrubbing")
struct LogScrubbingTests {
    @Test func aLineLosesSecretsInMessageAndMetadata() {
        let secrets = LiveSecrets(["plain-TESTSECRET-42"])
        let line = StderrLogHandler.line(
            time: "T", level: .warning, label: "switchboard.upstream",
            message: "upstream attempt failed: plain-TESTSECRET-42",
            metadata: [
                "message": "Incorrect API key provided: 'sk-proj-abc123'.",
                "provider": "openai",
            ],
            scrubber: secrets.scrubber)
        #expect(
            line == "T warning switchboard.upstream: upstream attempt failed: [redacted]"
                + " message=Incorrect API key provided: '[redacted]'. provider=openai\n")
    }

    @Test func aReloadAddsSecretsAndKeepsTheOldOnes() {
        let secrets = LiveSecrets(["old-TESTSECRET-1"])
        #expect(secrets.scrubber.scrub("new-TESTSECRET-2") == "new-TESTSECRET-2")
        secrets.register(["new-TESTSECRET-2"])
        // A request that began before the reload still uses the old key and may log it.
        #expect(secrets.scrubber.scrub("old-TESTSECRET-1 new-TESTSECRET-2") == "[redacted] [redacted]")
    }

    @Test func theConfigurationRegistersEveryProviderKeyAndTheAdminKey() {
        var configuration = GatewayConfiguration()
        configuration.adminKey = "admin-TESTSECRET"
        configuration.providers["anthropic"]?.apiKey = "anthropic-TESTSECRET"
        configuration.providers["gemini"]?.apiKey = "gemini-TESTSECRET"
        let scrubbed = configuration.scrubber.scrub("admin-TESTSECRET anthropic-TESTSECRET gemini-TESTSECRET")
        #expect(scrubbed == "[redacted] [redacted] [redacted]")
        #expect(GatewayDaemon.snapshot(from: configuration).secrets == configuration.scrubber)
    }
}

/// The JSON log format: one object per line, scrubbed like the text format.
@Suite("JSON log lines")
struct JSONLogLineTests {
    @Test func aLineIsOneScrubbedObjectWithReservedKeysKeptApart() {
        let secrets = LiveSecrets(["plain-TESTSECRET-42"])
        let line = StderrLogHandler.jsonLine(
            time: "T", level: .info, label: "switchboard",
            message: "key plain-TESTSECRET-42 \"quoted\"\nnext",
            metadata: ["request_id": "r1", "message": "shadow"],
            scrubber: secrets.scrubber)
        #expect(
            line == #"{"time":"T","level":"info","logger":"switchboard","message":"key [redacted] \"quoted\"\nnext","#
                + #""meta_message":"shadow","request_id":"r1"}"# + "\n")
    }
}
