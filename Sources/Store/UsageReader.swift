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
    }

    private let connection: Mutex<SQLiteConnection>

    public init(path: String) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path)
        try Migrations.apply(to: connection)
        self.connection = Mutex(connection)
    }

    /// Sums over [since, until) in Unix milliseconds, for one key (nil: every key), grouped.
    public func summary(keyId: String?, allKeys: Bool, since: Int64?, until: Int64?,
                        groupBy: [GroupField]) throws(SQLiteError) -> [Row] {
        var conditions: [String] = []
        var values: [SQLiteStatement.Value] = []
        if !allKeys {
            if let keyId { conditions.append("key_id = ?\(values.count + 1)"); values.append(.text(keyId)) } else { conditions.append("key_id IS NULL") }
        }
        if let since { conditions.append("time_ms >= ?\(values.count + 1)"); values.append(.int(since)) }
        if let until { conditions.append("time_ms < ?\(values.count + 1)"); values.append(.int(until)) }
        let groupSQL = groupBy.map(\.sql)
        var sql = "SELECT " + (groupSQL + ["COUNT(*)", "COALESCE(SUM(input_tokens),0)", "COALESCE(SUM(output_tokens),0)",
                                            "COALESCE(SUM(cache_read_tokens),0)", "COALESCE(SUM(cache_write_tokens),0)",
                                            "COALESCE(SUM(reasoning_tokens),0)", "COALESCE(SUM(total_tokens),0)"]).joined(separator: ", ")
        sql += " FROM usage"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if !groupSQL.isEmpty { sql += " GROUP BY " + groupSQL.joined(separator: ", ") + " ORDER BY " + groupSQL.joined(separator: ", ") }
        let rows = try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in try db.prepare(sql).rows(values) }
        return rows.map { row in
            var groups: [String: String] = [:]
            for (i, field) in groupBy.enumerated() { groups[field.rawValue] = row[i].text ?? "" }
            let n = groupBy.count
            return Row(groups: groups, requests: row[n].int ?? 0, inputTokens: row[n + 1].int ?? 0,
                       outputTokens: row[n + 2].int ?? 0, cacheReadTokens: row[n + 3].int ?? 0,
                       cacheWriteTokens: row[n + 4].int ?? 0, reasoningTokens: row[n + 5].int ?? 0,
                       totalTokens: row[n + 6].int ?? 0)
        }
    }

    /// Total tokens per key, to seed budget accounting at start-up.
    public func totalsByKey() throws(SQLiteError) -> [String: Int] {
        let rows = try connection.withLock { (db: inout SQLiteConnection) throws(SQLiteError) in
            try db.prepare("SELECT key_id, SUM(total_tokens) FROM usage WHERE key_id IS NOT NULL GROUP BY key_id").rows()
        }
        var out: [String: Int] = [:]
        for row in rows { if let key = row[0].text { out[key] = row[1].int ?? 0 } }
        return out
    }
}
