import Dispatch

/// Context-cache entries in PostgreSQL, shared by the daemons. Writes go to a serial queue
/// of their own: the caller (possibly an event loop) never waits on the network.
public final class PostgresContextCaches: ContextCachePersistence {
    private let session: PostgresSession
    private let queue = DispatchQueue(label: "switchboard-context-caches")

    public init(url: String) throws(PostgresError) {
        session = try PostgresSession(url: url)
        try session.run { (db) throws(PostgresError) in try PostgresMigrations.apply(to: db) }
    }

    public func loadAll() throws -> [String: ContextCacheStore.Entry] {
        let rows = try session.run { (db) throws(PostgresError) in
            try db.query("SELECT prefix_hash, name, model, expires_ms FROM gemini_caches")
        }
        var loaded: [String: ContextCacheStore.Entry] = [:]
        for row in rows {
            loaded[row[0] ?? ""] = .init(name: row[1] ?? "", model: row[2] ?? "", expiresMillis: row[3].int64 ?? 0)
        }
        return loaded
    }

    public func save(_ key: String, _ entry: ContextCacheStore.Entry) {
        let session = self.session
        queue.async {
            _ = try? session.run { (db) throws(PostgresError) in
                try db.query(
                    """
                    INSERT INTO gemini_caches (prefix_hash, name, model, expires_ms) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (prefix_hash) DO UPDATE
                      SET name = EXCLUDED.name, model = EXCLUDED.model, expires_ms = EXCLUDED.expires_ms
                    """, [key, entry.name, entry.model, String(entry.expiresMillis)])
            }
        }
    }

    public func delete(_ key: String) {
        let session = self.session
        queue.async {
            _ = try? session.run { (db) throws(PostgresError) in
                try db.query("DELETE FROM gemini_caches WHERE prefix_hash = $1", [key])
            }
        }
    }
}
