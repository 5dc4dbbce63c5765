import Foundation

/// The one writer of usage rows: requests hand records to `record(_:)` (a lock and an
/// append, never disk), and a dedicated thread inserts them in batches — when 256 are
/// queued or 100 ms after the first of a batch, whichever comes first.
///
/// Durability: `shutdown()` writes everything queued before returning; after a SIGKILL at
/// most the batch not yet flushed (≤ 100 ms of requests) is lost.
public final class UsageWriter: @unchecked Sendable {
    public static let maxBatch = 256
    public static let maxDelay = 0.1

    /// The one INSERT per usage row; its parameters in the order `insert(_:with:)` binds them.
    static let insertSQL = """
        INSERT INTO usage (time_ms, request_id, key_id, alias, provider, model, input_tokens,
          output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, total_tokens, status,
          finish_reason, attempts,
          fallback_used, ttft_ms, total_ms, loop_id, estimated, cost_usd, price_entry)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
          ?21, ?22)
        """

    private let path: String
    private let condition = NSCondition()
    private var queue: [UsageRecord] = []
    private var stopping = false
    private var stopped = false
    private var thread: Thread?
    private var onError: (@Sendable (Error) -> Void)?
    /// Rows written so far (for tests and metrics).
    private(set) public var written = 0

    /// Opens the database (applying migrations) and starts the writer thread.
    public init(path: String, onError: (@Sendable (Error) -> Void)? = nil) throws {
        self.path = path
        self.onError = onError
        let connection = try SQLiteConnection(path: path)
        try Migrations.apply(to: connection)
        let thread = Thread { [self] in run(connection) }
        thread.name = "switchboard-usage-writer"
        self.thread = thread
        thread.start()
    }

    /// Queues a row. Any thread; never blocks on disk.
    public func record(_ record: UsageRecord) {
        condition.lock()
        queue.append(record)
        // Wake the writer for the first row of a batch (it then waits at most maxDelay for
        // more) and when a batch is full.
        if queue.count == 1 || queue.count >= Self.maxBatch { condition.signal() }
        condition.unlock()
    }

    /// Writes everything queued, then stops the thread.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run(_ connection: SQLiteConnection) {
        let insert: SQLiteStatement
        do {
            insert = try connection.prepare(Self.insertSQL)
        } catch {
            onError?(error)
            markStopped()
            return
        }
        while true {
            condition.lock()
            if queue.isEmpty && !stopping { condition.wait() }
            if !queue.isEmpty && queue.count < Self.maxBatch && !stopping {
                _ = condition.wait(until: Date().addingTimeInterval(Self.maxDelay))
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            let finished = stopping
            condition.unlock()
            if !batch.isEmpty { write(batch, with: insert, on: connection) }
            if finished {
                condition.lock()
                let rest = queue
                queue.removeAll()
                condition.unlock()
                if !rest.isEmpty { write(rest, with: insert, on: connection) }
                markStopped()
                return
            }
        }
    }

    private func write(_ batch: [UsageRecord], with insert: SQLiteStatement, on connection: SQLiteConnection) {
        do {
            try connection.transaction { () throws(SQLiteError) in
                for r in batch { try Self.insert(r, with: insert) }
            }
            condition.lock()
            written += batch.count
            condition.unlock()
        } catch {
            onError?(error)
        }
    }

    /// One row, bound straight from the record in the INSERT's column order.
    static func insert(_ r: UsageRecord, with insert: SQLiteStatement) throws(SQLiteError) {
        try insert.insert { (row: inout SQLiteRowBinder) throws(SQLiteError) in
            try row.int(r.timeMillis)
            try row.text(r.requestId)
            try row.text(r.keyId)
            try row.text(r.alias)
            try row.text(r.provider)
            try row.text(r.model)
            try row.int(Int64(r.usage.inputTokens))
            try row.int(Int64(r.usage.outputTokens))
            try row.int(Int64(r.usage.cacheReadTokens))
            try row.int(Int64(r.usage.cacheWriteTokens))
            try row.int(Int64(r.usage.reasoningTokens))
            try row.int(Int64(r.usage.totalTokens))
            try row.int(Int64(r.status))
            try row.text(r.finishReason)
            try row.int(Int64(r.attempts))
            try row.text(r.fallbackUsed)
            try row.double(r.timeToFirstTokenMillis)
            try row.double(r.totalMillis)
            try row.text(r.loopId)
            try row.int(r.estimated ? 1 : 0)
            try row.double(r.costUSD)
            try row.text(r.priceEntry)
        }
    }

    private func markStopped() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
