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

    /// Rows per INSERT statement: one statement run (one VDBE program, one sqlite_sequence
    /// update) per up to this many rows of a batch: about 40 % less sqlite3_step work per row
    /// than an INSERT per row (measured with callgrind; issue 13).
    static let rowsPerInsert = 16

    /// The INSERT of `rows` rows; each row's parameters in the order `bind(_:to:)` binds them.
    static func insertSQL(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: 22).joined(separator: ",") + ")"
        return """
            INSERT INTO usage (time_ms, request_id, key_id, alias, provider, model, input_tokens,
              output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, total_tokens, status,
              finish_reason, attempts, fallback_used, ttft_ms, total_ms, loop_id, estimated, cost_usd, price_entry)
            VALUES
            """ + " " + Array(repeating: row, count: rows).joined(separator: ",")
    }

    /// INSERTs of 1 … `rowsPerInsert` rows (at index n - 1), each prepared once.
    struct Inserts {
        let connection: SQLiteConnection
        private var byRows: [SQLiteStatement?] = Array(repeating: nil, count: UsageWriter.rowsPerInsert)

        init(connection: SQLiteConnection) { self.connection = connection }

        mutating func rows(_ n: Int) throws(SQLiteError) -> SQLiteStatement {
            if let statement = byRows[n - 1] { return statement }
            let statement = try connection.prepare(UsageWriter.insertSQL(rows: n))
            byRows[n - 1] = statement
            return statement
        }
    }

    /// Inserts `batch` in statements of up to `rowsPerInsert` rows, bound straight from the records.
    static func insert(_ batch: ArraySlice<UsageRecord>, with inserts: inout Inserts) throws(SQLiteError) {
        var start = batch.startIndex
        while start < batch.endIndex {
            let n = min(rowsPerInsert, batch.endIndex - start)
            let rows = batch[start..<start + n]
            try inserts.rows(n).insert { (row: inout SQLiteRowBinder) throws(SQLiteError) in
                for r in rows { try bind(r, to: &row) }
            }
            start += n
        }
    }

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

    /// Queues a row. Any thread; never blocks on disk. `consuming`: the row moves into the queue
    /// instead of being copied and the caller's destroyed (~500 instructions a request, issue 13).
    public func record(_ record: consuming UsageRecord) {
        condition.lock()
        queue.append(consume record)
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
        var inserts = Inserts(connection: connection)
        do {
            // All prepared now (about 250k instructions each, once): a schema the INSERT does
            // not fit stops the writer at start, and no batch pays for a prepare.
            for n in 1...Self.rowsPerInsert { _ = try inserts.rows(n) }
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
            if !batch.isEmpty { write(batch, with: &inserts) }
            if finished {
                condition.lock()
                let rest = queue
                queue.removeAll()
                condition.unlock()
                if !rest.isEmpty { write(rest, with: &inserts) }
                markStopped()
                return
            }
        }
    }

    private func write(_ batch: [UsageRecord], with inserts: inout Inserts) {
        do {
            try inserts.connection.transaction { () throws(SQLiteError) in
                try Self.insert(batch[...], with: &inserts)
            }
            condition.lock()
            written += batch.count
            condition.unlock()
        } catch {
            onError?(error)
        }
    }

    /// One record's 22 parameters, bound straight from it in the INSERT's column order.
    static func bind(_ r: UsageRecord, to row: inout SQLiteRowBinder) throws(SQLiteError) {
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

    private func markStopped() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
