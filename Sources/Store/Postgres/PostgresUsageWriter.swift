import Foundation
import Synchronization

/// The usage writer for PostgreSQL: batches like `UsageWriter` (256 rows or 100 ms), one
/// multi-row `INSERT` per batch, on a thread of its own.
///
/// PostgreSQL unreachable: the batch goes to the `UsageSpool` (fsync'd) and the writer retries
/// every `retryDelay`, replaying the spool when the server is back. Rows carry a `row_uid`
/// with `ON CONFLICT DO NOTHING`, so a replay that is interrupted and repeated counts no row
/// twice; the spool is emptied only after its rows are committed. Zero rows lost, none doubled.
public final class PostgresUsageWriter: UsageRecording, @unchecked Sendable {
    public static let retryDelay = 0.5
    private static let columns =
        "row_uid, time_ms, request_id, key_id, alias, provider, model, input_tokens, output_tokens,"
        + " cache_read_tokens, cache_write_tokens, reasoning_tokens, total_tokens, status, finish_reason, attempts,"
        + " fallback_used, ttft_ms, total_ms, loop_id, estimated, cost_usd, price_entry"
    static let columnCount = 23

    private let connection: PostgresConnection
    private let spool: UsageSpool
    private let condition = NSCondition()
    private var queue: [UsageRecord] = []
    private var stopping = false
    private var stopped = false
    private let onError: @Sendable (Error) -> Void
    private let health = Mutex(StoreHealth.Usage(reachable: true, spooledRows: 0, written: 0))

    /// Connects (applying migrations), opens the spool (replaying rows a previous run left),
    /// and starts the writer thread.
    public init(url: String, spoolPath: String, onError: @escaping @Sendable (Error) -> Void) throws {
        connection = try PostgresConnection(url: url)
        try PostgresMigrations.apply(to: connection)
        spool = try UsageSpool(path: spoolPath)
        self.onError = onError
        let spooled = spool.count
        health.withLock { $0.spooledRows = spooled }
        let thread = Thread { [self] in run() }
        thread.name = "switchboard-usage-writer"
        thread.start()
    }

    /// Whether PostgreSQL took the last batch, and how many rows wait in the spool.
    public var usageHealth: StoreHealth.Usage { health.withLock { $0 } }

    /// `consuming`, as `UsageWriter.record`: the row moves into the queue (issue 13).
    public func record(_ record: consuming UsageRecord) {
        condition.lock()
        queue.append(consume record)
        if queue.count == 1 || queue.count >= UsageWriter.maxBatch { condition.signal() }
        condition.unlock()
    }

    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            let waitLimit = spool.count > 0 ? Self.retryDelay : nil
            if queue.isEmpty && !stopping {
                if let waitLimit {
                    _ = condition.wait(until: Date().addingTimeInterval(waitLimit))
                } else {
                    condition.wait()
                }
            }
            if !queue.isEmpty && queue.count < UsageWriter.maxBatch && !stopping {
                _ = condition.wait(until: Date().addingTimeInterval(UsageWriter.maxDelay))
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            let finished = stopping
            condition.unlock()
            store(batch.map(Self.parameters))
            if finished {
                condition.lock()
                let rest = queue
                queue.removeAll()
                condition.unlock()
                store(rest.map(Self.parameters))
                condition.lock()
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }

    /// Inserts `rows`, or spools them; and replays the spool when it holds rows.
    private func store(_ rows: [[String?]]) {
        if spool.count == 0 {
            guard !rows.isEmpty else { return }
            if insert(rows) { return }
        }
        do {
            try spool.append(rows)
        } catch {
            // The disk refused too: nothing more can be done for these rows but say so.
            onError(error)
        }
        replay()
        let spooled = spool.count
        health.withLock { $0.spooledRows = spooled }
    }

    private func replay() {
        guard spool.count > 0 else { return }
        do {
            let rows = try spool.load()
            var start = 0
            while start < rows.count {
                let end = min(rows.count, start + UsageWriter.maxBatch)
                guard insert(Array(rows[start..<end])) else { return }
                start = end
            }
            try spool.clear()
        } catch {
            onError(error)
        }
    }

    /// One multi-row INSERT; false (and the health says unreachable) when it failed.
    private func insert(_ rows: [[String?]]) -> Bool {
        var placeholders: [String] = []
        placeholders.reserveCapacity(rows.count)
        var values: [String?] = []
        values.reserveCapacity(rows.count * Self.columnCount)
        for row in rows where row.count == Self.columnCount {
            let first = values.count
            placeholders.append("(" + (1...Self.columnCount).map { "$\(first + $0)" }.joined(separator: ",") + ")")
            values += row
        }
        guard !placeholders.isEmpty else { return true }
        let sql =
            "INSERT INTO usage (\(Self.columns)) VALUES " + placeholders.joined(separator: ",")
            + " ON CONFLICT (row_uid) DO NOTHING"
        do {
            try connection.query(sql, values)
            health.withLock {
                $0.reachable = true
                $0.written &+= placeholders.count
            }
            return true
        } catch {
            let wasReachable = health.withLock { h in
                defer { h.reachable = false }
                return h.reachable
            }
            // Once per outage, not once per retry.
            if wasReachable { onError(error) }
            return false
        }
    }

    /// A record as the INSERT's parameters, with a fresh `row_uid` (128 random bits).
    static func parameters(_ r: UsageRecord) -> [String?] {
        var generator = SystemRandomNumberGenerator()
        let uid =
            String(UInt64.random(in: 0...UInt64.max, using: &generator), radix: 16) + "-"
            + String(UInt64.random(in: 0...UInt64.max, using: &generator), radix: 16)
        return [
            uid, String(r.timeMillis), r.requestId, r.keyId, r.alias, r.provider, r.model,
            String(r.usage.inputTokens), String(r.usage.outputTokens), String(r.usage.cacheReadTokens),
            String(r.usage.cacheWriteTokens), String(r.usage.reasoningTokens), String(r.usage.totalTokens),
            String(r.status), r.finishReason, String(r.attempts), r.fallbackUsed,
            PostgresParameter.double(r.timeToFirstTokenMillis), PostgresParameter.double(r.totalMillis) ?? "0",
            r.loopId, r.estimated ? "1" : "0", PostgresParameter.double(r.costUSD), r.priceEntry,
        ]
    }
}
