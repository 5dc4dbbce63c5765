import Foundation
import Pricing
import Testing
@testable import Gateway

/// `prices:` in the configuration file: read over the built-in table, every bad figure a
/// configuration error that names its key.
@Suite("Configuration: prices")
struct PriceConfigurationTests {
    func load(_ yaml: String) throws -> GatewayConfiguration {
        try GatewayConfiguration.load(
            path: ConfigurationTests.file(yaml), environment: [:], defaultPath: "/nonexistent")
    }

    func problems(_ yaml: String) -> [String] {
        do { _ = try load(yaml); return [] } catch let error as ConfigurationError { return error.problems } catch {
            return ["\(error)"]
        }
    }

    @Test func theIssuesShapeIsRead() throws {
        let config = try load(
            """
            prices:
              claude-sonnet-4-5: {input: 3, output: 15, cache_read: 0.3, cache_write_5m: 3.75, cache_write_1h: 6}
              local: {input: 0, output: 0}
              pro: {input: 1.25, output: 10, tiers: [{above: 200000, input: 2.5, output: 15}]}
            """)
        #expect(
            config.prices["claude-sonnet-4-5"]?.base
                == TokenPrices(input: 3, output: 15, cacheRead: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6))
        #expect(config.prices["local"]?.base == TokenPrices(input: 0, output: 0))
        #expect(config.prices["pro"]?.prices(promptTokens: 200_001).output == 15)
        #expect(config.redactedDescription().contains("local: {input: 0.0, output: 0.0"))
    }

    @Test(arguments: [
        ("prices:\n  m: {input: -1, output: 1}", "prices.m.input"),
        ("prices:\n  m: {input: .inf, output: 1}", "prices.m.input"),
        ("prices:\n  m: {input: .nan, output: 1}", "prices.m.input"),
        ("prices:\n  m: {input: nan, output: 1}", "prices.m.input"),
        ("prices:\n  m: {input: 1e400, output: 1}", "prices.m.input"),
        ("prices:\n  m: {input: 1, output: 100001}", "prices.m.output"),
        ("prices:\n  m: {input: 1, output: \"2\"}", "prices.m.output"),
        ("prices:\n  m: {input: 1}", "prices.m.output"),
        ("prices:\n  m: {input: 1, output: 1, cache_write: 2}", "prices.m.cache_write"),
        ("prices: [1, 2]", "prices"),
    ])
    func badPricesNameTheirKey(yaml: String, key: String) {
        let found = problems(yaml)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.contains(": \(key): ") == true, "\(found)")
    }
}
