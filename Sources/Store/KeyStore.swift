import ChatModel
import Synchronization

/// A virtual API key as stored (SPEC §7). The secret itself is never stored, only its SHA-256.
public struct VirtualKey: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Unix seconds.
    public var created: Int
    /// Unix seconds when revoked.
    public var revoked: Int?
    /// Allowed model names; empty means all.
    public var models: [String]
    public var rpm: Int?
    public var tpm: Int?
    public var maxConcurrent: Int?
    /// Total tokens this key may use.
    public var tokenBudget: Int?
    /// Hex SHA-256 of the secret.
    public var hash: String
}

/// Keys in SQLite. Control plane only (admin API, start-up); the request path uses an
/// in-memory snapshot the gateway refreshes from `all()`. Thread-safe: one connection
/// behind a lock.
public final class KeyStore: Sendable {
    private let connection: Mutex<SQLiteConnection>

    public init(path: String) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path)
        try Migrations.apply(to: connection)
        self.connection = Mutex(connection)
    }

    /// "sb-" + 43 base62 characters (≈256 bits), uniformly drawn.
    public static func generateSecret() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        var out = "sb-"
        while out.count < 46 {
            let byte = UInt8.random(in: 0...255, using: &generator)
            if byte < 248 { out.append(alphabet[Int(byte) % 62]) }
        }
        return out
    }

    /// Creates a key; returns it with its secret, which is shown this once and never again.
    public func create(name: String, models: [String] = [], rpm: Int? = nil, tpm: Int? = nil, maxConcurrent: Int? = nil,
                       tokenBudget: Int? = nil, now: Int) throws(SQLiteError) -> (key: VirtualKey, secret: String) {
        let secret = Self.generateSecret()
        var generator = SystemRandomNumberGenerator()
        let id = "key_" + String(UInt64.random(in: 0...UInt64.max, using: &generator), radix: 16)
        let key = VirtualKey(id: id, name: name, created: now, revoked: nil, models: models, rpm: rpm, tpm: tpm,
                             maxConcurrent: maxConcurrent, tokenBudget: tokenBudget, hash: SHA256.hex(secret))
        try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("""
                INSERT INTO keys (id, name, hash, created, revoked, models, rpm, tpm, max_concurrent, token_budget)
                VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8, ?9)
                """).run([.text(key.id), .text(name), .text(key.hash), .int(Int64(now)), .text(Self.encode(models)),
                          Self.optional(rpm), Self.optional(tpm), Self.optional(maxConcurrent), Self.optional(tokenBudget)])
        }
        return (key, secret)
    }

    public func all() throws(SQLiteError) -> [VirtualKey] {
        try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("SELECT id, name, hash, created, revoked, models, rpm, tpm, max_concurrent, token_budget FROM keys ORDER BY created, id")
                .rows().map(Self.decode)
        }
    }

    /// Marks a key revoked; false when there is no such (unrevoked) key.
    public func revoke(id: String, now: Int) throws(SQLiteError) -> Bool {
        try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("UPDATE keys SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL").run([.text(id), .int(Int64(now))])
            return db.changes > 0
        }
    }

    private static func optional(_ n: Int?) -> SQLiteStatement.Value { n.map { .int(Int64($0)) } ?? .null }

    private static func encode(_ models: [String]) -> String {
        "[" + models.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "]"
    }

    private static func decode(_ row: [SQLiteStatement.Value]) -> VirtualKey {
        VirtualKey(id: row[0].text ?? "", name: row[1].text ?? "", created: row[3].int ?? 0, revoked: row[4].int,
                   models: decodeModels(row[5].text ?? "[]"), rpm: limit(row[6], AllowedRanges.keyRPM),
                   tpm: limit(row[7], AllowedRanges.keyTPM), maxConcurrent: limit(row[8], AllowedRanges.keyMaxConcurrent),
                   tokenBudget: limit(row[9], AllowedRanges.keyTokenBudget), hash: row[2].text ?? "")
    }

    /// A stored limit as the request path uses it, whatever the row holds (a database from an
    /// older version, or edited by hand): NULL, 0 or negative mean none, and a value above its
    /// range is held at the top, as the admin API would have refused it.
    private static func limit(_ value: SQLiteStatement.Value, _ range: ClosedRange<Int>) -> Int? {
        guard let n = value.int, n > 0 else { return nil }
        return min(n, range.upperBound)
    }

    /// The models column holds a JSON array of plain strings written by `encode`.
    private static func decodeModels(_ text: String) -> [String] {
        var models: [String] = []
        var current = ""
        var inString = false
        var escaped = false
        for c in text {
            if escaped { current.append(c); escaped = false; continue }
            if inString && c == "\\" { escaped = true; continue }
            if c == "\"" {
                if inString { models.append(current); current = "" }
                inString.toggle()
                continue
            }
            if inString { current.append(c) }
        }
        return models
    }
}
