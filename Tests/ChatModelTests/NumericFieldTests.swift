import JSON
import Testing
@testable import ChatModel

/// Numbers in a client's request: every one is range-checked where it is decoded, and refused
/// with a 400 that names the field and its range; provider counts are clamped.
@Suite("Numeric fields: ranges and clamping")
struct NumericFieldTests {
    static let extremes = [
        "9223372036854775807", "-9223372036854775808", "-1", "0", "1e300", "1e-300", "-1e300",
        #""abc""#, "true", "99999999999999999999999", "1e400", "[1]", "{}",
    ]

    func decode(_ field: String, _ value: String) throws -> ChatRequest {
        let body = #"{"model":"m","messages":[{"role":"user","content":"x"}],\#(field)}"#
        return try ChatRequest.decode(try JSONValue.parse(body))
    }

    /// The 400 a request gets, or nil when it decodes.
    func refusal(_ field: String, _ value: String) -> GatewayError? {
        do { _ = try decode(field, value); return nil } catch let error as GatewayError { return error } catch {
            return nil
        }
    }

    @Test(arguments: extremes)
    func maxTokensOutsideItsRangeIsRefusedByName(value: String) throws {
        let error = try #require(refusal(#""max_tokens":\#(value)"#, value))
        #expect(error.status == 400)
        #expect(error.param == "max_tokens")
        #expect(error.message.contains("from 1 to 16777216"))
    }

    @Test(arguments: extremes)
    func thinkingBudgetOutsideItsRangeIsRefusedByName(value: String) throws {
        let error = try #require(refusal(#""thinking":{"budget_tokens":\#(value)}"#, value))
        #expect(error.param == "thinking.budget_tokens")
        #expect(error.message.contains("from 1 to 16777216"))
    }

    @Test(arguments: ["temperature", "top_p"], extremes.filter { $0 != "0" && $0 != "1e-300" })
    func samplingOutsideItsRangeIsRefusedByName(field: String, value: String) throws {
        let error = try #require(refusal(#""\#(field)":\#(value)"#, value))
        #expect(error.param == field)
        #expect(error.message.contains("expected a number from 0 to"))
    }

    @Test func edgesOfTheRangesDecode() throws {
        #expect(try decode(#""max_tokens":16777216"#, "").maxTokens == 16_777_216)
        #expect(try decode(#""max_tokens":1"#, "").maxTokens == 1)
        #expect(try decode(#""max_tokens":2.0"#, "").maxTokens == 2)
        #expect(try decode(#""thinking":{"budget_tokens":16777216}"#, "").thinking == .budget(16_777_216))
        #expect(try decode(#""temperature":1e-300"#, "").temperature == 1e-300)
        #expect(try decode(#""top_p":0"#, "").topP == 0)
        #expect(try decode(#""max_tokens":null"#, "").maxTokens == nil)
        #expect(refusal(#""max_tokens":16777217"#, "") != nil)
    }

    @Test func theRefusalQuotesTheLiteralShortened() throws {
        let error = try #require(refusal(#""max_tokens":\#(String(repeating: "9", count: 300))"#, ""))
        #expect(error.message.hasPrefix("max_tokens: expected a whole number from 1 to 16777216, got 9999"))
        #expect(error.message.count < 120)
        let typed = try #require(refusal(#""max_tokens":"abc""#, ""))
        #expect(typed.message == "max_tokens: expected a whole number from 1 to 16777216, got string")
    }

    // MARK: Provider counts

    @Test(arguments: [
        ("9223372036854775807", 1 << 40), ("-9223372036854775808", 0), ("-1", 0), ("0", 0), ("1e300", 1 << 40),
        ("1e-300", 0), ("-1e300", 0), ("99999999999999999999999", 1 << 40), ("1e400", 1 << 40), ("12.9", 12),
        ("1099511627777", 1 << 40), ("42", 42),
    ])
    func providerCountsAreClamped(literal: String, expected: Int) {
        #expect(Usage.count(.number(literal)) == expected)
    }

    @Test func nonNumbersAreNoCount() {
        #expect(Usage.count(nil) == nil)
        #expect(Usage.count(.null) == nil)
        #expect(Usage.count(.string("7")) == nil)
        #expect(Usage.count(.bool(true)) == nil)
        #expect(Usage.count(.number("nan")) == nil)
    }

    @Test func usageHoldsItsCountsInRangeAndSumsSaturate() {
        let top = AllowedRanges.tokenCount.upperBound
        let u = Usage(
            inputTokens: .max, outputTokens: .max, cacheReadTokens: -5, cacheWriteTokens: .min, reasoningTokens: 3)
        #expect(u.inputTokens == top && u.outputTokens == top && u.totalTokens == top)
        #expect(u.cacheReadTokens == 0 && u.cacheWriteTokens == 0 && u.reasoningTokens == 3)
        var sum = Usage.zero
        for _ in 0..<10 { sum = sum + u }
        #expect(sum.inputTokens == top && sum.totalTokens == top && sum.reasoningTokens == 30)
        #expect(Usage(inputTokens: 2, outputTokens: 3).totalTokens == 5)
    }

    // MARK: Retry-After

    @Test(arguments: [
        (Double.infinity, "86400"), (1e300, "86400"), (9.3e18, "86400"), (Double.nan, "1"), (-1e300, "1"), (-1, "1"),
        (0, "1"), (1e-300, "1"), (1.2, "2"), (86_399.5, "86400"),
    ])
    func retryAfterIsWholeSecondsFromOneToADay(seconds: Double, header: String) {
        let error = GatewayError.rateLimited("slow down", retryAfterSeconds: seconds)
        #expect(error.headers.first { $0.name == "Retry-After" }?.value == header)
        #expect(error.headers.contains { $0.name == "x-ratelimit-reset-requests" && $0.value == "\(header)s" })
    }
}
