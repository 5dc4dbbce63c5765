import ChatModel
import Pricing

/// Keys in PostgreSQL, shared by every daemon. Each change is committed together with a
/// `NOTIFY` on `keyChannel`, so the other daemons' `KeyChangeListener`s reload within a second.
public final class PostgresKeyStore: KeyStoring {
    /// The channel key changes are announced on.
    public static let keyChannel = "switchboard_keys"
    private let session: PostgresSession

    public init(url: String) throws(PostgresError) {
        session = try PostgresSession(url: url)
        try session.run { (db) throws(PostgresError) in try PostgresMigrations.apply(to: db) }
    }

    public func create(
        name: String, models: [String], rpm: Int?, tpm: Int?, maxConcurrent: Int?, tokenBudget: Int?,
        budgetUSD: Double?, budgetPeriod: BudgetPeriod, now: Int
    ) throws -> (key: VirtualKey, secret: String) {
        let secret = KeyStore.generateSecret()
        let key = VirtualKey(
            id: KeyStore.generateId(), name: name, created: now, revoked: nil, models: models, rpm: rpm, tpm: tpm,
            maxConcurrent: maxConcurrent, tokenBudget: tokenBudget, hash: SHA256.hex(secret),
            budgetUSD: budgetUSD, budgetPeriod: budgetPeriod)
        _ = try changing { (db) throws(PostgresError) in
            try db.query(
                """
                INSERT INTO keys (id, name, hash, created, revoked, models, rpm, tpm, max_concurrent, token_budget,
                  budget_usd, budget_period)
                VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9, $10, $11)
                """,
                [
                    key.id, name, key.hash, String(now), KeyStore.encode(models), PostgresParameter.int(rpm),
                    PostgresParameter.int(tpm), PostgresParameter.int(maxConcurrent),
                    PostgresParameter.int(tokenBudget), PostgresParameter.double(budgetUSD), budgetPeriod.rawValue,
                ])
        }
        return (key, secret)
    }

    public func all() throws -> [VirtualKey] {
        try session.run { (db) throws(PostgresError) in
            try db.query("SELECT \(KeyStore.columns) FROM keys ORDER BY created, id").map(Self.decode)
        }
    }

    public func update(id: String, _ changes: KeyChanges) throws -> VirtualKey? {
        try changing { (db) throws(PostgresError) -> VirtualKey? in
            // FOR UPDATE: two daemons changing one key apply their changes one after the other.
            let rows = try db.query(
                "SELECT \(KeyStore.columns) FROM keys WHERE id = $1 AND revoked IS NULL FOR UPDATE", [id])
            guard let row = rows.first else { return nil }
            var key = Self.decode(row)
            changes.apply(to: &key)
            try db.query(
                """
                UPDATE keys SET name = $2, models = $3, rpm = $4, tpm = $5, max_concurrent = $6, token_budget = $7,
                  budget_usd = $8, budget_period = $9 WHERE id = $1
                """,
                [
                    id, key.name, KeyStore.encode(key.models), PostgresParameter.int(key.rpm),
                    PostgresParameter.int(key.tpm), PostgresParameter.int(key.maxConcurrent),
                    PostgresParameter.int(key.tokenBudget), PostgresParameter.double(key.budgetUSD),
                    key.budgetPeriod.rawValue,
                ])
            return key
        }
    }

    public func revoke(id: String, now: Int) throws -> Bool {
        try changing { (db) throws(PostgresError) -> Bool in
            let rows = try db.query(
                "UPDATE keys SET revoked = $2 WHERE id = $1 AND revoked IS NULL RETURNING id", [id, String(now)])
            return !rows.isEmpty
        }
    }

    /// Runs a change in a transaction that also announces it (delivered on commit).
    private func changing<T>(_ body: (PostgresConnection) throws(PostgresError) -> T) throws(PostgresError) -> T {
        try session.run { (db) throws(PostgresError) -> T in
            try db.transaction { () throws(PostgresError) -> T in
                let value = try body(db)
                try db.query("SELECT pg_notify($1, '')", [Self.keyChannel])
                return value
            }
        }
    }

    private static func decode(_ row: [String?]) -> VirtualKey {
        VirtualKey(
            id: row[0] ?? "", name: row[1] ?? "", created: row[3].int ?? 0, revoked: row[4].int,
            models: KeyStore.decodeModels(row[5] ?? "[]"), rpm: KeyStore.limit(row[6].int, AllowedRanges.keyRPM),
            tpm: KeyStore.limit(row[7].int, AllowedRanges.keyTPM),
            maxConcurrent: KeyStore.limit(row[8].int, AllowedRanges.keyMaxConcurrent),
            tokenBudget: KeyStore.limit(row[9].int, AllowedRanges.keyTokenBudget), hash: row[2] ?? "",
            budgetUSD: KeyStore.dollars(row[10].double), budgetPeriod: row[11].flatMap(BudgetPeriod.init) ?? .total)
    }
}
