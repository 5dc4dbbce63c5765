import JSON
import Testing

@testable import Pricing

/// `Pricer.match` answers from its cache what it answers without one, a reload's new pricer
/// never sees the old prices, and the cache stays bounded whatever ids clients send.
@Suite struct PriceMatchCacheTests {
    func pricer(_ json: String) throws -> Pricer {
        Pricer(overrides: try Pricer.overrides(try JSONValue.parse(json)))
    }

    static let names: [(alias: String?, provider: String?, model: String?)] = [
        ("anthropic/claude-3-5-haiku-latest", "anthropic", "claude-3-5-haiku-latest"),
        ("openai/gpt-4o-mini", "openai", "gpt-4o-mini"), ("fast", "openai", "gpt-4o-2024-08-06"),
        ("local", "ollama", "llama-3-70b"), (nil, "azure", "gpt-4o-mini"), ("x", "azure", "gpt-4o-2024-08-06"),
        (nil, nil, "models/gemini-2.0-flash-001"), ("nope", "nope", "no-such-model-20250101"),
        (nil, nil, nil), ("", "", ""), ("fast", nil, nil), ("é", "openai", "gpt-4o-é-2024-08-06"),
    ]

    @Test func cachedAnswersAreTheUncachedOnes() throws {
        let withOverrides = try pricer(
            """
            {"fast": {"input": 100, "output": 100}, "azure/gpt-4o-mini": {"input": 2, "output": 8},
             "azure/*": {"input": 1, "output": 1}, "gpt-4o": {"input": 2, "output": 9},
             "local": {"input": 0, "output": 0}}
            """)
        // Without overrides an answer is kept per model id; with them, per alias, provider and model.
        for (pricer, kept) in [(Pricer(), 9), (withOverrides, Self.names.count)] {
            // Asked twice: the first answer is computed and kept, the second comes from the cache.
            for _ in 0..<2 {
                for n in Self.names {
                    let fresh = pricer.uncachedMatch(alias: n.alias, provider: n.provider, model: n.model)
                    #expect(pricer.match(alias: n.alias, provider: n.provider, model: n.model) == fresh)
                }
            }
            #expect(pricer.cachedAnswers == kept)
        }
        #expect(Pricer().match(alias: nil, model: "claude-3-5-haiku-latest")?.entry == "table:claude-3-5-haiku")
    }

    @Test func aReloadedPricerAnswersWithItsOwnPrices() throws {
        let before = try pricer(#"{"claude-3-5-haiku": {"input": 1, "output": 1}}"#)
        let model = "claude-3-5-haiku-latest"
        #expect(before.match(alias: nil, provider: "anthropic", model: model)?.entry == "config:claude-3-5-haiku")
        // A copy of the snapshot's pricer shares its answers; the reload's pricer has none of them.
        let copy = before
        #expect(copy.cachedAnswers == 1)
        let after = try pricer(#"{"claude-3-5-haiku": {"input": 7, "output": 7}}"#)
        #expect(after.match(alias: nil, provider: "anthropic", model: model)?.price.base.input == 7)
        #expect(Pricer().match(alias: nil, provider: "anthropic", model: model)?.entry == "table:claude-3-5-haiku")
        #expect(before.match(alias: nil, provider: "anthropic", model: model)?.price.base.input == 1)
    }

    @Test func hostileIdsKeepItBounded() throws {
        // With an override every alias is its own key: a client naming a new one each time.
        let pricer = try pricer(#"{"local": {"input": 0, "output": 0}}"#)
        for i in 0..<(PriceMatchCache.capacity * 3 + 7) {
            let alias = "hostile-\(i)"
            #expect(pricer.match(alias: alias, provider: "openai", model: "gpt-4o-2024-08-06")?.entry == "table:gpt-4o")
            #expect(pricer.cachedAnswers <= PriceMatchCache.capacity)
        }
        // A name too long to keep is still priced, just not remembered.
        let long = Pricer(), model = String(repeating: "a", count: PriceMatchCache.longestKey) + "-latest"
        #expect(long.match(alias: nil, provider: nil, model: model) == nil)
        #expect(long.cachedAnswers == 0)
    }
}
