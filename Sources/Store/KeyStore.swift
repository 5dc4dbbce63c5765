import ChatModel
import Pricing
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
    /// Dollars this key may spend per `budgetPeriod`; nil: no dollar budget.
    public var budgetUSD: Double? = nil
    public var budgetPeriod: BudgetPeriod = .total
}

/// What `PATCH /admin/keys/{id}` changes: a field present is set (nil inside: the limit is
/// removed), a field absent is kept.
public struct KeyChanges: Sendable, Equatable {
    public var name: String?
    public var models: [String]?
    public var rpm: Int??
    public var tpm: Int??
    public var maxConcurrent: Int??
    public var tokenBudget: Int??
    public var budgetUSD: Double??
    public var budgetPeriod: BudgetPeriod?
    public init() {}

    func apply(to key: inout VirtualKey) {
        if let name { key.name = name }
        if let models { key.models = models }
        if let rpm { key.rpm = rpm }
        if let tpm { key.tpm = tpm }
        if let maxConcurrent { key.maxConcurrent = maxConcurrent }
        if let tokenBudget { key.tokenBudget = tokenBudget }
        if let budgetUSD { key.budgetUSD = budgetUSD }
        if let budgetPeriod { key.budgetPeriod = budgetPeriod }
    }
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

    /// "key_" + 64 random bits in hex.
    static func generateId() -> String {
        var generator = SystemRandomNumberGenerator()
        return "key_" + String(UInt64.random(in: 0...UInt64.max, using: &generator), radix: 16)
    }

    /// Creates a key; returns it with its secret, which is shown this once and never again.
    public func create(
        name: String, models: [String] = [], rpm: Int? = nil, tpm: Int? = nil, maxConcurrent: Int? = nil,
        tokenBudget: Int? = nil, budgetUSD: Double? = nil, budgetPeriod: BudgetPeriod = .total,
        now: Int
    ) throws(SQLiteError) -> (key: VirtualKey, secret: String) {
        let secret = Self.generateSecret()
        let id = Self.generateId()
        let key = VirtualKey(
            id: id, name: name, created: now, revoked: nil, models: models, rpm: rpm, tpm: tpm,
            maxConcurrent: maxConcurrent, tokenBudget: tokenBudget, hash: SHA256.hex(secret),
            budgetUSD: budgetUSD, budgetPeriod: budgetPeriod)
        try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare(
                """
                INSERT INTO keys (id, name, hash, created, revoked, models, rpm, tpm, max_concurrent, token_budget,
                  budget_usd, budget_period)
                VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                """
            ).run([
                .text(key.id), .text(name), .text(key.hash), .int(Int64(now)), .text(Self.encode(models)),
                Self.optional(rpm), Self.optional(tpm), Self.optional(maxConcurrent),
                Self.optional(tokenBudget), budgetUSD.map { .double($0) } ?? .null, .text(budgetPeriod.rawValue),
            ])
        }
        return (key, secret)
    }

    public func all() throws(SQLiteError) -> [VirtualKey] {
        try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("SELECT \(Self.columns) FROM keys ORDER BY created, id").rows().map(Self.decode)
        }
    }

    static let columns =
        "id, name, hash, created, revoked, models, rpm, tpm, max_concurrent, token_budget, "
        + "budget_usd, budget_period"

    /// Changes a key's name and limits in one step; nil when there is no such unrevoked key.
    public func update(id: String, _ changes: KeyChanges) throws(SQLiteError) -> VirtualKey? {
        try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) -> VirtualKey? in
            // A revoked key is gone for the admin API too (as after DELETE): it cannot be changed.
            let rows = try db.prepare("SELECT \(Self.columns) FROM keys WHERE id = ?1 AND revoked IS NULL")
                .rows([.text(id)])
            guard let row = rows.first else { return nil }
            var key = Self.decode(row)
            changes.apply(to: &key)
            try db.prepare(
                """
                UPDATE keys SET name = ?2, models = ?3, rpm = ?4, tpm = ?5, max_concurrent = ?6, token_budget = ?7,
                  budget_usd = ?8, budget_period = ?9 WHERE id = ?1
                """
            ).run([
                .text(id), .text(key.name), .text(Self.encode(key.models)), Self.optional(key.rpm),
                Self.optional(key.tpm), Self.optional(key.maxConcurrent), Self.optional(key.tokenBudget),
                key.budgetUSD.map { .double($0) } ?? .null, .text(key.budgetPeriod.rawValue),
            ])
            return key
        }
    }

    /// Marks a key revoked; false when there is no such (unrevoked) key.
    public func revoke(id: String, now: Int) throws(SQLiteError) -> Bool {
        try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("UPDATE keys SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL").run([
                .text(id), .int(Int64(now)),
            ])
            return db.changes > 0
        }
    }

    private static func optional(_ n: Int?) -> SQLiteStatement.Value { n.map { .int(Int64($0)) } ?? .null }

    static func encode(_ models: [String]) -> String {
        "["
            + models.map {
                "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\""
            }
            .joined(separator: ",") + "]"
    }

    private static func decode(_ row: [SQLiteStatement.Value]) -> VirtualKey {
        VirtualKey(
            id: row[0].text ?? "", name: row[1].text ?? "", created: row[3].int ?? 0, revoked: row[4].int,
            models: decodeModels(row[5].text ?? "[]"), rpm: limit(row[6].int, AllowedRanges.keyRPM),
            tpm: limit(row[7].int, AllowedRanges.keyTPM),
            maxConcurrent: limit(row[8].int, AllowedRanges.keyMaxConcurrent),
            tokenBudget: limit(row[9].int, AllowedRanges.keyTokenBudget), hash: row[2].text ?? "",
            budgetUSD: dollars(row[10].double), budgetPeriod: row[11].text.flatMap(BudgetPeriod.init) ?? .total)
    }

    /// A stored dollar budget, whatever the row holds: NULL, 0, negative or not finite mean
    /// none, above the range is held at the top.
    static func dollars(_ value: Double?) -> Double? {
        guard let d = value, d.isFinite, d > 0 else { return nil }
        return min(d, AllowedRanges.keyBudgetUSD.upperBound)
    }

    /// A stored limit as the request path uses it, whatever the row holds (a database from an
    /// older version, or edited by hand): NULL, 0 or negative mean none, and a value above its
    /// range is held at the top, as the admin API would have refused it.
    static func limit(_ value: Int?, _ range: ClosedRange<Int>) -> Int? {
        guard let n = value, n > 0 else { return nil }
        return min(n, range.upperBound)
    }

    /// The models column holds a JSON array of plain strings written by `encode`.
    static func decodeModels(_ text: String) -> [String] {
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
