import Foundation
import Testing
@testable import Store

@Suite("Store: migrations and the batched usage writer")
struct UsageWriterTests {
    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sb-store-\(UUID().uuidString).db").path
    }

    static func row(_ n: Int) -> UsageRecord {
        UsageRecord(timeMillis: Int64(n), requestId: "req_\(n)", keyId: n % 2 == 0 ? "key_a" : nil, alias: "gpt-fast",
                    provider: "openai", model: "gpt-4o-mini", inputTokens: n, outputTokens: 2 * n, cacheReadTokens: 1,
                    cacheWriteTokens: 0, reasoningTokens: 3, totalTokens: 3 * n, status: 200, finishReason: "stop",
                    attempts: 1, fallbackUsed: nil, timeToFirstTokenMillis: 1.5, totalMillis: 9.25)
    }

    @Test func migrationsAreIdempotentAndVersioned() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let connection = try SQLiteConnection(path: path)
        try Migrations.apply(to: connection)
        try Migrations.apply(to: connection)
        #expect(try connection.prepare("PRAGMA user_version").rows().first?.first?.int == Migrations.steps.count)
        #expect(try connection.prepare("PRAGMA journal_mode").rows().first?.first?.text == "wal")
    }

    @Test func shutdownFlushesEveryQueuedRowExactly() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try UsageWriter(path: path)
        for n in 1...1000 { writer.record(Self.row(n)) }
        writer.shutdown()
        let connection = try SQLiteConnection(path: path)
        let sums = try connection.prepare("SELECT COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(total_tokens) FROM usage").rows()[0]
        #expect(sums.map { $0.int } == [1000, 500_500, 1_001_000, 1_501_500])
        let first = try connection.prepare("SELECT request_id, key_id, ttft_ms, total_ms, finish_reason FROM usage ORDER BY id LIMIT 1").rows()[0]
        #expect(first == [.text("req_1"), .null, .double(1.5), .double(9.25), .text("stop")])
    }

    @Test func rowsReachDiskWithinTheBatchDelayWithoutShutdown() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try UsageWriter(path: path)
        defer { writer.shutdown() }
        usleep(200_000)   // the writer thread is asleep on an empty queue by now
        writer.record(Self.row(7))
        let reader = try SQLiteConnection(path: path)
        var count = 0
        for _ in 0..<100 where count == 0 {
            usleep(10_000)
            count = try reader.prepare("SELECT COUNT(*) FROM usage").rows()[0][0].int ?? 0
        }
        #expect(count == 1)
    }

    @Test func openingAnUnwritablePathFailsWithAClearError() {
        #expect(throws: SQLiteError.self) { _ = try UsageWriter(path: "/nonexistent-dir/x/y.db") }
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func knownAnswers(input: String, expected: String) {
        #expect(SHA256.hex(input) == expected)
    }

    @Test func constantTimeEqualityIsEquality() {
        #expect(constantTimeEquals("abc", "abc"))
        #expect(!constantTimeEquals("abc", "abd"))
        #expect(!constantTimeEquals("abc", "abcd"))
        #expect(!constantTimeEquals("", "a"))
    }
}

@Suite("Key store")
struct KeyStoreTests {
    @Test func secretsHaveTheContractShapeAndOnlyTheirHashIsStored() throws {
        let path = UsageWriterTests.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try KeyStore(path: path)
        let (key, secret) = try store.create(name: "ci", models: ["gpt-fast", "odd\"name"], rpm: 5, now: 100)
        #expect(secret.hasPrefix("sb-"))
        #expect(secret.count == 46)
        #expect(secret.dropFirst(3).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        let stored = try store.all()
        #expect(stored == [key])
        #expect(stored[0].hash == SHA256.hex(secret))
        #expect(stored[0].models == ["gpt-fast", "odd\"name"])
        // The secret is nowhere in the database file.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
    }

    @Test func revokeMarksOnce() throws {
        let path = UsageWriterTests.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try KeyStore(path: path)
        let (key, _) = try store.create(name: "a", now: 1)
        #expect(try store.revoke(id: key.id, now: 5))
        #expect(try !store.revoke(id: key.id, now: 6))
        #expect(try !store.revoke(id: "key_missing", now: 6))
        #expect(try store.all()[0].revoked == 5)
    }

    @Test func secretsDiffer() {
        #expect(Set((0..<100).map { _ in KeyStore.generateSecret() }).count == 100)
    }
}
