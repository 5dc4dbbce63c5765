import Testing
@testable import Providers

/// A provider's 429 reaches the client with the provider's rate-limit state as `x-ratelimit-*`.
@Suite("Rate-limit headers passed through")
struct RateLimitHeadersTests {
    @Test func openAIHeadersPassAsTheyAre() {
        let out = UpstreamErrorMapping.rateLimitHeaders([
            ("X-RateLimit-Limit-Requests", "60"), ("x-ratelimit-remaining-requests", "0"),
            ("x-ratelimit-reset-requests", "1s"), ("content-type", "application/json"),
        ])
        #expect(
            out.map(\.name)
                == ["x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"])
        #expect(out.map(\.value) == ["60", "0", "1s"])
    }

    @Test func anthropicHeadersAreRenamedAndResetBecomesADuration() {
        // 2026-01-01T00:00:05Z is 1767225605 s; "now" is 1.5 s before it: the wait rounds up.
        let out = UpstreamErrorMapping.rateLimitHeaders(
            [
                ("anthropic-ratelimit-requests-limit", "50"), ("anthropic-ratelimit-requests-remaining", "0"),
                ("anthropic-ratelimit-requests-reset", "2026-01-01T00:00:05Z"),
                ("anthropic-ratelimit-input-tokens-limit", "40000"), ("anthropic-ratelimit-tokens-reset", "not a time"),
            ], nowMillis: 1_767_225_603_500)
        let byName = Dictionary(out.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["x-ratelimit-limit-requests"] == "50")
        #expect(byName["x-ratelimit-remaining-requests"] == "0")
        #expect(byName["x-ratelimit-reset-requests"] == "2s")
        #expect(byName["x-ratelimit-limit-input-tokens"] == "40000")
        #expect(byName["x-ratelimit-reset-tokens"] == nil, "an unreadable reset is left out, not passed on raw")
    }

    /// Found by the openai-response fuzz target: a name with one part after the prefix put the
    /// prefix's own dash before the kind's start, a range that trapped the daemon on any 429.
    @Test func aNameWithoutKindAndFieldIsSkipped() {
        let out = UpstreamErrorMapping.rateLimitHeaders([
            ("anthropic-ratelimit-okens", "6m0s"), ("anthropic-ratelimit-", "1"), ("anthropic-ratelimit--limit", "2"),
            ("anthropic-ratelimit-tokens-limit", "3"),
        ])
        #expect(out.map(\.name) == ["x-ratelimit-limit-tokens"])
        let failure = UpstreamErrorMapping.failure(
            provider: "openai", status: 429, message: "slow down",
            headers: [("anthropic-ratelimit-okens", "6m0s")])
        #expect(failure.error.status == 429)
    }

    @Test func aProvider429AlwaysCarriesRateLimitHeaders() {
        let withNone = UpstreamErrorMapping.failure(provider: "gemini", status: 429, message: "quota", headers: [])
        let names = withNone.error.headers.map { $0.name.lowercased() }
        #expect(names.contains("retry-after"))
        #expect(names.contains("x-ratelimit-remaining-requests"))
        let fromOpenAI = UpstreamErrorMapping.failure(
            provider: "openai", status: 429, message: "slow down",
            headers: [("x-ratelimit-remaining-tokens", "0"), ("retry-after", "3")])
        #expect(fromOpenAI.error.headers.contains { $0.name == "x-ratelimit-remaining-tokens" && $0.value == "0" })
        #expect(fromOpenAI.error.headers.contains { $0.name == "Retry-After" && $0.value == "3" })
    }
}
