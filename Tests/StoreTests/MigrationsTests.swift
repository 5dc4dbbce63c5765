import Foundation
import Testing
@testable import Store

@Suite("Store: migrations")
struct MigrationsTests {
    static func version(_ connection: SQLiteConnection) throws -> Int? {
        try connection.prepare("PRAGMA user_version").rows().first?.first?.int
    }

    /// Every table and index with its SQL as SQLite keeps it (ALTER TABLE rewrites the stored
    /// CREATE statement, so two databases with equal schemas compare equal here).
    static func schema(_ connection: SQLiteConnection) throws -> [[SQLiteStatement.Value]] {
        try connection.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
            .rows()
    }

    static func columns(_ table: String, _ connection: SQLiteConnection) throws -> [String] {
        try connection.prepare("PRAGMA table_info(\(table))").rows().compactMap { $0[1].text }
    }

    /// Builds a database at `version` by running the first `version` steps by hand.
    static func database(at version: Int, path: String) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: path)
        for step in Migrations.steps.prefix(version) { try connection.execute(step) }
        try connection.execute("PRAGMA user_version = \(version)")
        return connection
    }

    @Test func migrationsAreIdempotentAndVersioned() throws {
        try withTemporaryDatabase { path in
            let connection = try SQLiteConnection(path: path)
            try Migrations.apply(to: connection)
            try Migrations.apply(to: connection)
            #expect(try Self.version(connection) == Migrations.steps.count)
            #expect(try connection.prepare("PRAGMA journal_mode").rows().first?.first?.text == "wal")
        }
    }

    @Test func aFreshDatabaseGetsTheNewestSchema() throws {
        try withTemporaryDatabase { path in
            let connection = try SQLiteConnection(path: path)
            #expect(try Self.version(connection) == 0)
            try Migrations.apply(to: connection)
            #expect(try Self.version(connection) == Migrations.steps.count)
            let tables = try Self.schema(connection).filter { $0[0] == .text("table") }.compactMap { $0[1].text }
            #expect(tables == ["gemini_caches", "keys", "responses", "usage"])
            #expect(
                try Self.columns("keys", connection) == [
                    "id", "name", "hash", "created", "revoked", "models", "rpm", "tpm", "max_concurrent",
                    "token_budget",
                    "budget_usd", "budget_period",
                ])
            // The newest step's columns are there.
            #expect(try Self.columns("usage", connection).suffix(3) == ["estimated", "cost_usd", "price_entry"])
            #expect(
                try Self.columns("responses", connection) == [
                    "id", "key_id", "created_at", "expires_at", "input_items", "response",
                ])
        }
    }

    @Test func applyingAgainChangesNothing() throws {
        try withTemporaryDatabase { path in
            let connection = try SQLiteConnection(path: path)
            try Migrations.apply(to: connection)
            try connection.execute(
                """
                INSERT INTO keys (id, name, hash, created) VALUES ('key_1', 'a', 'h1', 7);
                INSERT INTO gemini_caches VALUES ('p', 'cachedContents/x', 'gemini-2.5-pro', 99);
                """)
            let before = try Self.schema(connection)
            try Migrations.apply(to: connection)
            // A reopened database goes through the same path as a restart.
            let reopened = try SQLiteConnection(path: path)
            try Migrations.apply(to: reopened)
            #expect(try Self.schema(reopened) == before)
            #expect(try Self.version(reopened) == Migrations.steps.count)
            #expect(try reopened.prepare("SELECT id, created FROM keys").rows() == [[.text("key_1"), .int(7)]])
            #expect(try reopened.prepare("SELECT name FROM gemini_caches").rows() == [[.text("cachedContents/x")]])
        }
    }

    @Test func aVersionOneDatabaseIsUpgradedKeepingItsRows() throws {
        try withTemporaryDatabase { path in
            let old = try Self.database(at: 1, path: path)
            #expect(try !Self.columns("usage", old).contains("estimated"))
            try old.execute(
                """
                INSERT INTO keys (id, name, hash, created, rpm) VALUES ('key_1', 'ci', 'h1', 5, 60);
                INSERT INTO usage (time_ms, request_id, key_id, alias, input_tokens, output_tokens, cache_read_tokens,
                  cache_write_tokens, reasoning_tokens, total_tokens, status, attempts, total_ms)
                VALUES (1000, 'req_1', 'key_1', 'fast', 3, 4, 0, 0, 0, 7, 200, 1, 12.5);
                """)
            try Migrations.apply(to: old)
            #expect(try Self.version(old) == Migrations.steps.count)
            #expect(try Self.columns("usage", old).contains("estimated"))
            let usage = try old.prepare("SELECT request_id, total_tokens, estimated FROM usage").rows()
            #expect(usage == [[.text("req_1"), .int(7), .int(0)]])
            #expect(try old.prepare("SELECT id, rpm FROM keys").rows() == [[.text("key_1"), .int(60)]])
            try old.execute("INSERT INTO gemini_caches VALUES ('p', 'n', 'm', 1)")
        }
    }

    /// Whatever version a database was left at, it ends with the schema a fresh one gets.
    @Test(arguments: 0...Migrations.steps.count)
    func everyOlderVersionUpgradesToTheFreshSchema(from version: Int) throws {
        let fresh = try withTemporaryDatabase { path in
            let connection = try SQLiteConnection(path: path)
            try Migrations.apply(to: connection)
            return try Self.schema(connection)
        }
        try withTemporaryDatabase { path in
            let connection = try Self.database(at: version, path: path)
            try Migrations.apply(to: connection)
            #expect(try Self.schema(connection) == fresh)
            #expect(try Self.version(connection) == Migrations.steps.count)
        }
    }

    /// A step that fails leaves the database as it was: nothing half-applied, the version unchanged.
    @Test func aFailingStepRollsBack() throws {
        try withTemporaryDatabase { path in
            let connection = try SQLiteConnection(path: path)
            // Step 1 creates `keys`, then fails on `usage`, which is already there.
            try connection.execute("CREATE TABLE usage (x INTEGER)")
            #expect(throws: SQLiteError.self) { try Migrations.apply(to: connection) }
            #expect(try Self.version(connection) == 0)
            let tables = try Self.schema(connection).filter { $0[0] == .text("table") }.compactMap { $0[1].text }
            #expect(tables == ["usage"])
        }
    }
}
