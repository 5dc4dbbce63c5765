import Synchronization

/// A connection shared by one store's callers, one at a time. Control-plane stores (keys,
/// usage queries, context caches) each keep one; the usage writer and the key listener own
/// theirs outright.
final class PostgresSession: Sendable {
    private let connection: Mutex<PostgresConnection>

    init(url: String) throws(PostgresError) {
        connection = Mutex(try PostgresConnection(url: url))
    }

    /// Runs `body` (one statement, or one transaction) on the connection. A connection the
    /// server dropped (a restart) is noticed only when used: then it is re-established and
    /// `body` runs once more, from its start.
    func run<T>(_ body: (PostgresConnection) throws(PostgresError) -> T) throws(PostgresError) -> T {
        try connection.withLock { (db: inout PostgresConnection) throws(PostgresError) -> T in
            do throws(PostgresError) {
                return try body(db)
            } catch  where error.connectionLost {
                try db.reconnectIfNeeded()
                return try body(db)
            }
        }
    }
}
