import ChatModel
import Foundation
import Testing
@testable import Store

@Suite("Store: the batched usage writer")
struct UsageWriterTests {
    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sb-store-\(UUID().uuidString).db").path
    }

    static func row(_ n: Int) -> UsageRecord {
        UsageRecord(
            timeMillis: Int64(n), requestId: "req_\(n)", keyId: n % 2 == 0 ? "key_a" : nil, alias: "gpt-fast",
            provider: "openai", model: "gpt-4o-mini",
            usage: Usage(
                inputTokens: n, outputTokens: 2 * n, cacheReadTokens: 1, cacheWriteTokens: 0,
                reasoningTokens: 3, totalTokens: 3 * n),
            status: 200, finishReason: "stop",
            attempts: 1, fallbackUsed: nil, timeToFirstTokenMillis: 1.5, totalMillis: 9.25)
    }

    @Test func shutdownFlushesEveryQueuedRowExactly() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try UsageWriter(path: path)
        for n in 1...1000 { writer.record(Self.row(n)) }
        writer.shutdown()
        let connection = try SQLiteConnection(path: path)
        let sums = try connection.prepare(
            "SELECT COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(total_tokens) FROM usage"
        ).rows()[0]
        #expect(sums.map { $0.int } == [1000, 500_500, 1_001_000, 1_501_500])
        let first = try connection.prepare(
            "SELECT request_id, key_id, ttft_ms, total_ms, finish_reason FROM usage ORDER BY id LIMIT 1"
        ).rows()[0]
        #expect(first == [.text("req_1"), .null, .double(1.5), .double(9.25), .text("stop")])
    }

    @Test func rowsReachDiskWithinTheBatchDelayWithoutShutdown() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try UsageWriter(path: path)
        defer { writer.shutdown() }
        usleep(200_000)  // the writer thread is asleep on an empty queue by now
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
