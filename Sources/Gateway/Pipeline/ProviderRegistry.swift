import Providers

/// A configured provider: its adapter, where and how to reach it, and its retry policy.
public struct ProviderSlot: Sendable {
    public var adapter: any ProviderAdapter
    public var endpoint: ProviderEndpoint
    public var retry: RetryPolicy
    /// The provider's own limits, shared by every request to it.
    public var limiter: ProviderLimiter?

    public init(
        adapter: any ProviderAdapter, endpoint: ProviderEndpoint, retry: RetryPolicy, limiter: ProviderLimiter? = nil
    ) {
        self.adapter = adapter
        self.endpoint = endpoint
        self.retry = retry
        self.limiter = limiter
    }
}

/// The providers this daemon can call, by name. Immutable; a reload builds a new one.
public struct ProviderRegistry: Sendable {
    public var slots: [String: ProviderSlot]
    public init(slots: [String: ProviderSlot]) { self.slots = slots }
    public subscript(name: String) -> ProviderSlot? { slots[name] }
}
