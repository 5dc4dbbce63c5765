import Synchronization

/// Remembered Gemini `cachedContents` entries, keyed by a hash of the cached prefix. Reads
/// come from memory; writes go to the persistence (SQLite on the caller's thread; PostgreSQL
/// off it) — control plane: at most one per new prefix.
public final class ContextCacheStore: Sendable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var model: String
        public var expiresMillis: Int64
        public init(name: String, model: String, expiresMillis: Int64) {
            self.name = name
            self.model = model
            self.expiresMillis = expiresMillis
        }
    }

    private let persistence: any ContextCachePersistence
    private let entries = Mutex<[String: Entry]>([:])

    /// The entries kept in the SQLite database at `path`.
    public convenience init(path: String) throws {
        try self.init(persistence: SQLiteContextCaches(path: path))
    }

    public init(persistence: any ContextCachePersistence) throws {
        let loaded = try persistence.loadAll()
        entries.withLock { $0 = loaded }
        self.persistence = persistence
    }

    /// The entry for `key` if it outlives `now` by `margin` milliseconds.
    public func lookup(_ key: String, nowMillis: Int64, marginMillis: Int64 = 30_000) -> Entry? {
        entries.withLock { map in
            guard let entry = map[key], entry.expiresMillis > nowMillis + marginMillis else { return nil }
            return entry
        }
    }

    public func store(_ key: String, _ entry: Entry) {
        entries.withLock { $0[key] = entry }
        persistence.save(key, entry)
    }

    public func forget(_ key: String) {
        entries.withLock { $0[key] = nil }
        persistence.delete(key)
    }
}
