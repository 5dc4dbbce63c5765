import Synchronization

/// Context-cache entries in SQLite, written on the caller's thread.
final class SQLiteContextCaches: ContextCachePersistence {
    private let connection: Mutex<SQLiteConnection>

    init(path: String) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path)
        try Migrations.apply(to: connection)
        self.connection = Mutex(connection)
    }

    func loadAll() throws -> [String: ContextCacheStore.Entry] {
        let rows = try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("SELECT prefix_hash, name, model, expires_ms FROM gemini_caches").rows()
        }
        var loaded: [String: ContextCacheStore.Entry] = [:]
        for row in rows {
            loaded[row[0].text ?? ""] = .init(
                name: row[1].text ?? "", model: row[2].text ?? "", expiresMillis: Int64(row[3].int ?? 0))
        }
        return loaded
    }

    func save(_ key: String, _ entry: ContextCacheStore.Entry) {
        try? connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare(
                "INSERT OR REPLACE INTO gemini_caches (prefix_hash, name, model, expires_ms) VALUES (?1, ?2, ?3, ?4)"
            )
            .run([.text(key), .text(entry.name), .text(entry.model), .int(entry.expiresMillis)])
        }
    }

    func delete(_ key: String) {
        try? connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("DELETE FROM gemini_caches WHERE prefix_hash = ?1").run([.text(key)])
        }
    }
}
