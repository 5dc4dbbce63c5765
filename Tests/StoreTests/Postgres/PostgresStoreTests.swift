import ChatModel
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Store

/// What only PostgreSQL has: several daemons at once, an outage, notifications.
@Suite("Store: PostgreSQL")
struct PostgresStoreTests {
    @Test func theMigrationListMirrorsSQLitesStepForStep() {
        // A new SQLite migration needs its PostgreSQL twin under the same number.
        #expect(PostgresMigrations.steps.count == Migrations.steps.count)
    }

    @Test func migrationsRunOnceWhenManyDaemonsStartTogether() throws {
        let server = try PostgresServer()
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do {
                let connection = try PostgresConnection(url: server.url)
                try PostgresMigrations.apply(to: connection)
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let versions = try server.psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM switchboard_schema")
        #expect(versions == (1...Migrations.steps.count).map(String.init).joined(separator: ","))
        #expect(try server.psql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'usage'") == "24")
    }

    @Test func aKeyChangeReachesAnotherDaemonsListener() throws {
        let server = try PostgresServer()
        let mine = try PostgresKeyStore(url: server.url)
        let changes = Atomic<Int>(0)
        let listener = try KeyChangeListener(
            url: server.url, onChange: { changes.add(1, ordering: .relaxed) }, onError: { _ in })
        defer { listener.stop() }
        let (key, _) = try mine.create(
            name: "a", models: [], rpm: nil, tpm: nil, maxConcurrent: nil, tokenBudget: nil, budgetUSD: nil,
            budgetPeriod: .total, now: 1)
        #expect(Self.eventually(within: 1) { changes.load(ordering: .relaxed) >= 1 })
        let before = changes.load(ordering: .relaxed)
        #expect(try mine.revoke(id: key.id, now: 2))
        #expect(Self.eventually(within: 1) { changes.load(ordering: .relaxed) > before })
    }

    @Test func anOutageSpoolsRowsAndReplaysThemOnceWhenTheServerReturns() throws {
        let server = try PostgresServer()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-spool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = directory.appendingPathComponent("usage.spool").path
        let writer = try PostgresUsageWriter(url: server.url, spoolPath: spool) { _ in }
        for i in 0..<5 { writer.record(Self.record(i)) }
        #expect(Self.eventually { writer.usageHealth.written == 5 })

        server.stop()
        for i in 5..<305 { writer.record(Self.record(i)) }
        #expect(Self.eventually { writer.usageHealth.spooledRows == 300 && !writer.usageHealth.reachable })
        // The spool is on disk, one line a row.
        let lines = try String(contentsOfFile: spool, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 300)

        try server.start()
        #expect(Self.eventually { writer.usageHealth.spooledRows == 0 && writer.usageHealth.reachable })
        writer.shutdown()
        #expect(
            try server.psql("SELECT count(*), count(DISTINCT request_id), sum(input_tokens) FROM usage")
                == "305|305|\((0..<305).reduce(0, +))")
        #expect(try String(contentsOfFile: spool, encoding: .utf8).isEmpty)
    }

    @Test func rowsLeftInTheSpoolByAPreviousRunAreReplayedWithoutDuplicates() throws {
        let server = try PostgresServer()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-spool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let spoolPath = directory.appendingPathComponent("usage.spool").path
        let rows = (0..<10).map { PostgresUsageWriter.parameters(Self.record($0)) }
        do {
            // A run that crashed mid-replay: its rows are in the spool, and the first four
            // reached the database before the crash.
            let spool = try UsageSpool(path: spoolPath)
            try spool.append(rows)
        }
        let connection = try PostgresConnection(url: server.url)
        try PostgresMigrations.apply(to: connection)
        for row in rows.prefix(4) {
            try connection.query(
                "INSERT INTO usage (row_uid, time_ms, request_id, alias, input_tokens, output_tokens,"
                    + " cache_read_tokens, cache_write_tokens, reasoning_tokens, total_tokens, status, attempts,"
                    + " total_ms) VALUES ($1, 0, $2, 'x', 0, 0, 0, 0, 0, 0, 200, 1, 0)",
                [row[0], row[2]])
        }
        let writer = try PostgresUsageWriter(url: server.url, spoolPath: spoolPath) { _ in }
        #expect(Self.eventually { writer.usageHealth.spooledRows == 0 })
        writer.shutdown()
        #expect(try server.psql("SELECT count(*), count(DISTINCT row_uid) FROM usage") == "10|10")
    }

    @Test func aSpoolIsLockedToOneDaemon() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString).spool").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try UsageSpool(path: path)
        #expect(throws: PostgresError.self) { try UsageSpool(path: path) }
        _ = first
    }

    @Test func spoolLinesRoundTripAndATornLastLineIsNotARow() {
        let row: [String?] = ["a\tb", nil, "line\nbreak\\", "", "\\N", "plain"]
        let line = UsageSpool.encode(row)
        #expect(
            !line.contains("\n") && line.split(separator: "\t", omittingEmptySubsequences: false).count == row.count)
        #expect(UsageSpool.decode(Substring(line)) == row)
        let file = Array((line + "\n" + line + "\n" + "torn\tli").utf8)
        #expect(UsageSpool.decodeFile(file) == [row, row])
        #expect(UsageSpool.decodeFile([]) == [])
    }

    @Test func theStoreSummaryNeverShowsThePassword() {
        let location = StoreLocation(database: "postgresql://app:s3cret@db.internal:5433/switchboard?sslmode=require")
        #expect(location.kind == "postgres")
        #expect(location.summary == "postgres db.internal:5433, database switchboard, user app")
        #expect(StoreLocation(database: "./switchboard.db") == .sqlite(path: "./switchboard.db"))
    }

    static func record(_ i: Int) -> UsageRecord {
        UsageRecord(
            timeMillis: 1_000 + Int64(i), requestId: "req_\(i)", keyId: "key_a", alias: "fast", provider: "openai",
            model: "gpt", usage: Usage(inputTokens: i, outputTokens: 1, totalTokens: i + 1), status: 200,
            finishReason: "stop", attempts: 1, fallbackUsed: nil, timeToFirstTokenMillis: 1.5, totalMillis: 2,
            costUSD: 0.001)
    }

    static func eventually(within seconds: Double = 15, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}
