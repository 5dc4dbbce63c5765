import ChatModel
import JSON
import Testing

/// Issue 15's hook: a priced usage carries `cost_usd` in the `usage` event and the non-stream
/// response; an unpriced one says nothing (no field, never 0).
@Suite struct UsageCostTests {
    func data(_ usage: Usage) -> String {
        var out: [UInt8] = []
        StreamEvent.usage(usage).writeData(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func pricedUsageCarriesCostWithoutExponent() throws {
        let usage = Usage(inputTokens: 16, outputTokens: 363).withCost(0.0001468)
        let text = data(usage)
        #expect(text.hasSuffix(#""total_tokens":379,"cost_usd":0.0001468}"#), "\(text)")
        let back = StreamEvent.decode(name: "usage", data: try JSONValue.parse(text))
        #expect(back == .usage(usage))
        #expect(usage.json()["cost_usd"] == .number("0.0001468"))
    }

    @Test func unpricedUsageHasNoCostField() {
        #expect(!data(Usage(inputTokens: 1, outputTokens: 1)).contains("cost_usd"))
        #expect(Usage(inputTokens: 1).json()["cost_usd"] == nil)
        #expect(Usage().withCost(.nan).costUSD == nil)
        #expect(Usage().withCost(-1).costUSD == nil)
    }

    @Test func loopTurnsSumTheirCosts() {
        let a = Usage(inputTokens: 1).withCost(0.25), b = Usage(inputTokens: 2).withCost(0.5)
        #expect((Usage.zero + a + b).costUSD == 0.75)
        #expect((Usage.zero + Usage(inputTokens: 3)).costUSD == nil)
    }

    @Test(arguments: [
        (0.0, "0"), (1.0, "1"), (12.5, "12.5"), (0.00000001, "0.00000001"), (1e-12, "0"),
        (0.0001468, "0.0001468"), (3.0000000001, "3.0000000001"), (0.1, "0.1"), (42.000000005, "42.000000005"),
    ])
    func dollarLiterals(value: Double, literal: String) {
        #expect(Usage.dollarsLiteral(value) == literal)
    }
}
