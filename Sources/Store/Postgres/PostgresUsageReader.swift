import Arithmetic
import ChatModel

/// Aggregate reads of the shared usage table: every daemon reports every daemon's rows.
public final class PostgresUsageReader: UsageQuerying {
    private let session: PostgresSession

    public init(url: String) throws(PostgresError) {
        session = try PostgresSession(url: url)
        try session.run { (db) throws(PostgresError) in try PostgresMigrations.apply(to: db) }
    }

    public func summary(
        keyId: String?, allKeys: Bool, since: Int64?, until: Int64?, groupBy: [UsageReader.GroupField]
    ) throws -> [UsageReader.Row] {
        var conditions: [String] = []
        var values: [String?] = []
        if !allKeys {
            if let keyId {
                values.append(keyId)
                conditions.append("key_id = $\(values.count)")
            } else {
                conditions.append("key_id IS NULL")
            }
        }
        if let since { values.append(String(since)); conditions.append("time_ms >= $\(values.count)") }
        if let until { values.append(String(until)); conditions.append("time_ms < $\(values.count)") }
        let groupSQL = groupBy.map(Self.sql)
        let sums = [
            "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens",
            "total_tokens",
        ].map(Self.total)
        let money = [Self.costTotal, "COUNT(*) FILTER (WHERE cost_usd IS NULL)"]
        var sql = "SELECT " + (groupSQL + ["COUNT(*)"] + sums + money).joined(separator: ", ")
        sql += " FROM usage"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if !groupSQL.isEmpty {
            sql += " GROUP BY " + groupSQL.joined(separator: ", ") + " ORDER BY " + groupSQL.joined(separator: ", ")
        }
        let rows = try session.run { (db) throws(PostgresError) in try db.query(sql, values) }
        return rows.map { row in
            var groups: [String: String] = [:]
            for (i, field) in groupBy.enumerated() { groups[field.rawValue] = row[i] ?? "" }
            let n = groupBy.count
            return UsageReader.Row(
                groups: groups, requests: row[n].int ?? 0, inputTokens: Self.count(row[n + 1]),
                outputTokens: Self.count(row[n + 2]), cacheReadTokens: Self.count(row[n + 3]),
                cacheWriteTokens: Self.count(row[n + 4]), reasoningTokens: Self.count(row[n + 5]),
                totalTokens: Self.count(row[n + 6]), costUSD: Self.dollars(row[n + 7]),
                unpricedRequests: Self.count(row[n + 8]))
        }
    }

    public func totalsByKey() throws -> [String: Int] {
        let rows = try session.run { (db) throws(PostgresError) in
            try db.query(
                "SELECT key_id, \(Self.total("total_tokens")) FROM usage WHERE key_id IS NOT NULL GROUP BY key_id")
        }
        var out: [String: Int] = [:]
        for row in rows { if let key = row[0] { out[key] = Self.count(row[1]) } }
        return out
    }

    public func spendByKey(sinceDay: Int) throws -> (total: [String: Double], byDay: [String: [Int: Double]]) {
        let since = Saturating.multiply(max(0, sinceDay), 86_400_000)
        let (totals, days) = try session.run { (db) throws(PostgresError) in
            let totals = try db.query(
                "SELECT key_id, \(Self.costTotal) FROM usage WHERE key_id IS NOT NULL GROUP BY key_id")
            let days = try db.query(
                """
                SELECT key_id, time_ms / 86400000, \(Self.costTotal) FROM usage
                WHERE key_id IS NOT NULL AND time_ms >= $1 GROUP BY key_id, time_ms / 86400000
                """, [String(since)])
            return (totals, days)
        }
        var total: [String: Double] = [:]
        for row in totals { if let key = row[0] { total[key] = Self.dollars(row[1]) } }
        var byDay: [String: [Int: Double]] = [:]
        for row in days {
            guard let key = row[0], let day = row[1].int else { continue }
            byDay[key, default: [:]][day] = Self.dollars(row[2])
        }
        return (total, byDay)
    }

    static func sql(_ field: UsageReader.GroupField) -> String {
        switch field {
        case .model: return "alias"
        case .day: return "to_char(to_timestamp(time_ms / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        case .key: return "COALESCE(key_id, '')"
        }
    }

    /// A token column's sum, each row held in `AllowedRanges.tokenCount` and added in floating
    /// point (as SQLite's `TOTAL`), so no sum can overflow.
    static func total(_ column: String) -> String {
        "COALESCE(SUM(LEAST(GREATEST(\(column), 0), \(AllowedRanges.tokenCount.upperBound))::float8), 0)"
    }

    static let costTotal = "COALESCE(SUM(LEAST(GREATEST(cost_usd, 0), \(UsageReader.maxRowCost))), 0)"

    static func dollars(_ text: String?) -> Double {
        let d = text.double ?? 0
        return d > 0 ? d : 0
    }

    /// A sum read back as a count ("1e+06" and friends from float8 included), saturating.
    static func count(_ text: String?) -> Int { Int(saturating: text.double ?? 0) }
}
