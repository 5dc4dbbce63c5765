import ChatModel
import Foundation
import Testing
@testable import Store

/// One behaviour, two stores: what the gateway sees must not depend on the database.
@Suite("Store: SQLite and PostgreSQL alike")
struct BothStoresTests {
    @Test(arguments: StoreKind.allCases)
    func keysRoundTripChangeAndRevoke(kind: StoreKind) throws {
        try kind.withStores { stores, _ in
            let (first, secret) = try stores.keys.create(
                name: "ci", models: ["gpt-fast", "odd\"name"], rpm: 5, tpm: nil, maxConcurrent: 2,
                tokenBudget: 1000, budgetUSD: 2.5, budgetPeriod: .daily, now: 100)
            let (second, _) = try stores.keys.create(
                name: "other", models: [], rpm: nil, tpm: nil, maxConcurrent: nil, tokenBudget: nil, budgetUSD: nil,
                budgetPeriod: .total, now: 200)
            #expect(first.hash == SHA256.hex(secret))
            #expect(try stores.keys.all() == [first, second])

            var changes = KeyChanges()
            changes.rpm = .some(nil)
            changes.name = "renamed"
            changes.budgetUSD = 7.25
            let changed = try #require(try stores.keys.update(id: first.id, changes))
            #expect(changed.name == "renamed" && changed.rpm == nil && changed.budgetUSD == 7.25)
            #expect(changed.maxConcurrent == 2 && changed.models == ["gpt-fast", "odd\"name"])
            #expect(try stores.keys.all()[0] == changed)

            #expect(try stores.keys.revoke(id: first.id, now: 300))
            #expect(try !stores.keys.revoke(id: first.id, now: 301))
            #expect(try stores.keys.update(id: first.id, changes) == nil)
            #expect(try stores.keys.all().map(\.revoked) == [300, nil])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func usageWrittenInBatchesSumsTheSame(kind: StoreKind) throws {
        let sums = try kind.withStores { stores, _ in
            for record in UsageReaderTests.records { stores.usageWriter.record(record) }
            var priced = UsageReaderTests.record(at: 1_000, key: "k", alias: "fast", input: 10, output: 5)
            priced.costUSD = 0.25
            priced.priceEntry = "table:gpt-4o-mini"
            stores.usageWriter.record(priced)
            stores.usageWriter.shutdown()
            let reader = stores.usageReader
            return (
                try reader.summary(keyId: nil, allKeys: true, since: nil, until: nil, groupBy: [.model, .day]),
                try reader.summary(
                    keyId: "key_a", allKeys: false, since: nil, until: UsageReaderTests.dayTwo, groupBy: []),
                try reader.summary(keyId: nil, allKeys: false, since: nil, until: nil, groupBy: [.key]),
                try reader.totalsByKey(), try reader.spendByKey(sinceDay: 0).total
            )
        }
        func row(
            _ groups: [String: String], _ requests: Int, _ input: Int, _ output: Int, _ cacheRead: Int,
            _ cacheWrite: Int, _ reasoning: Int
        ) -> UsageReader.Row {
            UsageReaderTests.row(
                groups, requests: requests, input: input, output: output, cacheRead: cacheRead,
                cacheWrite: cacheWrite, reasoning: reasoning)
        }
        var firstDay = row(["model": "fast", "day": "1970-01-01"], 1, 10, 5, 0, 0, 0)
        firstDay.costUSD = 0.25
        firstDay.unpricedRequests = 0
        #expect(
            sums.0 == [
                firstDay,
                row(["model": "fast", "day": "2024-05-01"], 2, 11, 21, 1, 2, 3),
                row(["model": "fast", "day": "2024-05-02"], 2, 100, 200, 40, 0, 0),
                row(["model": "slow", "day": "2024-05-01"], 1, 5, 6, 0, 0, 0),
            ])
        #expect(sums.1 == [row([:], 2, 15, 26, 1, 2, 3)])
        #expect(sums.2 == [row(["key": ""], 1, 1, 1, 0, 0, 0)])
        #expect(sums.3 == ["key_a": 44, "key_b": 300, "k": 15])
        #expect(sums.4 == ["key_a": 0, "key_b": 0, "k": 0.25])
    }

    @Test(arguments: StoreKind.allCases)
    func contextCacheEntriesSurviveAReopen(kind: StoreKind) throws {
        let context = try StoreContext(kind)
        let entry = ContextCacheStore.Entry(name: "cachedContents/abc", model: "gemini-2.0-flash", expiresMillis: 9_000)
        do {
            let stores = try Stores(database: context.database, spoolPath: context.spoolPath) { _ in }
            stores.contextCaches.store("prefix-1", entry)
            stores.contextCaches.store("prefix-2", entry)
            stores.contextCaches.forget("prefix-2")
            stores.shutdown()
        }
        // PostgreSQL writes off the caller's thread: wait for the row, with a deadline.
        var reopened: Stores?
        let persisted = try context.eventually {
            reopened?.shutdown()
            reopened = try Stores(database: context.database, spoolPath: context.spoolPath + ".2") { _ in }
            return reopened?.contextCaches.lookup("prefix-1", nowMillis: 0, marginMillis: 0) == entry
        }
        #expect(persisted)
        #expect(reopened?.contextCaches.lookup("prefix-2", nowMillis: 0, marginMillis: 0) == nil)
        reopened?.shutdown()
    }

    @Test(arguments: StoreKind.allCases)
    func storedResponsesAreTheirOwnersOnlyUntilTheyExpire(kind: StoreKind) throws {
        try kind.withStores { stores, _ in
            let store = stores.responses
            let mine = ResponseStoreTests.stored("resp_a", owner: "key_a")
            try store.save(mine)
            try store.save(ResponseStoreTests.stored("resp_anon", owner: nil))
            try store.save(ResponseStoreTests.stored("resp_old", owner: "key_a", expires: 120))
            #expect(try store.load(id: "resp_a", ownerKeyId: "key_a", nowSeconds: 150) == mine)
            #expect(try store.load(id: "resp_a", ownerKeyId: "key_b", nowSeconds: 150) == nil)
            #expect(try store.load(id: "resp_a", ownerKeyId: nil, nowSeconds: 150) == nil)
            #expect(try store.load(id: "resp_anon", ownerKeyId: nil, nowSeconds: 150) != nil)
            #expect(try store.load(id: "resp_old", ownerKeyId: "key_a", nowSeconds: 120) == nil)
            // Saving the same id again replaces it (a response is stored once it is final).
            var replaced = mine
            replaced.response = #"{"id":"resp_a","status":"completed"}"#
            try store.save(replaced)
            #expect(try store.load(id: "resp_a", ownerKeyId: "key_a", nowSeconds: 150) == replaced)
            #expect(try store.delete(id: "resp_a", ownerKeyId: "key_b") == false)
            #expect(try store.delete(id: "resp_a", ownerKeyId: "key_a") == true)
            #expect(try store.load(id: "resp_a", ownerKeyId: "key_a", nowSeconds: 150) == nil)
            #expect(try store.purgeExpired(nowSeconds: 130) == 1)
        }
    }
}
