import Synchronization

/// Remembered Gemini `cachedContents` entries, keyed by a hash of the cached prefix. Reads
/// come from memory; writes go to SQLite on the caller's thread (control plane: at most one
/// per new prefix).
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

    private let connection: Mutex<SQLiteConnection>
    private let entries = Mutex<[String: Entry]>([:])

    public init(path: String) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path)
        try Migrations.apply(to: connection)
        let rows = try connection.prepare("SELECT prefix_hash, name, model, expires_ms FROM gemini_caches").rows()
        var loaded: [String: Entry] = [:]
        for row in rows {
            loaded[row[0].text ?? ""] = Entry(
                name: row[1].text ?? "", model: row[2].text ?? "", expiresMillis: Int64(row[3].int ?? 0))
        }
        entries.withLock { $0 = loaded }
        self.connection = Mutex(connection)
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
        try? connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare(
                "INSERT OR REPLACE INTO gemini_caches (prefix_hash, name, model, expires_ms) VALUES (?1, ?2, ?3, ?4)"
            )
            .run([.text(key), .text(entry.name), .text(entry.model), .int(entry.expiresMillis)])
        }
    }

    public func forget(_ key: String) {
        entries.withLock { $0[key] = nil }
        try? connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("DELETE FROM gemini_caches WHERE prefix_hash = ?1").run([.text(key)])
        }
    }
}
