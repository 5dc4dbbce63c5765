/// Every numeric range the gateway holds outside numbers to (README "Allowed ranges",
/// openapi.yaml `minimum`/`maximum`), in one place so the decoders, the front doors, the
/// admin API and the documents agree. A client's number outside its range is a 400 naming
/// the field; a provider's number is clamped into its range (the provider is not ours to
/// refuse, and a count or a wait beyond these is an error on its side, not a real value).
public enum AllowedRanges {
    // MARK: Client requests

    /// `max_tokens` (and the front doors' `max_completion_tokens`): 2^24, far above any
    /// model's output limit, so the provider decides the real ceiling.
    public static let maxTokens: ClosedRange<Int> = 1...16_777_216
    /// `thinking.budget_tokens`.
    public static let thinkingBudget: ClosedRange<Int> = 1...16_777_216
    public static let temperature: ClosedRange<Double> = 0...2
    public static let topP: ClosedRange<Double> = 0...1
    /// `/v1/loops` `max_steps`.
    public static let loopMaxSteps: ClosedRange<Int> = 1...100
    /// `/v1/loops` `tool_timeout_s`.
    public static let toolTimeoutSeconds: ClosedRange<Double> = 0.001...86_400

    // MARK: Admin API (0 means unlimited)

    public static let keyRPM: ClosedRange<Int> = 0...10_000_000
    public static let keyTPM: ClosedRange<Int> = 0...1_000_000_000_000
    public static let keyMaxConcurrent: ClosedRange<Int> = 0...1_000_000
    /// Below 2^53, so a JSON client that reads numbers as doubles sees the exact value.
    public static let keyTokenBudget: ClosedRange<Int> = 0...1_000_000_000_000_000
    /// A key's dollar budget (`budget_usd`): up to a billion dollars, 0 meaning none.
    public static let keyBudgetUSD: ClosedRange<Double> = 0...1_000_000_000

    // MARK: Query parameters

    /// `/v1/usage` `since`/`until` as Unix seconds: 1970-01-01 to 9999-12-31T23:59:59Z.
    public static let usageTimeSeconds: ClosedRange<Int64> = 0...253_402_300_799
    /// `/v1/usage` `since`/`until` as dates YYYY-MM-DD: the years of the range above.
    public static let usageDateYears: ClosedRange<Int> = 1970...9999

    // MARK: Provider answers (clamped, not refused)

    /// Any token count a provider reports (2^40, about 10^12): negative counts become 0,
    /// larger ones this, so sums over many requests cannot overflow.
    public static let tokenCount: ClosedRange<Int> = 0...1_099_511_627_776
    /// A provider's retry hint (`retry-after`, `retry-after-ms`, RetryInfo, rate-limit resets)
    /// and the `Retry-After` a client is told: one day at most.
    public static let retryAfterSeconds: ClosedRange<Double> = 0...86_400
}
