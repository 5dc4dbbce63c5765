/// The one writer of usage rows (SQLite or PostgreSQL): `record` is called on the request
/// path (a lock and an append, never I/O); a writer thread stores rows in batches.
public protocol UsageRecording: Sendable {
    /// Queues a row. Any thread; never blocks on I/O. `consuming`: the caller's row moves into
    /// the writer's queue, no copy of its Strings (issue 13).
    func record(_ record: consuming UsageRecord)
    /// Writes (or spools) everything queued, then stops the writer thread.
    func shutdown()
}

extension UsageWriter: UsageRecording {}

/// Sums over the usage rows, for `GET /v1/usage` and to seed budgets at start-up. Blocking:
/// call off the event loops.
public protocol UsageQuerying: Sendable {
    /// Sums over [since, until) in Unix milliseconds, for one key (nil: every key), grouped.
    func summary(
        keyId: String?, allKeys: Bool, since: Int64?, until: Int64?, groupBy: [UsageReader.GroupField]
    ) throws -> [UsageReader.Row]
    /// Total tokens per key.
    func totalsByKey() throws -> [String: Int]
    /// Dollars spent per key: in all, and per UTC day from `sinceDay` on.
    func spendByKey(sinceDay: Int) throws -> (total: [String: Double], byDay: [String: [Int: Double]])
}

extension UsageReader: UsageQuerying {}
