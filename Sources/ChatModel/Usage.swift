import Arithmetic
import JSON

/// Token counts, exactly as the provider reported them (SPEC §4), held in
/// `AllowedRanges.tokenCount` (a provider's negative count is 0, an absurd one 2^40).
/// `inputTokens` includes cached tokens; absent counts are 0.
public struct Usage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheReadTokens: Int
    public var cacheWriteTokens: Int
    public var reasoningTokens: Int
    public var totalTokens: Int
    /// The part of `cacheWriteTokens` written for an hour (Anthropic's `ephemeral_1h_input_tokens`),
    /// billed at a higher price than the 5-minute writes; 0 where the provider has no such writes.
    public var cacheWrite1hTokens: Int = 0
    /// What these tokens cost in US dollars, when the gateway priced them (issue 15): sent as
    /// `cost_usd` in the `usage` event and the non-stream response; nil (absent) when the
    /// request was not priced or its model has no price.
    public var costUSD: Double?

    public init(
        inputTokens: Int = 0, outputTokens: Int = 0, cacheReadTokens: Int = 0, cacheWriteTokens: Int = 0,
        reasoningTokens: Int = 0, totalTokens: Int? = nil
    ) {
        let range = AllowedRanges.tokenCount
        self.inputTokens = inputTokens.clamped(to: range)
        self.outputTokens = outputTokens.clamped(to: range)
        self.cacheReadTokens = cacheReadTokens.clamped(to: range)
        self.cacheWriteTokens = cacheWriteTokens.clamped(to: range)
        self.reasoningTokens = reasoningTokens.clamped(to: range)
        self.totalTokens = (totalTokens ?? Saturating.add(self.inputTokens, self.outputTokens)).clamped(to: range)
    }

    public static let zero = Usage()

    /// Sums, for loops and aggregate reports (each count held at the top of its range).
    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(
            inputTokens: Saturating.add(a.inputTokens, b.inputTokens),
            outputTokens: Saturating.add(a.outputTokens, b.outputTokens),
            cacheReadTokens: Saturating.add(a.cacheReadTokens, b.cacheReadTokens),
            cacheWriteTokens: Saturating.add(a.cacheWriteTokens, b.cacheWriteTokens),
            reasoningTokens: Saturating.add(a.reasoningTokens, b.reasoningTokens),
            totalTokens: Saturating.add(a.totalTokens, b.totalTokens)
        )
        .withCacheWrite1h(Saturating.add(a.cacheWrite1hTokens, b.cacheWrite1hTokens))
        .withCost(Self.sum(a.costUSD, b.costUSD))
    }

    /// A loop's cost is its priced turns' sum; nil only when no turn was priced.
    static func sum(_ a: Double?, _ b: Double?) -> Double? {
        guard a != nil || b != nil else { return nil }
        return (a ?? 0) + (b ?? 0)
    }

    /// This usage with `costUSD` set (a non-finite or negative cost is no cost).
    public func withCost(_ usd: Double?) -> Usage {
        var copy = self
        copy.costUSD = usd.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        return copy
    }

    /// Dollars as a JSON number without an exponent, to a ten-billionth of a dollar.
    public static func dollarsLiteral(_ usd: Double) -> String {
        let units = Int(saturating: (usd * 1e10).rounded())
        guard units > 0 else { return "0" }
        let whole = units / 10_000_000_000
        var fraction = units % 10_000_000_000
        guard fraction > 0 else { return String(whole) }
        // Digits by arithmetic into a small string, not by editing a String: once per priced
        // answer, where padding and trailing-zero removal cost ~7k instructions.
        var width = 10
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        let decimals = String(unsafeUninitializedCapacity: width + 1) { digits in
            digits[0] = UInt8(ascii: ".")
            for i in stride(from: width, to: 0, by: -1) {
                digits[i] = UInt8(ascii: "0") &+ UInt8(fraction % 10)
                fraction /= 10
            }
            return width + 1
        }
        return String(whole) + decimals
    }

    /// This usage with `cacheWrite1hTokens` set (held in `AllowedRanges.tokenCount`).
    public func withCacheWrite1h(_ tokens: Int) -> Usage {
        var copy = self
        copy.cacheWrite1hTokens = tokens.clamped(to: AllowedRanges.tokenCount)
        return copy
    }

    /// A provider's token count field, clamped into `AllowedRanges.tokenCount`: a literal
    /// too large for `Int` (`99999999999999999999999`, `1e300`) is the top of the range, a
    /// fraction is rounded down, a negative count is 0. Nil when the field is absent or not a
    /// number (the caller's default applies, as for a provider that omits it).
    /// As `count(_:)` for a number read in place (`JSONReader.number()`): the same rules,
    /// without the literal's `String` for a plain whole number.
    public static func count(read number: JSONNumber?) -> Int? {
        switch number {
        case nil: return nil
        case .whole(let n)?: return n.clamped(to: AllowedRanges.tokenCount)
        case .literal(let text)?: return count(.number(text))
        }
    }

    public static func count(_ value: JSONValue?) -> Int? {
        guard case .number(let literal)? = value else { return nil }
        if let exact = Int(literal) { return exact.clamped(to: AllowedRanges.tokenCount) }
        guard let d = Double(literal), !d.isNaN else { return nil }
        return Int(saturating: d, rounding: .down).clamped(to: AllowedRanges.tokenCount)
    }
}

/// Why the model stopped, in unified terms; the provider's own word travels beside it.
public enum FinishReason: String, Sendable, Equatable {
    case stop
    case length
    case toolCalls = "tool_calls"
    case contentFilter = "content_filter"
    case error
    case cancelled
}

/// A failure after the stream started (SPEC §4 `error` event).
public struct StreamError: Sendable, Equatable {
    public var type: String
    public var message: String
    public var provider: String
    /// The HTTP status this would have had before the first byte.
    public var status: Int
    public init(type: String, message: String, provider: String, status: Int) {
        self.type = type
        self.message = message
        self.provider = provider
        self.status = status
    }
}
