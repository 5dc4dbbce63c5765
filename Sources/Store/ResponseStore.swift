import Synchronization

/// One stored Responses API answer: the response object and the conversation's input items
/// (JSON text, as the door wrote them), owned by a key (nil: the gateway runs without keys).
public struct StoredResponse: Sendable, Equatable {
    public var id: String
    public var ownerKeyId: String?
    /// Unix seconds.
    public var createdAt: Int64
    public var expiresAt: Int64
    /// A JSON array of input items.
    public var inputItems: String
    /// The `response` object.
    public var response: String

    public init(
        id: String, ownerKeyId: String?, createdAt: Int64, expiresAt: Int64, inputItems: String, response: String
    ) {
        self.id = id
        self.ownerKeyId = ownerKeyId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.inputItems = inputItems
        self.response = response
    }
}

/// Where stored responses live. Every read and delete is by id *and* owner: another key's
/// response is as absent as one that never existed. Expired responses are never returned.
public protocol ResponseStoring: Sendable {
    func save(_ response: StoredResponse) throws
    func load(id: String, ownerKeyId: String?, nowSeconds: Int64) throws -> StoredResponse?
    /// True when the response existed (for this owner) and is gone now.
    func delete(id: String, ownerKeyId: String?) throws -> Bool
    /// Removes what expired before `nowSeconds`; returns how many.
    @discardableResult func purgeExpired(nowSeconds: Int64) throws -> Int
}

/// `ResponseStoring` in the gateway's SQLite database (table `responses`, migration 5). Writes
/// happen on the caller's thread under a lock: one row per finished stored response.
public final class SQLiteResponseStore: ResponseStoring {
    private let connection: Mutex<SQLiteConnection>

    public init(path: String) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path)
        try Migrations.apply(to: connection)
        self.connection = Mutex(connection)
    }

    public func save(_ r: StoredResponse) throws {
        try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare(
                """
                INSERT OR REPLACE INTO responses (id, key_id, created_at, expires_at, input_items, response)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                """
            )
            .run([
                .text(r.id), r.ownerKeyId.map { .text($0) } ?? .null, .int(r.createdAt), .int(r.expiresAt),
                .text(r.inputItems), .text(r.response),
            ])
        }
    }

    public func load(id: String, ownerKeyId: String?, nowSeconds: Int64) throws -> StoredResponse? {
        let rows = try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare(
                """
                SELECT created_at, expires_at, input_items, response FROM responses
                WHERE id = ?1 AND key_id IS ?2 AND expires_at > ?3
                """
            )
            .rows([.text(id), ownerKeyId.map { .text($0) } ?? .null, .int(nowSeconds)])
        }
        guard let row = rows.first, row.count == 4 else { return nil }
        return StoredResponse(
            id: id, ownerKeyId: ownerKeyId, createdAt: Int64(row[0].int ?? 0), expiresAt: Int64(row[1].int ?? 0),
            inputItems: row[2].text ?? "[]", response: row[3].text ?? "{}")
    }

    public func delete(id: String, ownerKeyId: String?) throws -> Bool {
        try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("DELETE FROM responses WHERE id = ?1 AND key_id IS ?2")
                .run([.text(id), ownerKeyId.map { .text($0) } ?? .null])
            return db.changes > 0
        }
    }

    @discardableResult public func purgeExpired(nowSeconds: Int64) throws -> Int {
        try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("DELETE FROM responses WHERE expires_at <= ?1").run([.int(nowSeconds)])
            return db.changes
        }
    }
}
