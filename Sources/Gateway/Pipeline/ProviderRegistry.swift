import Providers

/// A configured provider: its adapter, where and how to reach it, and its retry policy.
/// A class: every request's routes hold their slots, and a reference is one retain where
/// a copy of the fields is a dozen.
public final class ProviderSlot: Sendable {
    public let adapter: any ProviderAdapter
    /// The adapter when it has explicit context caching: found once here, as a dynamic cast
    /// per request costs more than the rest of the request's preparation.
    public let contextCaching: (any ContextCaching)?
    public let endpoint: ProviderEndpoint
    public let retry: RetryPolicy
    /// The provider's own limits, shared by every request to it.
    public let limiter: ProviderLimiter?

    public init(
        adapter: any ProviderAdapter, endpoint: ProviderEndpoint, retry: RetryPolicy, limiter: ProviderLimiter? = nil
    ) {
        self.adapter = adapter
        contextCaching = adapter as? any ContextCaching
        self.endpoint = endpoint
        self.retry = retry
        self.limiter = limiter
    }
}

/// The providers this daemon can call, by name. Immutable; a reload builds a new one.
public struct ProviderRegistry: Sendable {
    /// Each provider's first (or only) key.
    public var slots: [String: ProviderSlot]
    /// A key pool's slots, one per key (each with its own key and limiter), by provider name;
    /// providers with one key are not here.
    public var pools: [String: [ProviderSlot]] = [:]
    public init(slots: [String: ProviderSlot]) { self.slots = slots }
    public subscript(name: String) -> ProviderSlot? { slots[name] }

    /// Key `key` of `name`'s pool (the provider's one slot without a pool).
    public func slot(_ name: String, key: Int) -> ProviderSlot? {
        guard key != 0, let pool = pools[name] else { return slots[name] }
        return pool.indices.contains(key) ? pool[key] : nil
    }
}
