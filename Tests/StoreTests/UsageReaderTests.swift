import ChatModel
import Foundation
import Testing
@testable import Store

/// Rows go in through the real `UsageWriter`; sums come out through `UsageReader`.
@Suite("Store: usage reader")
struct UsageReaderTests {
    /// 2024-05-01T00:00:00Z and the next day, in Unix milliseconds.
    static let dayOne: Int64 = 1_714_521_600_000
    static let dayTwo: Int64 = 1_714_608_000_000
    static let hour: Int64 = 3_600_000

    static func record(
        at time: Int64, key: String?, alias: String, input: Int, output: Int, cacheRead: Int = 0,
        cacheWrite: Int = 0, reasoning: Int = 0, status: Int = 200
    ) -> UsageRecord {
        UsageRecord(
            timeMillis: time, requestId: "req_\(time)", keyId: key, alias: alias, provider: "openai",
            model: "gpt-4o-mini",
            usage: Usage(
                inputTokens: input, outputTokens: output, cacheReadTokens: cacheRead,
                cacheWriteTokens: cacheWrite, reasoningTokens: reasoning,
                totalTokens: input + output + reasoning),
            status: status, finishReason: "stop", attempts: 1,
            fallbackUsed: nil, timeToFirstTokenMillis: nil, totalMillis: 1)
    }

    /// Five requests over two UTC days, three keys (one anonymous) and two models.
    static let records: [UsageRecord] = [
        record(
            at: dayOne + 1 * hour, key: "key_a", alias: "fast", input: 10, output: 20, cacheRead: 1, cacheWrite: 2,
            reasoning: 3),
        record(at: dayOne + 2 * hour, key: "key_a", alias: "slow", input: 5, output: 6),
        record(at: dayTwo + 1 * hour, key: "key_b", alias: "fast", input: 100, output: 200, cacheRead: 40),
        record(at: dayTwo - 1, key: nil, alias: "fast", input: 1, output: 1),
        record(at: dayTwo + 23 * hour, key: "key_a", alias: "fast", input: 0, output: 0, status: 429),
    ]

    /// A database holding `records`, written by the usage writer and flushed.
    static func withUsage<T>(
        _ records: [UsageRecord] = UsageReaderTests.records,
        _ body: (UsageReader) throws -> T
    ) throws -> T {
        try withTemporaryDatabase { path in
            let writer = try UsageWriter(path: path)
            for record in records { writer.record(record) }
            writer.shutdown()
            return try body(UsageReader(path: path))
        }
    }

    /// Every key's rows, any time, grouped.
    static func everything(by groupBy: [UsageReader.GroupField]) throws -> [UsageReader.Row] {
        try withUsage { try $0.summary(keyId: nil, allKeys: true, since: nil, until: nil, groupBy: groupBy) }
    }

    static func row(
        _ groups: [String: String], requests: Int, input: Int, output: Int, cacheRead: Int = 0,
        cacheWrite: Int = 0, reasoning: Int = 0
    ) -> UsageReader.Row {
        UsageReader.Row(
            groups: groups, requests: requests, inputTokens: input, outputTokens: output,
            cacheReadTokens: cacheRead, cacheWriteTokens: cacheWrite, reasoningTokens: reasoning,
            totalTokens: input + output + reasoning, costUSD: 0,
            unpricedRequests: requests)  // these rows carry no cost
    }

    @Test func sumsCostNextToTokensAndCountsUnpricedRequests() throws {
        try withTemporaryDatabase { path in
            let writer = try UsageWriter(path: path)
            var priced = Self.record(at: 1_000, key: "k", alias: "fast", input: 10, output: 5)
            priced.costUSD = 0.25
            priced.priceEntry = "table:gpt-4o-mini"
            var cheap = Self.record(at: 2_000, key: "k", alias: "fast", input: 1, output: 1)
            cheap.costUSD = 0.125
            let unpriced = Self.record(at: 3_000, key: "k", alias: "slow", input: 7, output: 7)
            for r in [priced, cheap, unpriced] { writer.record(r) }
            writer.shutdown()
            let rows = try UsageReader(path: path).summary(
                keyId: nil, allKeys: true, since: nil, until: nil,
                groupBy: [.model])
            #expect(rows.map(\.costUSD) == [0.375, 0])
            #expect(rows.map(\.unpricedRequests) == [0, 1])
            let spend = try UsageReader(path: path).spendByKey(sinceDay: 0)
            #expect(spend.total == ["k": 0.375])
            #expect(spend.byDay == ["k": [0: 0.375]])
        }
    }

