import Arithmetic
import ChatModel
import Synchronization

/// Aggregate reads of the usage table (its own connection; WAL lets it read while the
/// writer writes). Control plane only.
public final class UsageReader: Sendable {
    public enum GroupField: String, Sendable, CaseIterable {
        case model, day, key
        var sql: String {
            switch self {
            case .model: return "alias"
            case .day: return "strftime('%Y-%m-%d', time_ms / 1000, 'unixepoch')"
            case .key: return "COALESCE(key_id, '')"
            }
        }
    }

    public struct Row: Sendable, Equatable {
        public var groups: [String: String]
        public var requests: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var cacheReadTokens: Int
        public var cacheWriteTokens: Int
        public var reasoningTokens: Int
        public var totalTokens: Int
        /// The priced requests' cost, in US dollars.
        public var costUSD: Double = 0
        /// Requests whose model had no price: their tokens are not in `costUSD`.
        public var unpricedRequests: Int = 0
    }

    private let connection: Mutex<SQLiteConnection>

    public init(path: String) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path)
        try Migrations.apply(to: connection)
        self.connection = Mutex(connection)
    }

    /// Sums over [since, until) in Unix milliseconds, for one key (nil: every key), grouped.
    public func summary(
        keyId: String?, allKeys: Bool, since: Int64?, until: Int64?,
        groupBy: [GroupField]
    ) throws(SQLiteError) -> [Row] {
        var conditions: [String] = []
        var values: [SQLiteStatement.Value] = []
        if !allKeys {
            if let keyId {
                conditions.append("key_id = ?\(values.count + 1)"); values.append(.text(keyId))
            } else {
                conditions.append("key_id IS NULL")
            }
        }
        if let since { conditions.append("time_ms >= ?\(values.count + 1)"); values.append(.int(since)) }
        if let until { conditions.append("time_ms < ?\(values.count + 1)"); values.append(.int(until)) }
        let groupSQL = groupBy.map(\.sql)
        let sums = [
            "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens",
            "total_tokens",
        ].map(Self.total)
        let money = [Self.costTotal, "TOTAL(cost_usd IS NULL)"]
        var sql = "SELECT " + (groupSQL + ["COUNT(*)"] + sums + money).joined(separator: ", ")
        sql += " FROM usage"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if !groupSQL.isEmpty {
            sql += " GROUP BY " + groupSQL.joined(separator: ", ") + " ORDER BY " + groupSQL.joined(separator: ", ")
        }
        let rows = try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare(sql).rows(values)
        }
        return rows.map { row in
            var groups: [String: String] = [:]
            for (i, field) in groupBy.enumerated() { groups[field.rawValue] = row[i].text ?? "" }
            let n = groupBy.count
            return Row(
                groups: groups, requests: row[n].int ?? 0, inputTokens: Self.count(row[n + 1]),
                outputTokens: Self.count(row[n + 2]), cacheReadTokens: Self.count(row[n + 3]),
                cacheWriteTokens: Self.count(row[n + 4]), reasoningTokens: Self.count(row[n + 5]),
                totalTokens: Self.count(row[n + 6]), costUSD: Self.dollars(row[n + 7]),
                unpricedRequests: Self.count(row[n + 8]))
        }
    }

    /// The sum of a token column, safe whatever the rows hold: each row is held in
    /// `AllowedRanges.tokenCount` (rows written before counts were clamped, or edited by hand),
    /// and `TOTAL` adds in floating point, where SQLite's integer `SUM` fails on overflow
    /// (exact up to 2^53, some 8,000 maximal rows).
    static func total(_ column: String) -> String {
        "TOTAL(MIN(MAX(\(column), 0), \(AllowedRanges.tokenCount.upperBound)))"
    }

    /// The largest cost one row may add (a row edited by hand, or from a future price list,
    /// must not make the sum infinite or negative).
    static let maxRowCost = 1_000_000_000.0

    /// The sum of `cost_usd`, each row held in [0, maxRowCost]; NULL rows add nothing.
    static let costTotal = "TOTAL(MIN(MAX(cost_usd, 0), \(maxRowCost)))"

    /// A cost sum read back, finite and non-negative.
    static func dollars(_ value: SQLiteStatement.Value) -> Double {
        let d = value.double ?? 0
        return d.isFinite && d > 0 ? d : 0
    }

    /// A `total(_:)` value read back as a count.
    static func count(_ value: SQLiteStatement.Value) -> Int {
        Int(saturating: value.double ?? 0)
    }

    /// Total tokens per key, to seed budget accounting at start-up.
    public func totalsByKey() throws(SQLiteError) -> [String: Int] {
        let rows = try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare(
                "SELECT key_id, \(Self.total("total_tokens")) FROM usage WHERE key_id IS NOT NULL GROUP BY key_id"
            )
            .rows()
        }
        var out: [String: Int] = [:]
        for row in rows { if let key = row[0].text { out[key] = Self.count(row[1]) } }
        return out
    }

    /// Dollars spent per key: in all, and per UTC day (days since 1970-01-01) from `sinceDay`
    /// on, to seed dollar budgets at start-up.
    public func spendByKey(sinceDay: Int) throws(SQLiteError)
        -> (total: [String: Double], byDay: [String: [Int: Double]])
    {
        let (totals, days) = try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            let totals = try db.prepare(
                "SELECT key_id, \(Self.costTotal) FROM usage WHERE key_id IS NOT NULL GROUP BY key_id"
            ).rows()
            let days = try db.prepare(
                """
                SELECT key_id, time_ms / 86400000, \(Self.costTotal) FROM usage
                WHERE key_id IS NOT NULL AND time_ms >= ?1 GROUP BY key_id, time_ms / 86400000
                """
            ).rows([.int(Int64(max(0, sinceDay)) * 86_400_000)])
            return (totals, days)
        }
        var total: [String: Double] = [:]
        for row in totals { if let key = row[0].text { total[key] = Self.dollars(row[1]) } }
        var byDay: [String: [Int: Double]] = [:]
        for row in days {
            guard let key = row[0].text, let day = row[1].int else { continue }
            byDay[key, default: [:]][day] = Self.dollars(row[2])
        }
        return (total, byDay)
    }
}
