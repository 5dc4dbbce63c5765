/// Where `ContextCacheStore` keeps its entries across restarts. Saving is best effort (a lost
/// entry costs one cache creation, not a wrong answer), so failures are not reported.
public protocol ContextCachePersistence: Sendable {
    func loadAll() throws -> [String: ContextCacheStore.Entry]
    func save(_ key: String, _ entry: ContextCacheStore.Entry)
    func delete(_ key: String)
}
