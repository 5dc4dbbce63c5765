import ChatModel
import Foundation
import Testing
@testable import Store

@Suite("Store: usage rows bound straight from the record")
struct SQLiteRowBinderTests {
    /// The row the `[Value]` path stored before the binder existed, field by field.
    static func values(_ r: UsageRecord) -> [SQLiteStatement.Value] {
        func text(_ s: String?) -> SQLiteStatement.Value { s.map { .text($0) } ?? .null }
        return [
            .int(r.timeMillis), .text(r.requestId), text(r.keyId), .text(r.alias), text(r.provider), text(r.model),
            .int(Int64(r.usage.inputTokens)), .int(Int64(r.usage.outputTokens)),
            .int(Int64(r.usage.cacheReadTokens)), .int(Int64(r.usage.cacheWriteTokens)),
            .int(Int64(r.usage.reasoningTokens)), .int(Int64(r.usage.totalTokens)), .int(Int64(r.status)),
            text(r.finishReason), .int(Int64(r.attempts)), text(r.fallbackUsed),
            r.timeToFirstTokenMillis.map { .double($0) } ?? .null, .double(r.totalMillis), text(r.loopId),
            .int(r.estimated ? 1 : 0), r.costUSD.map { .double($0) } ?? .null, text(r.priceEntry),
        ]
    }

    /// Every optional both ways, empty and non-ASCII text, text longer than the statement's
    /// buffer (bound the copying way) and several long ones in one row (the buffer fills mid-row);
    /// 37 rows: two full multi-row INSERTs and a shorter one.
    static let records: [UsageRecord] = {
        let long = String(repeating: "m", count: SQLiteStatement.textArenaSize + 10)
        let half = String(repeating: "é", count: SQLiteStatement.textArenaSize / 3)
        var all: [UsageRecord] = []
        for n in 0..<37 {
            let set = n % 2 == 0
            all.append(
                UsageRecord(
                    timeMillis: 1_700_000_000_000 + Int64(n), requestId: "req_\(n)", keyId: set ? "key_\(n)" : nil,
                    alias: n == 3 ? "" : "gpt-fast", provider: set ? "openai" : nil,
                    model: n == 4 ? long : (n == 6 ? half : (set ? "gpt-4o-mini" : nil)),
                    usage: Usage(
                        inputTokens: n, outputTokens: Int.max, cacheReadTokens: 1, cacheWriteTokens: 0,
                        reasoningTokens: 3, totalTokens: 3 * n),
                    status: 200 + n, finishReason: set ? "stop" : nil, attempts: n + 1,
                    fallbackUsed: set ? nil : "anthropic/claude-3-5-haiku-latest",
                    timeToFirstTokenMillis: set ? 1.5 : nil, totalMillis: 9.25 * Double(n),
                    loopId: set ? "loop_ü_\(n)" : nil, estimated: !set, costUSD: set ? 0.000_123 : nil,
                    priceEntry: n == 6 ? half : (set ? "table:gpt-4o-mini" : nil)))
        }
        return all
    }()

    static func stored(_ path: String) throws -> [[SQLiteStatement.Value]] {
        try SQLiteConnection(path: path).prepare("SELECT * FROM usage ORDER BY id").rows()
    }

    @Test func multiRowInsertsStoreExactlyWhatOneValueArrayInsertPerRowStores() throws {
        try withTemporaryDatabase { bound in
            try withTemporaryDatabase { reference in
                for (path, viaBinder) in [(bound, true), (reference, false)] {
                    let connection = try SQLiteConnection(path: path)
                    try Migrations.apply(to: connection)
                    var inserts = UsageWriter.Inserts(connection: connection)
                    let single = try connection.prepare(UsageWriter.insertSQL(rows: 1))
                    try connection.transaction { () throws(SQLiteError) in
                        if viaBinder {
                            try UsageWriter.insert(Self.records[...], with: &inserts)
                        } else {
                            for r in Self.records { try single.run(Self.values(r)) }
                        }
                    }
                }
                let rows = try Self.stored(bound)
                #expect(rows.count == Self.records.count)
                #expect(rows == (try Self.stored(reference)))
                #expect(rows[4][6] == .text(Self.records[4].model!))
                #expect(rows[1][3] == .null && rows[1][17] == .null && rows[0][17] == .double(1.5))
            }
        }
    }

    @Test func aRowWithAParameterLeftUnboundIsRefusedBeforeTheStep() throws {
        try withTemporaryDatabase { path in
            let connection = try SQLiteConnection(path: path)
            try connection.execute("CREATE TABLE t (a INTEGER, b TEXT)")
            let insert = try connection.prepare("INSERT INTO t (a, b) VALUES (?1, ?2)")
            #expect(throws: SQLiteError.self) {
                try insert.insert { (row: inout SQLiteRowBinder) throws(SQLiteError) in try row.int(1) }
            }
            #expect(throws: SQLiteError.self) {
                try insert.insert { (row: inout SQLiteRowBinder) throws(SQLiteError) in
                    try row.int(1)
                    try row.text("x")
                    try row.text("one too many")
                }
            }
            #expect(try connection.prepare("SELECT COUNT(*) FROM t").rows() == [[.int(0)]])
        }
    }

    @Test func aFailedStepLeavesTheStatementReadyForTheNextRow() throws {
        try withTemporaryDatabase { path in
            let connection = try SQLiteConnection(path: path)
            try connection.execute("CREATE TABLE t (a INTEGER UNIQUE, b TEXT NOT NULL)")
            let insert = try connection.prepare("INSERT INTO t (a, b) VALUES (?1, ?2)")
            func row(_ a: Int64, _ b: String?) throws(SQLiteError) {
                try insert.insert { (row: inout SQLiteRowBinder) throws(SQLiteError) in
                    try row.int(a)
                    try row.text(b)
                }
            }
            try row(1, "first")
            #expect(throws: SQLiteError.self) { try row(1, "duplicate") }
            #expect(throws: SQLiteError.self) { try row(2, nil) }
            try row(3, "third")
            let rows = try connection.prepare("SELECT a, b FROM t ORDER BY a").rows()
            #expect(rows == [[.int(1), .text("first")], [.int(3), .text("third")]])
        }
    }
}
