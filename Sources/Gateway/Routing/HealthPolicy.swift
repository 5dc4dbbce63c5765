/// How a deployment's health is judged (`models.<alias>.health`): the cool-down after a
/// failure and the error-ratio breaker. Times in seconds.
public struct HealthPolicy: Sendable, Equatable {
    /// The breaker opens when at least this share of the recent requests failed.
    public var errorRatio = 0.5
    /// How many recent requests the ratio is taken over (at most 64).
    public var window = 20
    /// The breaker judges only once the window holds this many requests.
    public var minRequests = 10
    /// How long the breaker stays open before one probe is let through.
    public var openSeconds = 10.0
    /// The first cool-down after a 5xx, 529, timeout or reset; doubled on each failure in a
    /// row up to `cooldownMaxSeconds`. 0: no cool-down (the breaker alone judges).
    public var cooldownSeconds = 1.0
    public var cooldownMaxSeconds = 60.0
    /// A 429 that says nothing of when to come back keeps the deployment out this long.
    public var rateLimitSeconds = 1.0

    public init() {}

    /// The longest any hint may keep a deployment out (a provider's `Retry-After` of a week
    /// is taken as an hour: the time stays finite and small).
    static let longestOut = 3600.0
}
