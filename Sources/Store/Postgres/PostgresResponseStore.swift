/// `ResponseStoring` in PostgreSQL (table `responses`, migration 5), shared by the daemons, so a
/// `previous_response_id` or a `GET /v1/responses/{id}` may reach any of them.
///
/// Calls are synchronous, like the SQLite store's: a response is stored before its request
/// ends, so the client's next turn finds it on whichever daemon it lands.
public final class PostgresResponseStore: ResponseStoring {
    private let session: PostgresSession

    public init(url: String) throws(PostgresError) {
        session = try PostgresSession(url: url)
        try session.run { (db) throws(PostgresError) in try PostgresMigrations.apply(to: db) }
    }

    public func save(_ r: StoredResponse) throws {
        _ = try session.run { (db) throws(PostgresError) in
            try db.query(
                """
                INSERT INTO responses (id, key_id, created_at, expires_at, input_items, response)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (id) DO UPDATE SET key_id = EXCLUDED.key_id, created_at = EXCLUDED.created_at,
                  expires_at = EXCLUDED.expires_at, input_items = EXCLUDED.input_items, response = EXCLUDED.response
                """,
                [r.id, r.ownerKeyId, String(r.createdAt), String(r.expiresAt), r.inputItems, r.response])
        }
    }

    public func load(id: String, ownerKeyId: String?, nowSeconds: Int64) throws -> StoredResponse? {
        let rows = try session.run { (db) throws(PostgresError) in
            try db.query(
                """
                SELECT created_at, expires_at, input_items, response FROM responses
                WHERE id = $1 AND key_id IS NOT DISTINCT FROM $2 AND expires_at > $3
                """, [id, ownerKeyId, String(nowSeconds)])
        }
        guard let row = rows.first, row.count == 4 else { return nil }
        return StoredResponse(
            id: id, ownerKeyId: ownerKeyId, createdAt: row[0].int64 ?? 0, expiresAt: row[1].int64 ?? 0,
            inputItems: row[2] ?? "[]", response: row[3] ?? "{}")
    }

    public func delete(id: String, ownerKeyId: String?) throws -> Bool {
        let rows = try session.run { (db) throws(PostgresError) in
            try db.query(
                "DELETE FROM responses WHERE id = $1 AND key_id IS NOT DISTINCT FROM $2 RETURNING id", [id, ownerKeyId])
        }
        return !rows.isEmpty
    }

    @discardableResult public func purgeExpired(nowSeconds: Int64) throws -> Int {
        let rows = try session.run { (db) throws(PostgresError) in
            try db.query("DELETE FROM responses WHERE expires_at <= $1 RETURNING id", [String(nowSeconds)])
        }
        return rows.count
    }
}
