/// What `/readyz` reports about the store: which kind, and what is degraded.
public struct StoreHealth: Sendable, Equatable {
    /// The usage writer's side of a PostgreSQL store.
    public struct Usage: Sendable, Equatable {
        /// PostgreSQL took the last batch.
        public var reachable: Bool
        /// Rows waiting in the local spool for PostgreSQL to return.
        public var spooledRows: Int
        /// Rows written so far by this daemon.
        public var written: Int
    }

    public var kind: String
    /// PostgreSQL took the writer's last batch (always true for SQLite).
    public var usageReachable: Bool
    public var spooledUsageRows: Int
    /// The key-change listener is connected (always true for SQLite).
    public var keyListenerConnected: Bool

    /// What is degraded, in words; empty when nothing is.
    public var degraded: [String] {
        var out: [String] = []
        if !usageReachable || spooledUsageRows > 0 {
            out.append("usage: PostgreSQL unreachable, \(spooledUsageRows) rows spooled to the local file")
        }
        if !keyListenerConnected {
            out.append("keys: PostgreSQL unreachable, serving cached keys (changes on other daemons not seen)")
        }
        return out
    }
}
