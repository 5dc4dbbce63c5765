/// One model's prices, in US dollars per million tokens.
///
/// `cacheRead` and `cacheWrite5m` default to `input`, `cacheWrite1h` to `cacheWrite5m`, when a
/// price list or configuration does not name them: a provider without prompt caching bills
/// those tokens (if it ever reports any) as ordinary input.
public struct TokenPrices: Sendable, Equatable {
    public var input: Double
    public var output: Double
    public var cacheRead: Double
    public var cacheWrite5m: Double
    public var cacheWrite1h: Double

    public init(
        input: Double, output: Double, cacheRead: Double? = nil, cacheWrite5m: Double? = nil,
        cacheWrite1h: Double? = nil
    ) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead ?? input
        self.cacheWrite5m = cacheWrite5m ?? input
        self.cacheWrite1h = cacheWrite1h ?? cacheWrite5m ?? input
    }

    /// The largest price accepted from a price list or the configuration: far above any real
    /// model's, small enough that a price times the largest token count stays finite and exact
    /// enough (2^40 tokens × 10^5 < 2^64).
    public static let allowedRange: ClosedRange<Double> = 0...100_000
}

/// Prices that replace the base ones when the prompt is longer than `above` tokens (Gemini
/// Pro and Claude Sonnet 4/4.5 above 200k): the whole request is billed at the tier's rate.
public struct PriceTier: Sendable, Equatable {
    public var above: Int
    public var prices: TokenPrices

    public init(above: Int, prices: TokenPrices) {
        self.above = above
        self.prices = prices
    }
}

/// A model's entry in the price table.
public struct ModelPrice: Sendable, Equatable {
    public var base: TokenPrices
    /// Ordered by `above`, ascending.
    public var tiers: [PriceTier]

    public init(_ base: TokenPrices, tiers: [PriceTier] = []) {
        self.base = base
        self.tiers = tiers.sorted { $0.above < $1.above }
    }

    /// The prices for a prompt of `promptTokens` (cached tokens included).
    public func prices(promptTokens: Int) -> TokenPrices {
        tiers.last { promptTokens > $0.above }?.prices ?? base
    }
}
