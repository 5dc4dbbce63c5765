import ChatModel
import Foundation
import Testing
@testable import Store

/// Rows read back from SQLite are outside input too (a database from an older version, or
/// edited by hand): sums cannot overflow and stored limits are held in their ranges.
@Suite("Store: numbers read back")
struct StoredNumbersTests {
    static let top = 1 << 40

    static func record(_ tokens: Int, key: String? = "key_a") -> UsageRecord {
        // Set field by field, past `Usage.init`'s clamping: these rows stand for a database
        // written before counts were clamped, which the reader must survive.
        var usage = Usage()
        usage.inputTokens = tokens
        usage.outputTokens = tokens
        usage.cacheReadTokens = tokens
        usage.cacheWriteTokens = tokens
        usage.reasoningTokens = tokens
        usage.totalTokens = tokens
        return UsageRecord(
            timeMillis: 5_000, requestId: "req", keyId: key, alias: "m", provider: "openai", model: "m",
            usage: usage, status: 200, finishReason: "stop", attempts: 1,
            fallbackUsed: nil, timeToFirstTokenMillis: nil, totalMillis: 1)
    }

    @Test func sumsOfHugeRowsAreClampedNotOverflowed() throws {
        let path = UsageWriterTests.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try UsageWriter(path: path)
        // Integer SUM over these would fail with "integer overflow"; each row counts as 2^40 at most.
        for tokens in [Int.max, Int.max, Int.max, -5, Int.min, 7] { writer.record(Self.record(tokens)) }
        writer.shutdown()
        let reader = try UsageReader(path: path)
        let rows = try reader.summary(keyId: nil, allKeys: true, since: nil, until: nil, groupBy: [])
        #expect(rows.count == 1)
        #expect(rows[0].requests == 6)
        #expect(rows[0].inputTokens == 3 * Self.top + 7)
        #expect(rows[0].totalTokens == 3 * Self.top + 7)
        #expect(try reader.totalsByKey() == ["key_a": 3 * Self.top + 7])
        let filtered = try reader.summary(
            keyId: "key_a", allKeys: false, since: .min, until: .max, groupBy: [.day, .key])
        #expect(filtered.first?.reasoningTokens == 3 * Self.top + 7)
    }

    @Test func storedKeyLimitsAreHeldInTheirRanges() throws {
        let path = UsageWriterTests.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try KeyStore(path: path)
        let (created, _) = try store.create(name: "k", rpm: 5, tpm: 6, maxConcurrent: 7, tokenBudget: 8, now: 1)
        let connection = try SQLiteConnection(path: path)
        try connection.prepare(
            "UPDATE keys SET rpm = ?1, tpm = ?2, max_concurrent = ?3, token_budget = ?4 WHERE id = ?5"
        )
        .run([.int(.max), .int(-1), .int(.min), .double(1e300), .text(created.id)])
        let key = try #require(try store.all().first)
        #expect(key.rpm == 10_000_000)
        #expect(key.tpm == nil && key.maxConcurrent == nil && key.tokenBudget == nil)
        try connection.prepare("UPDATE keys SET token_budget = ?1, tpm = ?2 WHERE id = ?3")
            .run([.int(.max), .int(0), .text(created.id)])
        let again = try #require(try store.all().first)
        #expect(again.tokenBudget == 1_000_000_000_000_000 && again.tpm == nil)
    }
}
