import ChatModel
import JSON
import Pricing
import Testing

@Suite struct PriceOverrideTests {
    func overrides(_ json: String) throws -> [String: ModelPrice] {
        try Pricer.overrides(try JSONValue.parse(json))
    }

    @Test func configurationShapeFromTheIssue() throws {
        let o = try overrides(
            #"{"claude-sonnet-4-5": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write_5m": 3.75, "#
                + #""cache_write_1h": 6}}"#
        )
        #expect(
            o["claude-sonnet-4-5"]?.base
                == TokenPrices(input: 3, output: 15, cacheRead: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6))
    }

    @Test func aliasThenModelThenTable() throws {
        let pricer = Pricer(
            overrides: try overrides(
                """
                {"local": {"input": 0, "output": 0}, "gpt-4o": {"input": 2, "output": 9}}
                """))
        let usage = Usage(inputTokens: 1_000_000, outputTokens: 1_000_000)
        // A self-hosted model behind the alias costs 0 (a price, not an unknown).
        #expect(pricer.cost(usage, alias: "local", model: "llama-3-70b") == Cost(usd: 0, entry: "config:local"))
        // An override by model id (a deployment's own price) also matches its dated ids.
        #expect(pricer.cost(usage, alias: "fast", model: "gpt-4o-2024-08-06") == Cost(usd: 11, entry: "config:gpt-4o"))
        // Everything else: the table.
        #expect(pricer.cost(usage, alias: "mini", model: "gpt-4o-mini") == Cost(usd: 0.75, entry: "table:gpt-4o-mini"))
    }

    @Test func theDeploymentThatAnsweredComesFirst() throws {
        let pricer = Pricer(
            overrides: try overrides(
                """
                {"fast": {"input": 100, "output": 100}, "azure/gpt-4o-mini": {"input": 2, "output": 8},
                 "ollama/*": {"input": 0, "output": 0}, "gpt-4o-mini": {"input": 50, "output": 50},
                 "openrouter/anthropic/claude-sonnet-4-5": {"input": 4, "output": 16}}
                """))
        let usage = Usage(inputTokens: 1_000_000, outputTokens: 1_000_000)
        // The deployment's own entry beats the alias and the model's entry, also for a dated id.
        #expect(
            pricer.cost(usage, alias: "fast", provider: "azure", model: "gpt-4o-mini")
                == Cost(usd: 10, entry: "config:azure/gpt-4o-mini"))
        #expect(
            pricer.cost(usage, alias: "fast", provider: "azure", model: "gpt-4o-mini-2024-07-18")
                == Cost(usd: 10, entry: "config:azure/gpt-4o-mini"))
        // A provider's wildcard prices every model it serves (a self-hosted server at 0).
        #expect(
            pricer.cost(usage, alias: "fast", provider: "ollama", model: "llama-3-70b")
                == Cost(usd: 0, entry: "config:ollama/*"))
        // A model id with a slash of its own splits at the first one: the provider is the prefix.
        #expect(
            pricer.cost(usage, alias: nil, provider: "openrouter", model: "anthropic/claude-sonnet-4-5")
                == Cost(usd: 20, entry: "config:openrouter/anthropic/claude-sonnet-4-5"))
        // Another provider serving the same model: no deployment entry, so the alias, then the model.
        #expect(
            pricer.cost(usage, alias: "fast", provider: "openai", model: "gpt-4o-mini")
                == Cost(usd: 200, entry: "config:fast"))
        #expect(
            pricer.cost(usage, alias: "other", provider: "openai", model: "gpt-4o-mini")
                == Cost(usd: 100, entry: "config:gpt-4o-mini"))
        // No provider given: the alias and model rules alone, as before.
        #expect(pricer.cost(usage, alias: "fast", model: "gpt-4o-mini") == Cost(usd: 200, entry: "config:fast"))
    }

    @Test func missingCachePricesFallBackToInput() throws {
        let price = try #require(try overrides(#"{"m": {"input": 2, "output": 4, "cache_write_5m": 3}}"#)["m"])
        #expect(price.base.cacheRead == 2)
        #expect(price.base.cacheWrite1h == 3)
    }

    @Test(arguments: [
        (#"{"m": {"input": -1, "output": 1}}"#, "prices.m.input"),
        (#"{"m": {"input": 1, "output": 1e400}}"#, "prices.m.output"),
        (#"{"m": {"input": 1, "output": 1, "cache_read": 1000000}}"#, "prices.m.cache_read"),
        (#"{"m": {"input": "cheap", "output": 1}}"#, "prices.m.input"),
        (#"{"m": {"output": 1}}"#, "prices.m.input"),
        (#"{"m": {"input": 1, "output": 1, "cache_write": 2}}"#, "prices.m.cache_write"),
        (#"{"m": {"input": 1, "output": 1, "tiers": [{"above": -5, "input": 2}]}}"#, "prices.m.tiers[0].above"),
        (#"{"m": 3}"#, "prices.m"),
    ])
    func badPricesAreRefusedByKey(json: String, key: String) throws {
        #expect(throws: PriceError.self) { try overrides(json) }
        do { _ = try overrides(json) } catch let error as PriceError { #expect(error.key == key) }
    }
}
