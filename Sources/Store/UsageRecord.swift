import ChatModel

/// One request's metering row (SPEC §7).
public struct UsageRecord: Sendable, Equatable {
    public var timeMillis: Int64
    public var requestId: String
    public var keyId: String?
    public var alias: String
    public var provider: String?
    public var model: String?
    /// The request's token counts, as the pipeline metered them.
    public var usage: Usage
    public var status: Int
    public var finishReason: String?
    public var attempts: Int
    public var fallbackUsed: String?
    public var timeToFirstTokenMillis: Double?
    public var totalMillis: Double
    public var loopId: String?
    /// Some token counts are the gateway's estimate (a stream cut before the provider's usage).
    public var estimated: Bool
    /// What the request cost in US dollars; nil when its model has no price.
    public var costUSD: Double?
    /// The price entry the cost came from (`table:gpt-4o`, `config:local`).
    public var priceEntry: String?

    public init(
        timeMillis: Int64, requestId: String, keyId: String?, alias: String, provider: String?, model: String?,
        usage: Usage, status: Int, finishReason: String?, attempts: Int, fallbackUsed: String?,
        timeToFirstTokenMillis: Double?, totalMillis: Double, loopId: String? = nil, estimated: Bool = false,
        costUSD: Double? = nil, priceEntry: String? = nil
    ) {
        self.timeMillis = timeMillis
        self.requestId = requestId
        self.keyId = keyId
        self.alias = alias
        self.provider = provider
        self.model = model
        self.usage = usage
        self.status = status
        self.finishReason = finishReason
        self.attempts = attempts
        self.fallbackUsed = fallbackUsed
        self.timeToFirstTokenMillis = timeToFirstTokenMillis
        self.totalMillis = totalMillis
        self.loopId = loopId
        self.estimated = estimated
        self.costUSD = costUSD
        self.priceEntry = priceEntry
    }
}
