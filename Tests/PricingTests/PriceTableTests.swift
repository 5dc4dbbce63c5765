import ChatModel
import JSON
import Testing

@testable import Pricing

@Suite struct PriceTableTests {
    @Test func builtInTableHasItsDateSourceAndEveryProvider() {
        let table = PriceTable.builtIn
        #expect(table.asOf.count == 10)
        #expect(table.source.contains("litellm"))
        for model in [
            "gpt-4o", "gpt-4.1", "gpt-5", "o3", "claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5",
            "gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.0-flash",
        ] {
            #expect(table.models[model] != nil, "\(model)")
        }
        for (name, price) in table.models {
            for p in [price.base] + price.tiers.map(\.prices) {
                for figure in [p.input, p.output, p.cacheRead, p.cacheWrite5m, p.cacheWrite1h] {
                    #expect(TokenPrices.allowedRange.contains(figure), "\(name)")
                }
            }
        }
    }

    @Test(arguments: [
        ("gpt-4o-2024-08-06", "table:gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "table:gpt-4o-mini"),
        ("gpt-4.1-nano-2025-04-14", "table:gpt-4.1-nano"),
        ("claude-sonnet-4-5-20250929", "table:claude-sonnet-4-5"),
        ("claude-3-5-haiku-latest", "table:claude-3-5-haiku"),
        ("claude-3-5-haiku-20241022", "table:claude-3-5-haiku"),
        ("gemini-2.0-flash-001", "table:gemini-2.0-flash"),
        ("models/gemini-2.5-pro", "table:gemini-2.5-pro"),
        ("gpt-4o", "table:gpt-4o"),
    ])
    func datedIdsFindTheirEntry(model: String, entry: String) {
        #expect(PriceTable.builtIn.match(model)?.entry == entry)
    }

    @Test func unknownModelHasNoCost() {
        #expect(PriceTable.builtIn.match("llama-3-70b") == nil)
        #expect(PriceTable.builtIn.match("gpt-4o-2024") == nil)  // not a date: no guess
        #expect(Pricer().cost(Usage(inputTokens: 10, outputTokens: 10), alias: "local", model: "llama-3-70b") == nil)
        #expect(Pricer().cost(Usage(inputTokens: 10, outputTokens: 10), alias: "x", model: nil) == nil)
    }

    @Test func tierStartsAboveItsThreshold() throws {
        let pro = try #require(PriceTable.builtIn.models["gemini-2.5-pro"])
        #expect(pro.prices(promptTokens: 200_000).input == 1.25)
        #expect(pro.prices(promptTokens: 200_001).input == 2.5)
        #expect(pro.prices(promptTokens: 200_001).output == 15)
    }

    @Test func entryMayNameItsOwnSourceButNoOtherKey() throws {
        let named = #"{"source":"t","models":{"m":{"provider":"p","input":1,"output":2,"source":"a page"}}}"#
        #expect(try PriceTable.parse(Array(named.utf8)).models["m"]?.base.output == 2)
        let typo = #"{"models":{"m":{"input":1,"output":2,"sources":"a page"}}}"#
        let error = #expect(throws: PriceError.self) { try PriceTable.parse(Array(typo.utf8)) }
        #expect(error?.key == "models.m.sources")
    }

    @Test func largestCountsStayFinite() throws {
        let max = AllowedRanges.tokenCount.upperBound
        let usage = Usage(
            inputTokens: max, outputTokens: max, cacheReadTokens: max, cacheWriteTokens: max,
            reasoningTokens: max
        ).withCacheWrite1h(max)
        let price = ModelPrice(TokenPrices(input: 100_000, output: 100_000))
        #expect(price.cost(of: usage).isFinite)
        #expect(price.worstCase(promptTokens: max, maxOutputTokens: max).isFinite)
    }
}

@Suite("Model ids: the names a price is looked up by")
struct ModelIdCandidateTests {
    @Test func candidatesMostSpecificFirst() {
        #expect(ModelIdMatching.candidates("gpt-4o-2024-08-06") == ["gpt-4o-2024-08-06", "gpt-4o"])
        #expect(
            ModelIdMatching.candidates("models/gemini-2.0-flash-001")
                == ["models/gemini-2.0-flash-001", "gemini-2.0-flash-001", "gemini-2.0-flash"])
        #expect(
            ModelIdMatching.candidates("claude-3-5-haiku-latest") == ["claude-3-5-haiku-latest", "claude-3-5-haiku"])
        #expect(ModelIdMatching.candidates("openai/o3") == ["openai/o3", "o3"])
        // Without a dash or a slash nothing comes off (the fast path), ASCII or not.
        #expect(ModelIdMatching.candidates("text+chunks=1") == ["text+chunks=1"])
        #expect(ModelIdMatching.candidates("qwen3") == ["qwen3"])
        #expect(ModelIdMatching.candidates("modèle-20250929") == ["modèle-20250929", "modèle"])
    }

    /// The byte-level path for ASCII ids answers as the Character-level one, on the rules'
    /// edges and on ids made of the pieces those rules look at.
    @Test func asciiIdsGetTheCandidatesCharactersGive() {
        var ids = [
            "gpt-4o-2024-08-06", "-2024-08-06", "x-2024-08-06", "2024-08-06", "a-b-2024-08-06", "a-24-08-06",
            "a-2024-8-06", "a-2024-08-6", "a--2024-08-06", "-latest", "latest", "a-latest-latest", "a-001", "a-01",
            "a-", "-", "", "models/openai/gpt-4o-latest", "gemini/models/x-001", "anthropic/", "a\r\n-20250929",
            "claude-sonnet-4-5-20250929-001-latest", "a-b-c-2024-08-06-001-latest", "x-1234567", "x-123456789",
        ]
        let pieces = ["-", "-", "2024", "08", "06", "001", "20250929", "latest", "a", "7", "/", "models/", "openai/"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            var id = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for k in 0..<Int(state >> 60) { id += pieces[Int((state >> UInt64(4 * k)) & 0xFF) % pieces.count] }
            ids.append(id)
        }
        for id in ids {
            #expect(ModelIdMatching.asciiCandidates(id) == ModelIdMatching.characterCandidates(id), "\(id)")
        }
    }

    @Test func anUnknownModelIsNotFound() {
        let table = PriceTable(asOf: "", source: "", models: [:])
        #expect(table.match("text+chunks=1") == nil)
    }
}
