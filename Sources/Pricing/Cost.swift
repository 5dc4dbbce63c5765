import ChatModel

/// What one request cost, and the price entry it was computed from.
public struct Cost: Sendable, Equatable {
    public var usd: Double
    /// `table:gpt-4o`, `config:my-alias`.
    public var entry: String

    public init(usd: Double, entry: String) {
        self.usd = usd
        self.entry = entry
    }
}

extension ModelPrice {
    /// The cost of `usage` at these prices, in US dollars.
    ///
    /// The rule works on the normalised counts of `Usage`, which every adapter fills the same
    /// way (SPEC §4): `inputTokens` is the whole prompt, cached tokens included, and
    /// `outputTokens` the whole answer, reasoning included. So, per provider:
    /// - Anthropic bills `input_tokens` (which excludes cache reads and writes) at the input
    ///   price, `cache_read_input_tokens` at the cache-read price and
    ///   `cache_creation_input_tokens` at the 5-minute or 1-hour write price; the adapter adds
    ///   all three into `inputTokens`, so ordinary input is `inputTokens − cacheRead − cacheWrite`.
    /// - OpenAI's `prompt_tokens` already includes `cached_tokens`: ordinary input is
    ///   `prompt_tokens − cached_tokens`, and `completion_tokens` (reasoning included) is output.
    /// - Gemini's `promptTokenCount` includes `cachedContentTokenCount`, and
    ///   `thoughtsTokenCount` is billed as output: the adapter adds it to `candidatesTokenCount`.
    /// The tier is chosen by the whole prompt's length (Gemini's and Anthropic's long-context
    /// rule). Reasoning tokens are never billed twice: they are inside `outputTokens`.
    public func cost(of usage: Usage) -> Double {
        let prices = self.prices(promptTokens: usage.inputTokens)
        // Counts are in AllowedRanges.tokenCount (≤ 2^40) and prices in allowedRange: every
        // product and sum below is finite. A provider's inconsistent counts (more cached than
        // prompt tokens) bill no negative input.
        let cacheWrite = usage.cacheWriteTokens
        let write1h = min(usage.cacheWrite1hTokens, cacheWrite)
        let write5m = cacheWrite - write1h
        let uncached = max(0, usage.inputTokens - usage.cacheReadTokens - cacheWrite)
        let microDollars =
            Double(uncached) * prices.input
            + Double(usage.cacheReadTokens) * prices.cacheRead
            + Double(write5m) * prices.cacheWrite5m
            + Double(write1h) * prices.cacheWrite1h
            + Double(usage.outputTokens) * prices.output
        return microDollars / 1_000_000
    }

    /// The most a request can cost before it runs: its prompt estimate billed as ordinary
    /// input, and `maxOutputTokens` as output, at the tier the estimate falls in.
    public func worstCase(promptTokens: Int, maxOutputTokens: Int) -> Double {
        let prices = self.prices(promptTokens: promptTokens)
        let input = Double(max(0, promptTokens)) * max(prices.input, prices.cacheWrite5m, prices.cacheWrite1h)
        return (input + Double(max(0, maxOutputTokens)) * prices.output) / 1_000_000
    }
}
