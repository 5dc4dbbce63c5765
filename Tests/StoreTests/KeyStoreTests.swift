import Foundation
import Testing
@testable import Store

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

    /// What SQLite has on disk right now: the database file and its write-ahead log, where
    /// freshly committed rows live until a checkpoint.
    static func bytesOnDisk(_ path: String) -> Data {
        ["", "-wal"].reduce(into: Data()) { all, suffix in
            all.append((try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data())
        }
    }

    @Test func onlyTheHashReachesTheDiskNotTheSecret() throws {
        try withTemporaryDatabase { path in
            let store = try KeyStore(path: path)
            let (key, secret) = try store.create(name: "ci", now: 1)
            let disk = Self.bytesOnDisk(path)
            // The row is there (so this looks where rows are written)...
            #expect(disk.range(of: Data(key.hash.utf8)) != nil)
            #expect(disk.range(of: Data(key.id.utf8)) != nil)
            // ...and the secret, or any part of it that identifies it, is not.
            #expect(disk.range(of: Data(secret.utf8)) == nil)
            #expect(disk.range(of: Data(secret.dropFirst(3).prefix(20).utf8)) == nil)
            let connection = try SQLiteConnection(path: path)
            let cells = try connection.prepare("SELECT * FROM keys").rows().flatMap { $0 }
            #expect(!cells.contains(.text(secret)))
            #expect(cells.contains(.text(SHA256.hex(secret))))
        }
    }

    @Test func everyFieldSurvivesAReopen() throws {
        try withTemporaryDatabase { path in
            let limited: VirtualKey
            let open: VirtualKey
            do {
                let store = try KeyStore(path: path)
                limited = try store.create(
                    name: "batch \"jobs\"", models: ["fast", "a\\b", "openai/o3", ""],
                    rpm: 60, tpm: 90_000, maxConcurrent: 4, tokenBudget: 1_000_000,
                    now: 1_700_000_000
                ).key
                open = try store.create(name: "open", now: 1_700_000_001).key
            }
            let reopened = try KeyStore(path: path)
            let keys = try reopened.all()
            #expect(keys == [limited, open])
            let first = try #require(keys.first)
            #expect(first.name == "batch \"jobs\"")
            #expect(first.models == ["fast", "a\\b", "openai/o3", ""])
            #expect(first.rpm == 60)
            #expect(first.tpm == 90_000)
            #expect(first.maxConcurrent == 4)
            #expect(first.tokenBudget == 1_000_000)
            #expect(first.created == 1_700_000_000)
            #expect(first.revoked == nil)
            let second = try #require(keys.last)
            #expect(second.models.isEmpty)
            #expect(second.rpm == nil && second.tpm == nil && second.maxConcurrent == nil && second.tokenBudget == nil)
        }
    }

    @Test func listsOldestFirstWhateverTheOrderOfCreation() throws {
        try withTemporaryDatabase { path in
            let store = try KeyStore(path: path)
            #expect(try store.all().isEmpty)
            let late = try store.create(name: "late", now: 300).key
            let early = try store.create(name: "early", now: 100).key
            let middle = try store.create(name: "middle", now: 200).key
            #expect(try store.all().map(\.name) == [early, middle, late].map(\.name))
        }
    }

    @Test func revocationIsPerKeyAndSurvivesAReopen() throws {
        try withTemporaryDatabase { path in
            let ids: [String]
            do {
                let store = try KeyStore(path: path)
                ids = try (0..<3).map { try store.create(name: "k\($0)", now: 10 + $0).key.id }
                #expect(try store.revoke(id: ids[1], now: 50))
            }
            let reopened = try KeyStore(path: path)
            #expect(try reopened.all().map(\.revoked) == [nil, 50, nil])
            #expect(try !reopened.revoke(id: ids[1], now: 60))
            #expect(try reopened.revoke(id: ids[2], now: 70))
            #expect(try reopened.all().map(\.revoked) == [nil, 50, 70])
        }
    }

    @Test func manyKeysGetDistinctIdsAndHashes() throws {
        try withTemporaryDatabase { path in
            let store = try KeyStore(path: path)
            let created = try (0..<50).map { try store.create(name: "k\($0)", now: $0) }
            let stored = try store.all()
            #expect(stored.count == 50)
            #expect(Set(stored.map(\.id)).count == 50)
            #expect(Set(stored.map(\.hash)).count == 50)
            for (key, secret) in created { #expect(stored.first { $0.id == key.id }?.hash == SHA256.hex(secret)) }
        }
    }
}
