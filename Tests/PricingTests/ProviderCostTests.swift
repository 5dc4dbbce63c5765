import ChatModel
import JSON
import Pricing
@testable import Providers
import SSE
import TestSupport
import Testing

/// Each provider's real usage captures (Tests/Fixtures), read by that provider's adapter,
/// priced by the built-in table; the expected figure is worked out by hand in each test from
/// `prices.json` (USD per million tokens).
@Suite struct ProviderCostTests {
    let pricer = Pricer()

    func fixture(_ path: String) throws -> JSONValue {
        let bytes = try #require(FixtureFiles.read(FixtureFiles.root + "/" + path))
        return try JSONValue.parse(bytes)
    }

    func expectCost(
        _ usage: Usage, model: String, entry: String, dollars: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let cost = try #require(pricer.cost(usage, alias: nil, model: model), sourceLocation: sourceLocation)
        #expect(cost.entry == entry, sourceLocation: sourceLocation)
        #expect(abs(cost.usd - dollars) < 1e-12, "\(cost.usd) ≠ \(dollars)", sourceLocation: sourceLocation)
    }

    /// Anthropic usage as the stream decoder sees it in `message_start`.
    func anthropicUsage(_ usage: String) -> Usage {
        let decoder = AnthropicStreamDecoder(model: "claude", created: 0)
        let data = #"{"type":"message_start","message":{"id":"m","model":"claude","usage":"# + usage + "}}"
        decoder.decode(SSEEvent(event: "message_start", data: data)) { _ in }
        return decoder.usageSoFar
    }

    // MARK: OpenAI: prompt_tokens includes cached_tokens, completion_tokens includes reasoning.

    @Test func openAIFixtureAtItsDatedModel() throws {
        let body = try fixture("openai/chat-completion-text-usage-details.json")
        let usage = OpenAIUsage.unified(try #require(body["usage"]))
        // gpt-4.1-nano-2025-04-14 → gpt-4.1-nano: 16 input × $0.10 + 363 output × $0.40.
        try expectCost(
            usage, model: try #require(body["model"]?.stringValue), entry: "table:gpt-4.1-nano",
            dollars: (16 * 0.10 + 363 * 0.40) / 1e6)
    }

    @Test func openAICachedAndReasoningTokens() throws {
        // The docs' illustration (NOTES.md): 2006 prompt tokens of which 1920 cached; 300 of
        // the 500 completion tokens are reasoning, billed as output once.
        let usage = OpenAIUsage.unified(
            try JSONValue.parse(
                """
                {"prompt_tokens": 2006, "completion_tokens": 500, "total_tokens": 2506,
                 "prompt_tokens_details": {"cached_tokens": 1920},
                 "completion_tokens_details": {"reasoning_tokens": 300}}
                """))
        // o4-mini: 86 uncached × $1.10 + 1920 cached × $0.275 + 500 output × $4.40.
        try expectCost(
            usage, model: "o4-mini", entry: "table:o4-mini", dollars: (86 * 1.10 + 1920 * 0.275 + 500 * 4.40) / 1e6)
    }

    // MARK: Anthropic: input_tokens excludes cache reads and writes.

    @Test func anthropicCacheWriteThenReadFixture() throws {
        let lines = String(
            decoding: try #require(FixtureFiles.read(FixtureFiles.root + "/anthropic/prompt-caching.docs.usage.jsonl")),
            as: UTF8.self
        ).split(separator: "\n")
        #expect(lines.count == 2)
        // claude-sonnet-4-5 (the fixture's request): 21 input × $3 + 188086 written × $3.75 + 393 output × $15.
        try expectCost(
            anthropicUsage(String(lines[0])), model: "claude-sonnet-4-5", entry: "table:claude-sonnet-4-5",
            dollars: (21 * 3 + 188_086 * 3.75 + 393 * 15) / 1e6)
        // The second call reads the same 188086 tokens at $0.30.
        try expectCost(
            anthropicUsage(String(lines[1])), model: "claude-sonnet-4-5-20250929", entry: "table:claude-sonnet-4-5",
            dollars: (21 * 3 + 188_086 * 0.30 + 393 * 15) / 1e6)
    }

    @Test func anthropicOneHourWritesCostMore() throws {
        let usage = anthropicUsage(
            """
            {"input_tokens": 10, "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 0,
             "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
             "output_tokens": 100}
            """)
        #expect(usage.cacheWrite1hTokens == 2000)
        // claude-haiku-4-5: 10 × $1 + 1000 × $1.25 (5 min) + 2000 × $2 (1 h) + 100 × $5.
        try expectCost(
            usage, model: "claude-haiku-4-5-20251001", entry: "table:claude-haiku-4-5",
            dollars: (10 * 1 + 1000 * 1.25 + 2000 * 2 + 100 * 5) / 1e6)
    }

    @Test func anthropicLongContextTier() throws {
        // 250k prompt tokens (above 200k): every token at Sonnet 4.5's long-context rate.
        let usage = anthropicUsage(
            #"{"input_tokens": 50000, "cache_read_input_tokens": 200000, "output_tokens": 1000}"#)
        try expectCost(
            usage, model: "claude-sonnet-4-5", entry: "table:claude-sonnet-4-5",
            dollars: (50_000 * 6 + 200_000 * 0.6 + 1000 * 22.5) / 1e6)
    }

    // MARK: Gemini: thoughtsTokenCount billed as output; cachedContentTokenCount inside the prompt.

    @Test func geminiThoughtsBilledAsOutput() throws {
        let body = try fixture("gemini/response-thought-parts.json")
        let usage = GeminiStreamDecoder.usage(try #require(body["usageMetadata"]))
        #expect(usage.reasoningTokens == 57)
        // gemini-2.5-flash: 29 prompt × $0.30 + (3 candidates + 57 thoughts) × $2.50.
        try expectCost(
            usage, model: try #require(body["modelVersion"]?.stringValue), entry: "table:gemini-2.5-flash",
            dollars: (29 * 0.30 + 60 * 2.50) / 1e6)
    }

    @Test func geminiCachedContentFixture() throws {
        let body = try fixture("gemini/generate-with-cached-content.response.json")
        let usage = GeminiStreamDecoder.usage(try #require(body["usageMetadata"]))
        // The cache was made for models/gemini-2.5-flash (cachedcontents-create.response.json):
        // 5 uncached × $0.30 + 323383 cached × $0.03 + 397 output × $2.50. Flash has no tier.
        try expectCost(
            usage, model: "models/gemini-2.5-flash", entry: "table:gemini-2.5-flash",
            dollars: (5 * 0.30 + 323_383 * 0.03 + 397 * 2.50) / 1e6)
        // The same counts on gemini-2.5-pro are above 200k prompt tokens: the whole request at
        // the higher tier (5 × $2.50 + 323383 × $0.25 + 397 × $15).
        try expectCost(
            usage, model: "gemini-2.5-pro", entry: "table:gemini-2.5-pro",
            dollars: (5 * 2.50 + 323_383 * 0.25 + 397 * 15) / 1e6)
    }
}