    @Test func sumsEveryColumnPerModel() throws {
        #expect(
            try Self.everything(by: [.model]) == [
                Self.row(
                    ["model": "fast"], requests: 4, input: 111, output: 221, cacheRead: 41, cacheWrite: 2,
                    reasoning: 3),
                Self.row(["model": "slow"], requests: 1, input: 5, output: 6),
            ])
    }

    @Test func groupsByUTCDay() throws {
        #expect(
            try Self.everything(by: [.day]) == [
                Self.row(
                    ["day": "2024-05-01"], requests: 3, input: 16, output: 27, cacheRead: 1, cacheWrite: 2,
                    reasoning: 3),
                Self.row(["day": "2024-05-02"], requests: 2, input: 100, output: 200, cacheRead: 40),
            ])
    }

    @Test func groupsByKeyWithAnonymousRequestsUnderTheEmptyKey() throws {
        #expect(
            try Self.everything(by: [.key]) == [
                Self.row(["key": ""], requests: 1, input: 1, output: 1),
                Self.row(
                    ["key": "key_a"], requests: 3, input: 15, output: 26, cacheRead: 1, cacheWrite: 2, reasoning: 3),
                Self.row(["key": "key_b"], requests: 1, input: 100, output: 200, cacheRead: 40),
            ])
    }

    @Test func groupsBySeveralFieldsAtOnce() throws {
        #expect(
            try Self.everything(by: [.model, .day]) == [
                Self.row(
                    ["model": "fast", "day": "2024-05-01"], requests: 2, input: 11, output: 21, cacheRead: 1,
                    cacheWrite: 2, reasoning: 3),
                Self.row(["model": "fast", "day": "2024-05-02"], requests: 2, input: 100, output: 200, cacheRead: 40),
                Self.row(["model": "slow", "day": "2024-05-01"], requests: 1, input: 5, output: 6),
            ])
    }

    @Test func noGroupingIsOneTotal() throws {
        #expect(
            try Self.everything(by: []) == [
                Self.row([:], requests: 5, input: 116, output: 227, cacheRead: 41, cacheWrite: 2, reasoning: 3)
            ])
    }

    @Test func oneKeySeesOnlyItsOwnRows() throws {
        let (mine, anonymous) = try Self.withUsage { reader in
            (
                try reader.summary(keyId: "key_a", allKeys: false, since: nil, until: nil, groupBy: [.model]),
                try reader.summary(keyId: nil, allKeys: false, since: nil, until: nil, groupBy: [.model])
            )
        }
        #expect(
            mine == [
                Self.row(
                    ["model": "fast"], requests: 2, input: 10, output: 20, cacheRead: 1, cacheWrite: 2, reasoning: 3),
                Self.row(["model": "slow"], requests: 1, input: 5, output: 6),
            ])
        #expect(anonymous == [Self.row(["model": "fast"], requests: 1, input: 1, output: 1)])
    }

    @Test func sinceIsInclusiveAndUntilExclusive() throws {
        let dayTwo = Self.dayTwo
        let (fromDayTwo, beforeDayTwo, window, atTheEdge) = try Self.withUsage { reader in
            (
                try reader.summary(keyId: nil, allKeys: true, since: dayTwo, until: nil, groupBy: []),
                try reader.summary(keyId: nil, allKeys: true, since: nil, until: dayTwo, groupBy: []),
                try reader.summary(
                    keyId: nil, allKeys: true, since: dayTwo - 1, until: dayTwo + Self.hour, groupBy: []),
                try reader.summary(keyId: nil, allKeys: true, since: dayTwo - 1, until: dayTwo - 1, groupBy: [])
            )
        }
        #expect(fromDayTwo == [Self.row([:], requests: 2, input: 100, output: 200, cacheRead: 40)])
        #expect(
            beforeDayTwo == [
                Self.row(
                    [:], requests: 3, input: 16, output: 27, cacheRead: 1, cacheWrite: 2,
                    reasoning: 3)
            ])
        // [dayTwo - 1, dayTwo + 1h): the anonymous row at its start, not key_b's row at its end.
        #expect(window == [Self.row([:], requests: 1, input: 1, output: 1)])
        #expect(atTheEdge == [Self.row([:], requests: 0, input: 0, output: 0)])
    }

    @Test func filtersCombineWithGrouping() throws {
        let rows = try Self.withUsage {
            try $0.summary(
                keyId: "key_a", allKeys: false, since: Self.dayOne + Self.hour + 1, until: nil,
                groupBy: [.day])
        }
        #expect(
            rows == [
                Self.row(["day": "2024-05-01"], requests: 1, input: 5, output: 6),
                Self.row(["day": "2024-05-02"], requests: 1, input: 0, output: 0),
            ])
    }

    @Test func anEmptyTableHasNoGroups() throws {
        let (grouped, total) = try Self.withUsage([]) { reader in
            (
                try reader.summary(keyId: nil, allKeys: true, since: nil, until: nil, groupBy: [.model, .key]),
                try reader.summary(keyId: nil, allKeys: true, since: nil, until: nil, groupBy: [])
            )
        }
        #expect(grouped.isEmpty)
        #expect(total == [Self.row([:], requests: 0, input: 0, output: 0)])
    }

    @Test func totalsByKeyLeaveOutAnonymousRequests() throws {
        let totals = try Self.withUsage { try $0.totalsByKey() }
        #expect(totals == ["key_a": 33 + 11 + 0, "key_b": 300])
    }

    @Test func aReaderOpenedFirstSeesRowsWrittenLater() throws {
        try withTemporaryDatabase { path in
            let reader = try UsageReader(path: path)
            #expect(try reader.totalsByKey().isEmpty)
            let writer = try UsageWriter(path: path)
            writer.record(Self.records[0])
            writer.shutdown()
            #expect(try reader.totalsByKey() == ["key_a": 33])
        }
    }
}
